"""Bytes → clean text.

In: the raw bytes of one input. Out: `Decoded(text, encoding)` or a
`DecodeError(reason, detail)`. Pure functions, no I/O. Cleaning repairs
mojibake (ftfy), turns non-breaking and other odd spaces into plain spaces,
removes zero-width characters, direction marks and NULs, normalises line ends, and keeps
paragraph breaks (they end sentences downstream). HTML pages are reduced to
their title and article text, without scripts and styles.
"""

from __future__ import annotations

import codecs
import html
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

from transforms.textfix import Fixed, fix_text

MAX_BYTES = 20_000_000  # larger files are quarantined as too_large before they are read
# larger cleaned texts are quarantined as too_large before any NLP (Settings.max_chars): ~10 long news
# articles; the machine codes one in about a minute (spaCy ~30 s + extraction), and one text's spaCy docs
# are all held at once, so this also bounds a batch's memory
MAX_CHARS = 500_000

# removed (a character class, not `str.translate`: a translation table costs a Python look-up per character):
# zero-width spaces and joiners, the soft hyphen, NUL, and the invisible direction and format marks pasted
# from right-to-left pages (LRM/RLM, embeddings and isolates, the Arabic letter mark, invisible operators),
# which would otherwise stick to a word ("\u2066Cairo\u2069" is no known place)
_MARKS = "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\u180e\ufeff\u00ad\x00"
_ZERO_WIDTH = re.compile(f"[{_MARKS}]")
# and other C0/C1 control characters (not tab/newline, handled below): they carry no text
_INVISIBLE = re.compile(f"[{_MARKS}\x01-\x08\x0e-\x1f\x7f\x80-\x9f]")
_LINE_SEPARATORS = re.compile(r"[\u2028\u2029\x85\x0c]")
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
_TRAILING = re.compile(r"[ ]+\n")
_MANY_BLANKS = re.compile(r"\n{3,}")
_MANY_SPACES = re.compile(r" {2,}")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    html_title: str | None = None


@dataclass(frozen=True)
class DecodeError:
    reason: str
    detail: str


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 0))  # what a text file never holds


def looks_binary(data: bytes) -> bool:
    """Control bytes (other than whitespace) in the first 8 KiB mean a binary file.

    UTF-16 text is full of NULs, so it is recognised before this is asked.
    """
    head = data[:8192]
    if not head:
        return False
    bad = len(head) - len(head.translate(None, _CONTROL_BYTES))  # counted in C, not byte by byte
    nul = head.count(0)
    return bad / len(head) > 0.05 or nul / len(head) > 0.30


def _utf16_without_bom(data: bytes) -> str | None:
    head = data[:2000]
    if len(head) < 16:  # too short to tell UTF-16 from a few bytes of text with NULs
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > 0.4 * len(head) / 2 and even < 0.05 * len(head) / 2:
        return "utf-16-le"
    if even > 0.4 * len(head) / 2 and odd < 0.05 * len(head) / 2:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes) -> Decoded | DecodeError:
    """Decode with BOM sniffing, then UTF-8, then cp1252/latin-1; refuse binary."""
    if len(data) > MAX_BYTES:
        return DecodeError("too_large", f"{len(data)} bytes, more than the {MAX_BYTES} allowed")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return Decoded(data.decode(enc), enc)
            except UnicodeDecodeError as exc:
                return DecodeError("undecodable", f"starts with a {enc} byte-order mark but: {exc}")
    enc16 = _utf16_without_bom(data)
    if enc16:
        try:
            return Decoded(data.decode(enc16), enc16)
        except UnicodeDecodeError:
            pass
    if looks_binary(data):
        return DecodeError("binary", "control bytes in the first 8 KiB: not a text file")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(data.decode("cp1252"), "cp1252")
    except UnicodeDecodeError:
        return Decoded(data.decode("latin-1"), "latin-1")


class _ArticleHTML(HTMLParser):
    """Collects the <title> and the visible text of block elements, skipping scripts."""

    SKIP = {"script", "style", "noscript", "nav", "footer", "header", "aside", "form", "svg", "template"}
    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "article", "section", "tr", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        elif tag == "title":
            self._in_title = False
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if self._in_title:
            self.title.append(data)
        elif not self._skip:
            self.parts.append(data)


_HTML_SNIFF = re.compile(r"<\s*(!doctype\s+html|html|head|body|article|p|div)\b", re.I)


def looks_like_html(text: str) -> bool:
    return bool(_HTML_SNIFF.search(text[:4096]))


def html_to_text(text: str) -> tuple[str, str | None]:
    """The article text (paragraphs kept) and the page title of an HTML page."""
    parser = _ArticleHTML()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # malformed markup: fall back to stripping tags
        stripped = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", text, flags=re.S | re.I)
        return html.unescape(stripped), None
    body = "".join(parser.parts)
    lines = [ln.strip() for ln in body.split("\n")]
    body = "\n".join(lines)
    title = " ".join("".join(parser.title).split()) or None
    return body, title


def clean_text(text: str) -> str:
    """Repair and normalise text; the result is what all offsets refer to.

    Repeated until nothing changes (at most three passes): removing an invisible character can
    join two halves of a mojibake sequence that ftfy then repairs, and the stored text must be a
    fixed point (cleaning it again changes nothing).
    """
    fixed: Fixed = set()  # the lines ftfy left as they are: the next pass does not fix them again
    for _ in range(3):
        cleaned = _clean_once(text, fixed)
        if cleaned == text:
            break
        text = cleaned
    return text


def _clean_once(text: str, fixed: Fixed) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x0b" in text:  # a word processor's line break: a space, before ftfy would delete it ("arrested40")
        text = text.replace("\x0b", " ")
    text = _ZERO_WIDTH.sub("", text)
    # ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False, …) on every text, ASCII too: it decodes
    # entities ("AT&amp;T") and drops terminal escapes there as well (an ASCII line with neither costs a scan)
    text = fix_text(text, fixed)
    text = unicodedata.normalize("NFC", text)
    text = _LINE_SEPARATORS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    if "  " in text:  # a substring test is far cheaper than a regex scan that finds nothing
        text = _MANY_SPACES.sub(" ", text)
    if " \n" in text:
        text = _TRAILING.sub("\n", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _MANY_BLANKS.sub("\n\n", text)
    return text.strip()
