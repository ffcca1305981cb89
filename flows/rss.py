"""RSS and Atom feed files → one `RawInput` per item, read with feedparser.

In: a `Found` whose file ends in `.rss` or `.atom`, or in `.xml` with an `<rss>`, `<feed>` or `<rdf:RDF>`
root (`is_rss`). Out: per item a `RawInput` whose text is the item's full content (`content:encoded`,
Atom `<content>`) where present, else its summary/description, HTML reduced to text (a feed's HTML is
the article alone, without page furniture, so the hand-written reader `transforms.clean.html_to_text`
reads it); `metadata`: `url` (the item's link, also its uri), `title`, `published` (the item's
published, else updated date), `author`, `outlet` (the feed's own title) and `fetched` (the feed's
build date: RSS `lastBuildDate`/`pubDate`, Atom `updated`: the date an item without one falls back
to, `date_source='fetched'`). `origin` is `<file>#item<n>` (n counts from 1), also the uri of an item
without a link. An item with neither content nor summary is `no_text`; a file feedparser finds no
feed in is one `bad_feed` row. Nothing is fetched: feedparser is given the bytes, never a url.
Two items under one link with different texts: the last is kept, as for JSON Lines (`_last_per_url`).
"""

from __future__ import annotations

import io
import re
import time
from datetime import date

from flows.discover import Found, read_input
from transforms.clean import html_to_text, looks_like_html
from transforms.documents import RawInput

RSS_SUFFIXES = (".rss", ".atom")
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]", re.I)


def is_rss(found: Found) -> bool:
    name = found.path.name.lower()
    if name.endswith(RSS_SUFFIXES):
        return True
    if not name.endswith(".xml") or found.problem:
        return False
    try:
        with open(found.path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return bool(_FEED_ROOT.search(head))


def _date(parsed: time.struct_time | None) -> str | None:
    if not parsed:
        return None
    try:
        return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday).isoformat()
    except ValueError:
        return None


def _text(value: str) -> str:
    return html_to_text(value)[0] if looks_like_html(value) or "<" in value else value


def _item_text(entry) -> str:
    contents = [c.get("value") or "" for c in entry.get("content") or []]
    full = max(contents, key=len, default="")
    summary = entry.get("summary") or ""
    return _text(full if len(full.strip()) >= len(summary.strip()) and full.strip() else summary).strip()


def read_rss(found: Found) -> list[RawInput]:
    """Every item of an RSS or Atom file, in file order (or why the file gives none)."""
    import feedparser

    from flows.feeds import _last_per_url

    whole = read_input(found)
    if whole.error:
        return [whole]
    parsed = feedparser.parse(io.BytesIO(whole.data or b""), sanitize_html=True, resolve_relative_uris=False)
    entries = parsed.get("entries") or []
    if parsed.get("bozo") and not any(e.get("link") or e.get("summary") or e.get("content") for e in entries):
        entries = []  # a cut-off or broken file: feedparser's recovery found no item worth the name
    if not entries:
        if parsed.get("bozo"):
            why = str(parsed.get("bozo_exception") or "not a feed").splitlines()[0][:160]
            return [RawInput(whole.uri, whole.file_name, error="bad_feed", error_detail=f"not a readable feed: {why}")]
        return [RawInput(whole.uri, whole.file_name, error="empty", error_detail="the feed holds no items")]
    feed = parsed.get("feed") or {}
    outlet = (feed.get("title") or "").strip()
    fetched = _date(feed.get("updated_parsed") or feed.get("published_parsed"))
    out = []
    for n, entry in enumerate(entries, 1):
        origin = f"{whole.uri}#item{n}"
        meta = {
            "url": (entry.get("link") or "").strip(),
            "title": _text(entry.get("title") or "").strip(),
            "published": _date(entry.get("published_parsed") or entry.get("updated_parsed")),
            "author": (entry.get("author") or "").strip(),
            "outlet": outlet,
            "fetched": fetched,
        }
        meta = {k: v for k, v in meta.items() if v}
        uri = str(meta.get("url") or origin)
        text = _item_text(entry)
        if not text:
            detail = f"item {n} of {whole.file_name} has neither content nor a summary"
            out.append(RawInput(uri, whole.file_name, error="no_text", error_detail=detail, origin=origin))
            continue
        out.append(RawInput(uri, whole.file_name, data=text.encode("utf-8"), metadata=meta, origin=origin))
    return _last_per_url(out)
