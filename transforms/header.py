"""Metadata at the top of a text or Markdown file → fields, cut out of the text that is coded.

In: a decoded text. Out:
- `split_front_matter(text)`: a YAML front matter block (`---` first line, keys, `---` or `...`) →
  its fields (`title`, `published`, `outlet`, `url`, `author`, under the names of `transforms.fields`)
  and the text after it; a block that is not a mapping of keys (a Markdown rule `---` over prose) is
  left as text; a block that reads as keys but is not valid YAML gives a `FrontMatterError`, which
  the parser quarantines `bad_front_matter` (coding it as prose would code YAML).
- `split_header_lines(text)`: plain header lines among the first lines of a cleaned text (`date
  2023-09-14`, `Published: 27 February 2025`, `— write: radiosvoboda.org`, `By Jane Doe`, `Author:`,
  `URL:`) → a `Header` and the text without them. At most one other line (the headline) may stand
  among them; a date prefix before the first sentence (`date 2023-09-14 Russian President…`) is cut
  from its line. Header lines are removed from the text, not marked by `Document.body_start`: the
  stored `sources.text` is the article (headline + body), and every offset refers to it.
- `parse_published(value)`: a metadata date value (ISO 8601, RFC 822 as in RSS, `27 February 2025`,
  `February 27, 2025`) → a `date`, or None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from email.utils import parsedate_to_datetime

import yaml

from transforms.dates import MONTHS
from transforms.fields import pick

_MONTHS = MONTHS  # name or three-letter abbreviation → number (transforms/dates.py)
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"  # every name of dates.MONTHS
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
ISO_DATE = r"(\d{4})-(\d{2})-(\d{2})"  # year-month-day, as groups (parse.py uses it too)
_DMY = _WEEKDAY + r"(\d{1,2})\s+" + _MONTH + r",?\s+(\d{4})"
_MDY = _WEEKDAY + _MONTH + r"\s+(\d{1,2}),?\s+(\d{4})"
_LABEL = r"(?:(date|dated|published(?:\s+on)?|posted(?:\s+on)?|updated(?:\s+on)?|publication\s+date)\s*[:\-]?\s*)"
_TIME = (  # an optional time after a date line: ", 10:32 GMT", "at 9.15 a.m. EST", "· 14:00 UTC+3"
    r"(?:[\s,|·—–-]*(?:at\s+)?\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s*"
    r"(?:[A-Z]{2,5}|utc|gmt)?(?:[+-]\d{1,2}(?::?\d{2})?)?)?"
)
_DATE_ANY = rf"(?:{ISO_DATE}(?:T[\d:.]+(?:Z|[+-][\d:]+)?)?|{_DMY}|{_MDY})"
_DATE_LINE = re.compile(rf"^{_LABEL}?{_DATE_ANY}{_TIME}\s*$", re.I)
_DATE_PREFIX = re.compile(rf"^(?:{_LABEL}{_DATE_ANY}|{ISO_DATE})\s+(?=\S)", re.I)
_BY_LINE = re.compile(r"^[Bb][Yy]\s+([A-Z][\w'’-]*\.?(?:(?:\s+|\s*,\s*|\s+and\s+|\s*&\s*)[A-Z][\w'’-]*\.?){0,5})$")
_AUTHOR_LINE = re.compile(r"^(?:authors?|written by|byline)\s*:\s*(.{2,80})$", re.I)
_OUTLET_LINE = re.compile(
    r"^(?:[—–-]+\s*)?(?:write|writes|source|outlet|publisher)\s*:\s*(?:https?://)?"
    r"([^\s/]+\.[^\s/]+|[^\n.!?:;,]{2,40}?)/?$",  # a host, or a short name (not a sentence)
    re.I,
)
_URL_LINE = re.compile(r"^(?:url|link|source url|canonical(?: url)?)\s*:\s*(https?://\S+)$", re.I)
_FRONT = re.compile(r"\A\s*---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_KEY_LINE = re.compile(r"^[A-Za-z_][\w -]*:(?:\s|$)")
_HEAD_LINES = 10  # header lines are looked for among the first lines only


class FrontMatterError(ValueError):
    """A front matter block that reads as keys but is not valid YAML (one line saying where)."""


@dataclass
class Header:
    from_update: bool = False  # the date is an `Updated:` one (a `Published:` line given later wins)
    published: date | None = None
    outlet: str | None = None
    url: str | None = None
    author: str | None = None


def _valid(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _date_from_match(m: re.Match, first_group: int) -> date | None:
    """The date of a `_DATE_ANY` match whose first group is `first_group`."""
    g = m.groups()[first_group - 1 :]
    if g[0]:  # ISO
        return _valid(int(g[0]), int(g[1]), int(g[2]))
    if g[3]:  # day month year
        return _valid(int(g[5]), _MONTHS[g[4].lower()[:3]], int(g[3]))
    if g[6]:  # month day year
        return _valid(int(g[8]), _MONTHS[g[6].lower()[:3]], int(g[7]))
    return None


_DATE_VALUE = re.compile(rf"^{_DATE_ANY}", re.I)


def parse_published(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    m = _DATE_VALUE.match(value)
    if m:
        return _date_from_match(m, 1)
    try:
        return parsedate_to_datetime(value).date()  # RFC 822: "Thu, 14 Sep 2023 10:00:00 GMT"
    except (TypeError, ValueError, IndexError):
        return None


def split_front_matter(text: str) -> tuple[dict, str]:
    """(fields, rest): the front matter's fields and the text after the block; ({}, text) without one."""
    m = _FRONT.match(text)
    if not m:
        return {}, text
    lines = [ln for ln in m[1].splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines or not _KEY_LINE.match(lines[0]):
        return {}, text  # a Markdown rule over prose, not front matter
    try:
        data = yaml.safe_load(m[1])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        why = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FrontMatterError(f"the YAML front matter is not valid{where}: {why}") from None
    if not isinstance(data, dict):
        return {}, text
    data = {str(k): v for k, v in data.items()}
    fields = {f: pick(data, f) for f in ("title", "published", "outlet", "url", "author")}
    return {k: v for k, v in fields.items() if v}, text[m.end() :]


def _header_line(line: str, header: Header) -> bool:
    """Whether `line` is a header line; its value goes into `header` (the first of each kind wins,
    an `updated` date only when no other date is given)."""
    m = _DATE_LINE.match(line)
    if m:
        found = _date_from_match(m, 2)
        updated = (m[1] or "").lower().startswith("updated")
        if found and (header.published is None or (header.from_update and not updated)):
            header.published, header.from_update = found, updated
        return found is not None
    for pattern, attr in ((_BY_LINE, "author"), (_AUTHOR_LINE, "author"), (_URL_LINE, "url")):
        m = pattern.match(line)
        if m:
            setattr(header, attr, getattr(header, attr) or m[1].strip())
            return True
    m = _OUTLET_LINE.match(line)
    if m:
        header.outlet = header.outlet or m[1].strip().removeprefix("www.")
        return True
    return False


def split_header_lines(text: str) -> tuple[Header, str]:
    """(header, text without its header lines). The text is a cleaned one (lines split on \\n)."""
    header = Header()
    lines = text.split("\n")
    drop: set[int] = set()
    others = 0
    for i, raw in enumerate(lines[:_HEAD_LINES]):
        line = raw.strip()
        if not line:
            continue
        if _header_line(line, header):
            drop.add(i)
            continue
        m = _DATE_PREFIX.match(line)
        if m and header.published is None:
            found = _date_from_match(m, 2) if m[1] else _valid(int(m[11]), int(m[12]), int(m[13]))
            if found:
                header.published = found
                lines[i] = raw[raw.index(line) + m.end() :]
        others += 1
        if others > 1:
            break
    if not drop and lines == text.split("\n"):
        return header, text
    kept = [ln for i, ln in enumerate(lines) if i not in drop]
    return header, "\n".join(kept).strip()
