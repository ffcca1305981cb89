"""RawInput → Document, or a Rejection saying why not.

In: a `RawInput` (bytes + uri, from the flow). Out: a `Document` whose cleaned
`text` is the one all warehouse offsets refer to, with its title (the headline
line), outlet and publication date where the text or feed metadata gives them;
or a `Rejection` (stage `read`/`parse`) with a machine-readable reason:
`empty`, `binary`, `undecodable`, `too_large` (more than `max_chars` characters
of cleaned text: quarantined, not split, see README), `not_english`.
"""

from __future__ import annotations

import re
from datetime import date

from spacy.lang.en.stop_words import STOP_WORDS

from transforms.clean import MAX_CHARS, DecodeError, clean_text, decode_bytes, html_to_text, looks_like_html
from transforms.documents import Document, RawInput, Rejection, sha256_text

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ISO = r"(\d{4})-(\d{2})-(\d{2})"
_DATE_LINE = re.compile(r"^\s*(?:date|dated|published|posted|updated|publication date)\s*[:\-]?\s*" + _ISO, re.I | re.M)
_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        1,
    )
}
_WORDY_DATE_LINE = re.compile(
    r"^\s*(?:(?:published|posted|updated|date)\s*[:\-]?\s*)?(?:\w+day,?\s+)?"
    r"(january|february|march|april|may|june|july|august|september|october|november|december)"
    r"\s+(\d{1,2}),?\s+(\d{4})\b[^\n]{0,40}$",
    re.I | re.M,
)
_OUTLET = re.compile(r"(?:—|-|–)\s*(?:write|writes|source)\s*:\s*(?:https?://)?(?:www\.)?([\w.-]+\.\w+)", re.I)


def english_score(text: str) -> tuple[float, int]:
    """Share of words that are English stop words, and the number of words looked at."""
    words = _WORD.findall(text[:20_000].lower())
    if not words:
        return 0.0, 0
    return sum(1 for w in words if w in STOP_WORDS) / len(words), len(words)


def is_english(text: str) -> bool:
    """English function words settle most texts; langdetect decides the unclear ones."""
    share, n = english_score(text)
    if share >= 0.18:
        return True
    letters = [c for c in text[:20_000] if c.isalpha()]
    latin = bool(letters) and sum(1 for c in letters if c.isascii()) / len(letters) > 0.8
    if n < 12:  # too short to judge (a headline): accept if it is written in Latin letters
        return latin
    if not latin or share < 0.03:
        return False
    return _langdetect_english(text[:5000])


def _langdetect_english(text: str) -> bool:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0  # deterministic
    try:
        return any(lang.lang == "en" and lang.prob >= 0.5 for lang in detect_langs(text))
    except LangDetectException:
        return False


def find_published_date(text: str, head_chars: int = 600) -> tuple[date | None, tuple[int, int] | None]:
    """A date line near the top of the article ("date 2023-09-14", "Published: June 3, 2024")."""
    head = text[:head_chars]
    m = _DATE_LINE.search(head)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3])), m.span()
        except ValueError:
            pass
    m = _WORDY_DATE_LINE.search(head)
    if m:
        try:
            return date(int(m[3]), _MONTHS[m[1].lower()], int(m[2])), m.span()
        except ValueError:
            pass
    return None, None


def _parse_iso(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        m = re.match(_ISO, value.strip())
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def find_title(text: str) -> str | None:
    """The first line when it reads as a headline (short, not a date line)."""
    first = text.split("\n", 1)[0].strip()
    if not first or len(first) > 300:
        return None
    return first


def parse_document(raw: RawInput, max_chars: int = MAX_CHARS) -> Document | Rejection:
    if raw.error:
        return Rejection(raw.uri, "read", raw.error, raw.error_detail)
    data = raw.data or b""
    if not data.strip():
        return Rejection(raw.uri, "read", "empty", "the file holds no text (empty or whitespace only)")
    decoded = decode_bytes(data)
    if isinstance(decoded, DecodeError):
        return Rejection(raw.uri, "read", decoded.reason, decoded.detail)
    text, html_title = decoded.text, None
    if len(text) > 4 * max_chars and not looks_like_html(text[:4096]):
        # far too long even after cleaning (which only drops invisible characters and extra spaces): say so
        # without paying for the cleaning of megabytes
        return Rejection(
            raw.uri,
            "parse",
            "too_large",
            f"{len(text):,} characters, more than the {max_chars:,} allowed (--max-chars): split it into articles",
        )
    if looks_like_html(text):
        text, html_title = html_to_text(text)
    text = clean_text(text)
    if not text:
        return Rejection(raw.uri, "parse", "empty", "no text left after cleaning")
    if len(text) > max_chars:
        return Rejection(
            raw.uri,
            "parse",
            "too_large",
            f"{len(text):,} characters of text, more than the {max_chars:,} allowed (--max-chars): split it "
            "into articles",
        )
    if not is_english(text):
        share, n = english_score(text)
        return Rejection(
            raw.uri,
            "parse",
            "not_english",
            f"only {share:.0%} of {n} words are English function words; newsevents codes English text",
        )
    meta = raw.metadata or {}
    published = _parse_iso(meta.get("published"))
    date_span = None
    found, date_span = find_published_date(text)
    if published is None:
        published = found
    title = meta.get("title") or html_title or find_title(text)
    outlet = meta.get("outlet")
    if not outlet:
        m = _OUTLET.search(text[:2000])
        outlet = m[1] if m else None
    body_start = 0
    if date_span and date_span[0] == 0:
        body_start = date_span[1]
    return Document(
        source_id=sha256_text(text)[:16],
        uri=meta.get("url") or raw.uri,
        file_name=raw.file_name,
        text=text,
        title=title,
        outlet=outlet,
        published_date=published,
        body_start=body_start,
        origin=raw.origin or raw.uri,
    )
