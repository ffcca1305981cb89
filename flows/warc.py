"""WARC and WARC.gz archives → one `RawInput` per archived HTTP response with an HTML or text body.

In: a `Found` whose file ends in `.warc` or `.warc.gz` (what news crawlers and CC-NEWS write), read with
warcio. Out, streamed record by record (the archive is never held in memory; a record body is read up
to `MAX_BYTES`): a `RawInput` per `response` (or `resource`) record with a 2xx status and an HTML or
text body, its uri the record's `WARC-Target-URI`, its `metadata` the url and the record's `WARC-Date`
(`fetched`: the date a page falls back to when it gives none), its `origin` `<archive>#offset=<n>`
(the record's byte offset); a `Skipped` for every other record (`request`, `warcinfo`, `metadata`,
`revisit`, a response whose body is an image or another non-text type, or whose status is not 2xx),
counted in the run summary. A record that cannot be read (a damaged gzip member, a broken header, a
record cut short by a truncated archive) is one `RawInput` with the error `corrupt_record` at its
offset; the reader then looks for the next record start and goes on (a file that does not begin with
`WARC/1.x` is one `not_warc`). A url archived twice with different bodies (a page fetched again after a
correction): the last record is the page, the earlier ones are quarantined `uri_conflict` under
their own offset, as for JSON Lines lines (a first pass over the records' urls and body digests finds
them; it keeps one small entry per url, not the pages).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flows.discover import Found, printable
from transforms.clean import MAX_BYTES
from transforms.documents import RawInput

WARC_SUFFIXES = (".warc", ".warc.gz")
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
DOCUMENT_RECORDS = ("response", "resource")
_CHUNK = 1 << 20
_UNPRINTABLE = re.compile(r"[^\x20-\x7e\u00a0-\u024f]")


@dataclass(frozen=True)
class Skipped:
    """A record that is not a page: what it was (`request`, `response image/jpeg`, …)."""

    kind: str


def is_warc(found: Found) -> bool:
    return found.path.name.lower().endswith(WARC_SUFFIXES)


def _one_line(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    text = lines[0] if lines else type(exc).__name__
    m = _UNPRINTABLE.search(text)
    if m:  # warcio quotes the bytes it could not read: binary noise is no help in a detail
        text = text[: m.start()].rstrip(" :") + " (unreadable bytes)"
    return text[:160]


def _next_start(fh, start: int, gz: bool) -> int | None:
    """The offset of the next thing that looks like a record start after `start` (a gzip member's magic,
    or `WARC/1.` at a line start), read in chunks."""
    marker = b"\x1f\x8b\x08" if gz else b"\nWARC/1."
    pos = start + 1
    tail = b""
    while True:
        fh.seek(pos)
        chunk = fh.read(_CHUNK)
        if not chunk:
            return None
        hay = tail + chunk
        i = hay.find(marker)
        if i >= 0:
            found = pos - len(tail) + i
            return found + (0 if gz else 1)
        tail = hay[-(len(marker) - 1) :]
        pos += len(chunk)


def _records(fh, gz: bool) -> Iterator[tuple[int, Any, bytes | memoryview | None, str | None]]:
    """(offset, record, body, None) for each readable record (body: the page's bytes, read only for page
    records; `TOO_LARGE` past MAX_BYTES), (offset, None, None, why) once per damaged stretch."""
    from warcio.archiveiterator import ArchiveIterator

    start = 0
    damaged: tuple[int, str] | None = None  # (offset where the damage began, why)
    while True:
        fh.seek(start)
        it = ArchiveIterator(fh)
        at = start
        try:
            for record in it:
                body = _body(record) if _kind(record) is None else None
                it.read_to_end()
                end = max(it.offset, at)  # warcio's offsets mean nothing in a file gzipped whole
                if damaged is not None:
                    yield damaged[0], None, None, damaged[1]
                    damaged = None
                missing = getattr(record.raw_stream, "limit", 0) or 0  # what its Content-Length promised
                if missing > 0:
                    yield at, None, None, f"the record is cut short, {missing} bytes missing (a truncated archive)"
                else:
                    yield at, record, body, None
                at = end
            if damaged is not None:
                yield damaged[0], None, None, damaged[1]
            return
        except Exception as exc:  # noqa: BLE001 - a damaged record: quarantined, the rest still loads
            if damaged is None:
                damaged = (at, _one_line(exc))
            nxt = _next_start(fh, at, gz)
            if nxt is None:
                yield damaged[0], None, None, damaged[1]
                return
            start = nxt


def _kind(record) -> str | None:
    """None for a page record, else what it is (the key it is counted under)."""
    if record.rec_type not in DOCUMENT_RECORDS:
        return record.rec_type
    if record.http_headers is not None:
        status = (record.http_headers.get_statuscode() or "").strip()
        if not status.startswith("2"):
            return f"response status {status or '?'}"
        ctype = record.http_headers.get_header("Content-Type") or ""
    else:
        ctype = record.rec_headers.get_header("Content-Type") or ""
    mime = ctype.split(";")[0].strip().lower()
    if mime and mime not in TEXT_TYPES:
        return f"{record.rec_type} {mime}"
    return None


def _charset(record) -> str | None:
    headers = record.http_headers if record.http_headers is not None else record.rec_headers
    ctype = headers.get_header("Content-Type") or ""
    for part in ctype.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


TOO_LARGE = memoryview(b"too large")  # the body _records gives for a page of more than MAX_BYTES (a marker)


def _body(record) -> bytes | memoryview:
    """The decoded (de-chunked, decompressed) body, or `TOO_LARGE` past MAX_BYTES."""
    stream = record.content_stream()
    parts, size = [], 0
    while size <= MAX_BYTES:
        chunk = stream.read(min(_CHUNK, MAX_BYTES + 1 - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return TOO_LARGE if size > MAX_BYTES else b"".join(parts)


def _utf8(body: bytes, charset: str | None) -> bytes:
    """The body as UTF-8 when the server named its charset (else left to the decoder's detection)."""
    if not charset or charset.lower().replace("_", "-") in ("utf-8", "utf8"):
        return body
    try:
        return body.decode(charset).encode("utf-8")
    except (LookupError, UnicodeDecodeError):
        return body


def _is_gzip(fh) -> bool:
    fh.seek(0)
    return fh.read(2) == b"\x1f\x8b"


def _starts_as_warc(fh, gz: bool) -> bool:
    """Does the file begin with a WARC record (`WARC/1.x`, after the gzip header)? warcio would also read
    plain text as an old ARC record."""
    import gzip
    import zlib

    fh.seek(0)
    try:
        head = gzip.GzipFile(fileobj=fh).read(16) if gz else fh.read(16)
    except (OSError, EOFError, zlib.error):
        return False
    return head.lstrip(b"\r\n").startswith(b"WARC/")


def _last_bodies(fh, gz: bool) -> dict[str, tuple[int, bytes]]:
    """url → (offset, body digest) of the last page record of each url (the first pass)."""
    last: dict[str, tuple[int, bytes]] = {}
    for offset, record, body, _ in _records(fh, gz):
        url = record.rec_headers.get_header("WARC-Target-URI") if body is not None else None
        if url and body is not None and body is not TOO_LARGE:
            last[url] = (offset, _digest(body))
    return last


def _digest(body: bytes | memoryview) -> bytes:
    return hashlib.blake2b(body, digest_size=16).digest()


def iter_warc(found: Found) -> Iterator[RawInput | Skipped]:
    """Every record of an archive, in order: a page as a `RawInput`, anything else as `Skipped`."""
    uri, name = printable(found.path), printable(found.path.name)
    if found.problem:
        yield RawInput(uri, name, error=found.problem, error_detail=found.detail)
        return
    try:
        fh = open(found.path, "rb")  # noqa: SIM115 - closed below; a generator holds it while it streams
    except OSError as exc:
        yield RawInput(uri, name, error="unreadable", error_detail=f"cannot read: {exc.strerror or exc}")
        return
    with fh:
        gz = _is_gzip(fh)
        if not _starts_as_warc(fh, gz):
            detail = f"{name} does not begin with a WARC record (`WARC/1.x`): not a WARC archive"
            yield RawInput(uri, name, error="not_warc", error_detail=detail)
            return
        last = _last_bodies(fh, gz)
        any_record = False
        for offset, record, body, why in _records(fh, gz):
            any_record = True
            where = f"{uri}#offset={offset}"
            if record is None:
                detail = f"the record at byte {offset} of {name} cannot be read: {why}"
                yield RawInput(where, name, error="corrupt_record", error_detail=detail, origin=where)
                continue
            if body is None:
                yield Skipped(_kind(record) or "record")
                continue
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            if not isinstance(body, bytes):  # the TOO_LARGE marker
                detail = f"the record at byte {offset} of {name} ({url}) has a body of more than {MAX_BYTES} bytes"
                yield RawInput(where, name, error="too_large", error_detail=detail, origin=where)
                continue
            if not url:
                detail = f"the response at byte {offset} of {name} has no WARC-Target-URI"
                yield RawInput(where, name, error="no_url", error_detail=detail, origin=where)
                continue
            keep = last.get(url)
            if keep is not None and keep[0] != offset and keep[1] != _digest(body):
                detail = f"url {url} is archived again at {uri}#offset={keep[0]} with another body; the last is kept"
                yield RawInput(where, name, error="uri_conflict", error_detail=detail, origin=where)
                continue
            meta = {"url": url}
            if fetched := (record.rec_headers.get_header("WARC-Date") or "").strip():
                meta["fetched"] = fetched
            yield RawInput(url, name, data=_utf8(body, _charset(record)), metadata=meta, origin=where)
        if not any_record:
            yield RawInput(uri, name, error="empty", error_detail="the archive holds no records")
