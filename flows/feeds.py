"""JSON Lines feeds → one `RawInput` per article line.

In: a `Found` whose file ends in `.jsonl` (one JSON object a line, the form
scrapers and news APIs hand over). Field names are those of
`transforms.fields.FIELDS`: the text under `text`, `maintext`, `content` or
`body`; the date under `published`, `date_publish`, `published_at`, `pubDate`,
`date`…; the outlet under `outlet`, `source_domain`, `sitename`, `hostname`…;
`url`/`link`, `title`, `author`/`authors` (news-please, newspaper4k,
trafilatura JSON). They reach `parse_document` as `metadata` under the
canonical names. Out: one `RawInput` per non-blank line. A line's uri is
its `url` when it has one (set through `metadata`, which `parse_document`
reads), otherwise `<file>.jsonl#L<n>` (n counts from 1). A line that is not a
JSON object, or has no usable `text`, becomes a `RawInput` with an error
(`bad_json`, `not_an_object`, `no_text`) naming the line, so it lands in
quarantine, never silently lost: that includes a line nested too deep, a
number too long to convert, and a `url` holding an unpaired surrogate (a cut
emoji); in `text`, `title` and `outlet` such halves of a character are removed.
Two lines with one `url` and different texts: the last one is the article, the
earlier ones are quarantined `uri_conflict` under their own `<file>#L<n>`
(whatever the batch size). Every `RawInput` carries `origin`: the file it came
from, or `<file>#L<n>` for a line.

`iter_inputs` / `read_inputs` take any found file to the articles it holds, by
format: JSON Lines here, RSS/Atom (`flows.rss`), WARC archives (`flows.warc`,
streamed, with a `Skipped` per record that is not a page), else the file itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from flows.discover import Found, read_input
from flows.rss import is_rss, read_rss
from flows.warc import Skipped, is_warc, iter_warc
from transforms.documents import RawInput
from transforms.fields import FIELDS, pick

FEED_SUFFIXES = (".jsonl", ".ndjson")
META_FIELDS = ("url", "title", "published", "outlet", "author")


def is_feed(found: Found) -> bool:
    return found.path.name.lower().endswith(FEED_SUFFIXES)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _line_input(uri: str, name: str, n: int, line: str) -> RawInput:
    where = f"line {n} of {name}"
    bad: dict[str, Any] = {"origin": uri}
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return RawInput(uri, name, error="bad_json", error_detail=f"{where} is not valid JSON: {exc.msg}", **bad)
    except RecursionError:
        return RawInput(uri, name, error="bad_json", error_detail=f"{where} is nested too deep to read", **bad)
    except ValueError as exc:  # an integer of thousands of digits
        why = str(exc).splitlines()[0] if str(exc) else "a value cannot be read"
        return RawInput(uri, name, error="bad_json", error_detail=f"{where} cannot be read: {why}", **bad)
    if not isinstance(item, dict):
        what = type(item).__name__
        return RawInput(uri, name, error="not_an_object", error_detail=f"{where} is a JSON {what}", **bad)
    url = pick(item, "url")
    if url and _SURROGATE.search(url):
        detail = f"{where} has a broken character (an unpaired surrogate) in `url`"
        return RawInput(uri, name, error="bad_json", error_detail=detail, **bad)
    meta = {k: v for k in META_FIELDS if (v := _SURROGATE.sub("", pick(item, k) or "").strip())}
    text = pick(item, "text")
    if text:
        text = _SURROGATE.sub("", text)  # half of a cut emoji is no character: it cannot be stored
    if not text or not text.strip():
        names = "/".join(f"`{n}`" for n in FIELDS["text"])
        return RawInput(
            meta.get("url", uri), name, error="no_text", error_detail=f"{where} has no non-empty {names} field", **bad
        )
    return RawInput(meta.get("url", uri), name, data=text.encode("utf-8"), metadata=meta, origin=uri)


def _last_per_url(lines: list[RawInput]) -> list[RawInput]:
    """Two lines under one url with different texts: the last is kept, the earlier ones are quarantined
    under their own line (`<file>#L<n>`), naming the line that replaced them. The same text twice is the
    usual duplicate (quarantined later, by content)."""
    last: dict[str, RawInput] = {}
    for raw in lines:
        if raw.data is not None and raw.metadata.get("url"):
            last[raw.metadata["url"]] = raw
    out = []
    for raw in lines:
        url = raw.metadata.get("url") if raw.data is not None else None
        keep = last.get(url) if url else None
        if keep is not None and keep is not raw and keep.data != raw.data:
            detail = f"url {url} appears again at {keep.origin} with another text; the last line is kept"
            where = raw.origin or raw.uri
            out.append(RawInput(where, raw.file_name, error="uri_conflict", error_detail=detail, origin=where))
            continue
        out.append(raw)
    return out


def read_feed(found: Found) -> list[RawInput]:
    """Every article line of a JSON Lines feed, in file order."""
    whole = read_input(found)
    if whole.error:
        return [whole]
    try:
        content = (whole.data or b"").decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [RawInput(whole.uri, whole.file_name, error="undecodable", error_detail=f"feed is not UTF-8: {exc}")]
    out = []
    for n, line in enumerate(content.split("\n"), 1):  # not splitlines(): JSON strings may hold U+2028
        if line.strip():
            out.append(_line_input(f"{whole.uri}#L{n}", whole.file_name, n, line))
    if not out:
        out.append(RawInput(whole.uri, whole.file_name, error="empty", error_detail="the feed holds no lines"))
    return _last_per_url(out)


def iter_inputs(found: Found) -> Iterator[RawInput | Skipped]:
    """The articles a found file holds, by format: one per line of a JSON Lines feed, one per item of an
    RSS/Atom feed (`flows.rss`), one per page record of a WARC archive (streamed, with a `Skipped` for
    each other record: `flows.warc`), else one for a text, Markdown or HTML file."""
    if is_feed(found):
        yield from read_feed(found)
    elif is_warc(found):
        yield from iter_warc(found)
    elif is_rss(found):
        yield from read_rss(found)
    else:
        yield read_input(found)


def read_inputs(found: Found) -> list[RawInput]:
    """The articles a found file holds (`iter_inputs` without the skipped archive records)."""
    return [r for r in iter_inputs(found) if isinstance(r, RawInput)]
