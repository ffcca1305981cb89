"""An HTML page → its article text and metadata, through trafilatura (with htmldate).

In: a decoded HTML page and, when known, the url it was fetched from. Out: a `Page` with the main text
(headline first, then the body: menus, "Most read" boxes, cookie notes, scripts and styles are left out
by trafilatura's boilerplate removal), the title without its " | Site" suffix, the outlet (og:site_name,
else the suffix cut from the <title>), the publication date found in the page's metadata (meta tags,
JSON-LD, the url; htmldate with `extensive_search` off, so a date merely mentioned in the text is never
taken), the author, the canonical url and the declared language (`<html lang>`, og:locale).

trafilatura works offline (nothing is downloaded) and is imported on first use (~0.5 s), so commands
that read no page (`export`, `report`) never load it. A page it finds no article in (a fragment, a
page of a sentence or two: it wants ~250 characters) falls back to `transforms.clean.html_to_text`,
the hand-written reader, which keeps every visible text and drops only scripts and styles; `Page.reader`
says which one read the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from transforms.clean import html_to_text

_SUFFIX_SEPARATORS = re.compile(r"^\s*(?:\||-|–|—|:|·|•|::)\s*")
_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?)", re.I)
_LOCALE = re.compile(
    r"<meta\b[^>]*?property\s*=\s*[\"']og:locale[\"'][^>]*?content\s*=\s*[\"']([A-Za-z_-]{2,10})", re.I
)
_HOSTLIKE = re.compile(r"^[\w-]+(?:\.[\w-]+)+$")
_TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


@dataclass(frozen=True)
class Page:
    text: str
    title: str | None = None
    outlet: str | None = None
    published: date | None = None  # from the page's metadata only
    author: str | None = None
    url: str | None = None  # the canonical url the page declares
    language: str | None = None  # as declared (`en`, `en-GB`, `fr`), not detected
    reader: str = "trafilatura"  # or `fallback` (transforms.clean.html_to_text)


@cache
def _trafilatura():
    import trafilatura

    return trafilatura


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _site_from_title(raw_title: str | None, title: str | None) -> str | None:
    """The outlet a <title> names after the headline ("Floods in Sylhet - Dhaka Daily News")."""
    if not raw_title or not title:
        return None
    raw_title, title = " ".join(raw_title.split()), " ".join(title.split())
    if not raw_title.startswith(title) or raw_title == title:
        return None
    rest = raw_title[len(title) :]
    m = _SUFFIX_SEPARATORS.match(rest)
    site = rest[m.end() :].strip() if m else ""
    return site if site and len(site) <= 60 and len(site.split()) <= 6 else None


def _declared_language(html: str) -> str | None:
    head = html[:20_000]
    m = _LANG.search(head) or _LOCALE.search(head)
    return m[1].replace("_", "-") if m else None


def read_page(html: str, url: str | None = None, today: date | None = None) -> Page:
    """The article and metadata of one page (`url`: where it was fetched, if known)."""
    import html as html_lib

    traf = _trafilatura()
    today = today or date.today()
    params = {"original_date": True, "extensive_search": False, "max_date": today.isoformat()}
    try:
        doc = traf.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,  # a layout table would come out as one line of cells joined by "|"
            date_extraction_params=params,
        )
    except Exception:  # noqa: BLE001 - a page lxml cannot take: the hand-written reader still reads it
        doc = None
    language = _declared_language(html)
    m = _TITLE_TAG.search(html[:200_000])
    raw_title = html_lib.unescape(m[1]).strip() if m else None
    if doc is None or not (doc.text or "").strip():
        text, title = html_to_text(html)
        return Page(text=text, title=title, language=language, reader="fallback")
    title = (doc.title or "").strip() or None
    text = "\n\n".join(line.strip() for line in doc.text.split("\n") if line.strip())  # one paragraph a line
    outlet = (doc.sitename or "").strip()
    if not outlet or _HOSTLIKE.match(outlet):  # trafilatura's fallback is the host: a name in the <title> is better
        outlet = _site_from_title(raw_title, title) or outlet
    return Page(
        text=text,
        title=title,
        outlet=outlet or None,
        published=_date(doc.date),
        author=(doc.author or "").strip() or None,
        url=(doc.url or "").strip() or None,
        language=language,
    )
