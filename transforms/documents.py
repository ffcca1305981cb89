"""The records that flow between stages.

In: nothing (plain dataclasses). Out: `RawInput` (bytes from a file, made by the
flow), `Document` (cleaned text + metadata, made by `transforms.parse`) and
`Rejection` (an input or row that goes to the `quarantine` table, with why).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

DATE_SOURCES = ("metadata", "text", "fetched")  # where a published_date comes from (Document.date_source)


@dataclass(frozen=True)
class RawInput:
    """One input as the flow found it: where it is and its bytes (or why none)."""

    uri: str
    file_name: str
    data: bytes | None = None
    error: str | None = None  # machine-readable reason when the bytes could not be had
    error_detail: str | None = None
    metadata: dict = field(default_factory=dict)  # title/url/published/outlet/author from a feed
    origin: str | None = None  # where it came from: the file, or `<feed>#L<n>` for a feed line (default: uri)


@dataclass(frozen=True)
class Document:
    """A cleaned article: `text` is what every offset in the warehouse refers to."""

    source_id: str
    uri: str
    file_name: str
    text: str
    title: str | None = None
    outlet: str | None = None
    published_date: date | None = None
    date_source: str | None = None  # where published_date comes from: metadata, text, fetched (None: no date)
    author: str | None = None
    body_start: int = 0  # offset where the body begins (after headline / date line)
    origin: str | None = None  # the file it came from, or `<feed>#L<n>` (RawInput.origin); default: uri

    @property
    def content_sha256(self) -> str:
        return sha256_text(self.text)


@dataclass(frozen=True)
class Rejection:
    """Why an input or a row did not make it into the star schema."""

    uri: str
    stage: str  # read, parse, extract, validate, load
    reason: str  # short machine-readable reason
    detail: str | None = None


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stable_id(*parts: object, length: int = 16) -> str:
    """A short id derived from content only: same parts, same id, on any machine."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:length]
