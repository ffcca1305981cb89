"""What a run has to do, decided before any NLP (and, from the CLI, before any flow starts).

In: the `Found` files of a run, what the warehouse already holds (`Known`:
source id → uri and extractor version, and the quarantine keys) and the
current extractor version. Out: a `Plan` — the files holding new work (a new
or corrected text, a source coded by an older extractor version, an input or
duplicate not yet quarantined), the count of unchanged documents skipped and
the reasons of inputs that stay quarantined. Reading and cleaning every file
is cheap (~1 ms each; a web page ~5-15 ms through trafilatura); NLP is not, so
only the plan's files go on. Files are read as streams of documents
(`iter_documents`, `read_chunks`): a WARC archive is never held whole, and the
plan counts the archive records that are not pages (`Plan.records_skipped`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from flows.discover import Found, printable
from flows.feeds import is_feed, iter_inputs
from flows.warc import Skipped
from transforms.clean import MAX_CHARS
from transforms.documents import Document, Rejection
from transforms.parse import parse_document


@dataclass
class Known:
    """What the warehouse already holds, read once before any NLP."""

    by_source: dict[str, tuple[str, str]]  # source_id → (uri, extractor_version)
    quarantined: set[tuple[str, str, str]] = field(default_factory=set)  # (uri, stage, reason)
    by_uri: dict[str, str] = field(default_factory=dict)  # uri → file_name of the source that holds it


def read_known(con) -> Known:
    """Known sources and quarantine keys from an open warehouse connection."""
    sources = con.sql("SELECT source_id, uri, extractor_version, file_name FROM sources").fetchall()
    quarantine = con.sql("SELECT uri, stage, reason FROM quarantine").fetchall()
    by_uri = {u: f for _, u, _, f in sources}
    return Known({s: (u, v) for s, u, v, _ in sources}, {tuple(r) for r in quarantine}, by_uri)


def file_owners(found: list[Found]) -> dict[str, str]:
    """uri → owner for the run's plain files: a file owns its own path, whatever feed line claims it first."""
    return {printable(f.path): printable(f.path) for f in found if not f.problem and not is_feed(f)}


_PART = re.compile(r"#(?:L\d+|item\d+|offset=\d+)$")  # a JSON Lines line, a feed item, an archive record


def _file_of(doc: Document) -> str:
    """The file a document came from (a feed line's origin is `<feed>#L<n>`, an RSS item's `<feed>#item<n>`,
    an archived page's `<archive>#offset=<n>`)."""
    origin = doc.origin or doc.uri
    return _PART.sub("", origin) if doc.origin and doc.origin != doc.uri else origin


def iter_documents(
    found: list[Found], max_chars: int = MAX_CHARS, skipped: Counter | None = None
) -> Iterator[Document | Rejection]:
    """Every article the files hold, read and cleaned, or why not, one at a time (an archive is streamed);
    the archive records that are not pages are counted in `skipped` by kind."""
    for f in found:
        for raw in iter_inputs(f):
            if isinstance(raw, Skipped):
                if skipped is not None:
                    skipped[raw.kind] += 1
                continue
            yield parse_document(raw, max_chars)


def read_documents(
    found: list[Found], max_chars: int = MAX_CHARS, skipped: Counter | None = None
) -> tuple[list[Document], list[Rejection]]:
    """Read and clean files: every article they hold (one per line for a feed), or why not."""
    docs, rejections = [], []
    for parsed in iter_documents(found, max_chars, skipped):
        (docs if isinstance(parsed, Document) else rejections).append(parsed)
    return docs, rejections


def read_chunks(
    found: list[Found], size: int, max_chars: int = MAX_CHARS
) -> Iterator[tuple[list[Document], list[Rejection]]]:
    """`read_documents` in pieces of at most `size` documents (with the rejections met on the way), so that
    a large archive is never held whole."""
    docs: list[Document] = []
    rejections: list[Rejection] = []
    for parsed in iter_documents(found, max_chars):
        if isinstance(parsed, Document):
            docs.append(parsed)
        else:
            rejections.append(parsed)
        if len(docs) >= size or len(rejections) >= size:
            yield docs, rejections
            docs, rejections = [], []
    if docs or rejections:
        yield docs, rejections


def triage(
    docs: list[Document], known: Known, version: str, claimed: dict[str, str], owners: dict[str, str] | None = None
) -> tuple[list[Document], int, list[Rejection]]:
    """Split parsed documents into new work, unchanged ones (skipped) and duplicates (quarantined).

    `claimed` maps the source ids met earlier in this run to their uri; it is updated. A source's identity
    is its uri plus where it came from: a document may replace the source at its uri only when it comes
    from the same file (a corrected file, a corrected feed line); a feed line whose url is the uri of a
    source from another file (or of another feed's line) is quarantined `uri_conflict` under its own line,
    naming both. `owners` (uri → the file that first gave it in this run) is updated.
    """
    owners = {} if owners is None else owners
    todo, skipped, rejections = [], 0, []
    for d in docs:
        origin_file = _file_of(d)
        owner = owners.get(d.uri)
        held_name = known.by_uri.get(d.uri)
        line = d.origin is not None and d.origin != d.uri  # a feed line (a file's uri is its own path)
        held = known.by_source.get(d.source_id)
        if line and held == (d.uri, version) and claimed.get(d.source_id) in (None, d.uri):
            claimed[d.source_id] = d.uri  # the same item or page again (a feed fetched again): nothing new
            skipped += 1
            continue
        if line and owner is None and held_name is not None and held_name != d.file_name:
            owner = f"the loaded source from {held_name}"
        if owner is not None and owner != origin_file:
            detail = f"{d.origin or d.uri} gives uri {d.uri}, which belongs to {owner}: not replaced"
            rejections.append(Rejection(d.origin or d.uri, "parse", "uri_conflict", detail))
            continue
        owners[d.uri] = origin_file
        first = claimed.get(d.source_id)
        other = first if first not in (None, d.uri) else (held[0] if held and held[0] != d.uri else None)
        if other is not None:
            rejections.append(Rejection(d.uri, "parse", "duplicate", f"same text as source {d.source_id} ({other})"))
            continue
        claimed[d.source_id] = d.uri
        if held and held[1] == version:
            skipped += 1
            continue
        todo.append(d)
    return todo, skipped, rejections


@dataclass
class Plan:
    files_seen: int = 0
    todo_files: list[Found] = field(default_factory=list)
    todo_documents: int = 0  # documents to code (new, corrected, or coded by an older extractor)
    new_rejections: int = 0  # inputs to quarantine that are not there yet
    skipped: int = 0  # unchanged documents
    quarantined_before: Counter = field(default_factory=Counter)  # reasons of inputs already in quarantine
    records_skipped: Counter = field(default_factory=Counter)  # archive records that are not pages, by kind

    @property
    def nothing_to_do(self) -> bool:
        return not self.todo_files


def plan_run(found: list[Found], known: Known, version: str, max_chars: int = MAX_CHARS) -> Plan:
    """Read and clean every file; keep the files that hold something the warehouse lacks."""
    plan = Plan(files_seen=len(found))
    claimed: dict[str, str] = {}
    owners = file_owners(found)
    for f in found:
        n_todo, n_new, before = 0, 0, Counter()
        for docs, rejections in _chunks(iter_documents([f], max_chars, plan.records_skipped)):
            todo, skipped, dups = triage(docs, known, version, claimed, owners)
            rejections += dups
            new = [r for r in rejections if (r.uri, r.stage, r.reason) not in known.quarantined]
            plan.skipped += skipped
            n_todo, n_new = n_todo + len(todo), n_new + len(new)
            before.update(r.reason for r in rejections)
        if n_todo or n_new:
            plan.todo_files.append(f)
            plan.todo_documents += n_todo
            plan.new_rejections += n_new
        else:
            plan.quarantined_before.update(before)
    return plan


def _chunks(parsed: Iterator[Document | Rejection], size: int = 256) -> Iterator[tuple[list, list]]:
    docs: list[Document] = []
    rejections: list[Rejection] = []
    for p in parsed:
        (docs if isinstance(p, Document) else rejections).append(p)
        if len(docs) + len(rejections) >= size:
            yield docs, rejections
            docs, rejections = [], []
    yield docs, rejections
