"""RawInput → Document, or a Rejection saying why not.

In: a `RawInput` (bytes + uri, from the flow). Out: a `Document` whose cleaned
`text` is the one all warehouse offsets refer to, with its title, outlet, author and
publication date where feed metadata, a YAML front matter block, header lines
(`transforms.header`: cut from the text) or the text give them, the outlet
falling back to the url's registered domain, and `date_source` saying where
the date came from (`metadata`: feed or front matter; `text`: a header line or
a date line near the top);
or a `Rejection` (stage `read`/`parse`) with a machine-readable reason:
`empty`, `binary`, `undecodable`, `bad_front_matter` (a YAML front matter block
that is not valid YAML), `too_large` (more than `max_chars` characters
of cleaned text: quarantined, not split, see docs/data-quality.md), `not_english`.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from datetime import date
from functools import cache
from pathlib import Path

from transforms.clean import MAX_CHARS, DecodeError, clean_text, decode_bytes, looks_like_html
from transforms.dates import MONTHS
from transforms.documents import Document, RawInput, Rejection, sha256_text
from transforms.domains import registered_domain
from transforms.header import ISO_DATE, FrontMatterError, parse_published, split_front_matter, split_header_lines
from transforms.web import read_page

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_DATE_LINE = re.compile(
    r"^\s*(?:date|dated|published|posted|updated|publication date)\s*[:\-]?\s*" + ISO_DATE, re.I | re.M
)
# the twelve full month names of transforms/dates.py's MONTHS (its longest name for each month)
_FULL_MONTHS = "|".join(max((k for k, v in MONTHS.items() if v == n), key=len) for n in range(1, 13))
_WORDY_DATE_LINE = re.compile(
    r"^\s*(?:(?:published|posted|updated|date)\s*[:\-]?\s*)?(?:\w+day,?\s+)?"
    rf"({_FULL_MONTHS})"
    r"\s+(\d{1,2}),?\s+(\d{4})\b[^\n]{0,40}$",
    re.I | re.M,
)
_OUTLET = re.compile(r"(?:—|-|–)\s*(?:write|writes|source)\s*:\s*(?:https?://)?(?:www\.)?([\w.-]+\.\w+)", re.I)


@cache
def _stop_words() -> frozenset[str]:
    """spaCy's English stop words. Until spaCy is imported they are read from its own file
    (`spacy/lang/en/stop_words.py`, which imports nothing) without importing spaCy, which costs about a
    second that a plan never needs; imported as usual once spaCy is, or when the file cannot be read so."""
    if "spacy" not in sys.modules:
        words = _stop_words_from_source()
        if words:
            return words
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def _stop_words_from_source() -> frozenset[str] | None:
    """`STOP_WORDS` of the installed spaCy's English stop-word file, run on its own (None when that fails)."""
    try:
        spec = importlib.util.find_spec("spacy")  # a top-level package is found without running it
        if spec is None or not spec.submodule_search_locations:
            return None
        path = Path(next(iter(spec.submodule_search_locations))) / "lang" / "en" / "stop_words.py"
        namespace: dict = {"__name__": "spacy.lang.en.stop_words"}
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # noqa: S102 - spaCy's file
        words = namespace["STOP_WORDS"]
    except Exception:  # noqa: BLE001 - a changed spaCy: import it instead
        return None
    if not isinstance(words, set | frozenset) or not all(isinstance(w, str) for w in words):
        return None
    return frozenset(words)


def english_score(text: str) -> tuple[float, int]:
    """Share of words that are English stop words, and the number of words looked at."""
    stop_words = _stop_words()
    words = _WORD.findall(text[:20_000].lower())
    if not words:
        return 0.0, 0
    return sum(map(stop_words.__contains__, words)) / len(words), len(words)


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
            return date(int(m[3]), MONTHS[m[1].lower()], int(m[2])), m.span()
        except ValueError:
            pass
    return None, None


def find_title(text: str) -> str | None:
    """The first line with letters when it reads as a headline (short); a Markdown rule (`---`) or a
    blank line before it is skipped, a Markdown heading's `#` marks are dropped."""
    for line in text.split("\n", 5)[:5]:
        first = line.strip().lstrip("#").strip()
        if _WORD.search(first):
            return first if len(first) <= 300 else None
    return None


def _outlet_name(value: str | None) -> str | None:
    """An outlet as metadata gives it: a name stays, a url or host becomes its registered domain."""
    if not value:
        return None
    return registered_domain(value, bare_host=True) or value


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
    front: dict = {}
    page = None
    if looks_like_html(text):
        page = read_page(text, url=(raw.metadata or {}).get("url"))
        text, html_title = page.text, page.title
        front = {k: v for k in ("outlet", "author", "url") if (v := getattr(page, k))}
    else:
        try:
            front, text = split_front_matter(text)
        except FrontMatterError as exc:
            return Rejection(raw.uri, "parse", "bad_front_matter", str(exc))
    text = clean_text(text)
    header, text = split_header_lines(text)
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
        declared = f" (the page declares `{page.language}`)" if page and page.language else ""
        return Rejection(
            raw.uri,
            "parse",
            "not_english",
            f"only {share:.0%} of {n} words are English function words{declared}; newsevents codes English text",
        )
    meta = {**front, **(raw.metadata or {})}  # a feed line's fields over its text's front matter
    date_source: str | None
    published, date_source = parse_published(meta.get("published")), "metadata"
    if published is None and page is not None:
        published = page.published  # the page's own metadata (meta tags, JSON-LD, url)
    if published is None:
        published, date_source = header.published, "text"
    date_span = None
    found, date_span = find_published_date(text)
    if published is None:
        published = found
    if published is None:  # an archive's or a feed's fetch date (WARC-Date, the feed's build date)
        published, date_source = parse_published(meta.get("fetched")), "fetched"
    if published is None:
        date_source = None
    title = meta.get("title") or html_title or find_title(text)
    if title and (m := _OUTLET.search(title)) and m.start() > 0:  # "“GUR reports …”, — write: radiosvoboda.org"
        title = title[: m.start()].rstrip(" ,;:—–-") or title
    outlet = _outlet_name(meta.get("outlet")) or _outlet_name(header.outlet)
    if not outlet:
        m = _OUTLET.search(text[:2000])
        outlet = _outlet_name(m[1]) if m else None
    url = meta.get("url") or header.url
    outlet = outlet or registered_domain(url) or registered_domain(raw.uri)
    body_start = 0
    if date_span and date_span[0] == 0:
        body_start = date_span[1]
    return Document(
        source_id=sha256_text(text)[:16],
        uri=(raw.metadata or {}).get("url") or raw.uri,  # a file's uri is its path; a feed line's, its url
        file_name=raw.file_name,
        text=text,
        title=title,
        outlet=outlet,
        published_date=published,
        date_source=date_source,
        author=meta.get("author") or header.author,
        body_start=body_start,
        origin=raw.origin or raw.uri,
    )
