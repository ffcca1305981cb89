"""JSON Lines feeds → one `RawInput` per article line.

In: a `Found` whose file ends in `.jsonl` (one JSON object a line, the form
scrapers and news APIs hand over: `text`, and where present `url`, `title`,
`published`, `outlet`). Out: one `RawInput` per non-blank line. A line's uri is
its `url` when it has one (set through `metadata`, which `parse_document`
reads), otherwise `<file>.jsonl#L<n>` (n counts from 1). A line that is not a
JSON object, or has no usable `text`, becomes a `RawInput` with an error
(`bad_json`, `not_an_object`, `no_text`) naming the line, so it lands in
quarantine, never silently lost. A feed that cannot be read at all comes back
as one errored `RawInput` for the file.
"""

from __future__ import annotations

import json

from flows.discover import Found, read_input
from transforms.documents import RawInput

FEED_SUFFIXES = (".jsonl", ".ndjson")
META_FIELDS = ("url", "title", "published", "outlet")


def is_feed(found: Found) -> bool:
    return found.path.name.lower().endswith(FEED_SUFFIXES)


def _line_input(uri: str, name: str, n: int, line: str) -> RawInput:
    where = f"line {n} of {name}"
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return RawInput(uri, name, error="bad_json", error_detail=f"{where} is not valid JSON: {exc.msg}")
    if not isinstance(item, dict):
        return RawInput(uri, name, error="not_an_object", error_detail=f"{where} is a JSON {type(item).__name__}")
    meta = {k: item[k].strip() for k in META_FIELDS if isinstance(item.get(k), str) and item[k].strip()}
    uri = meta.get("url", uri)
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        return RawInput(uri, name, error="no_text", error_detail=f"{where} has no non-empty `text` field")
    return RawInput(uri, name, data=text.encode("utf-8"), metadata=meta)


def read_feed(found: Found) -> list[RawInput]:
    """Every article line of a JSON Lines feed, in file order."""
    whole = read_input(found)
    if whole.error:
        return [whole]
    try:
        content = whole.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [RawInput(whole.uri, whole.file_name, error="undecodable", error_detail=f"feed is not UTF-8: {exc}")]
    out = []
    for n, line in enumerate(content.split("\n"), 1):  # not splitlines(): JSON strings may hold U+2028
        if line.strip():
            out.append(_line_input(f"{whole.uri}#L{n}", whole.file_name, n, line))
    if not out:
        out.append(RawInput(whole.uri, whole.file_name, error="empty", error_detail="the feed holds no lines"))
    return out


def read_inputs(found: Found) -> list[RawInput]:
    """The articles a found file holds: one for a text or HTML file, one per line for a feed."""
    return read_feed(found) if is_feed(found) else [read_input(found)]
