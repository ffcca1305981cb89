"""What a run has to do, decided before any NLP (and, from the CLI, before any flow starts).

In: the `Found` files of a run, what the warehouse already holds (`Known`:
source id → uri and extractor version, and the quarantine keys) and the
current extractor version. Out: a `Plan` — the files holding new work (a new
or corrected text, a source coded by an older extractor version, an input or
duplicate not yet quarantined), the count of unchanged documents skipped and
the reasons of inputs that stay quarantined. Reading and cleaning every file
is cheap (~1 ms each); NLP is not, so only the plan's files go on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flows.discover import Found, printable
from flows.feeds import is_feed, read_inputs
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


def _file_of(doc: Document) -> str:
    """The file a document came from (a feed line's origin is `<feed>#L<n>`)."""
    origin = doc.origin or doc.uri
    return origin.rsplit("#L", 1)[0] if doc.origin and doc.origin != doc.uri else origin


def read_documents(found: list[Found], max_chars: int = MAX_CHARS) -> tuple[list[Document], list[Rejection]]:
    """Read and clean files: every article they hold (one per line for a feed), or why not."""
    docs, rejections = [], []
    for f in found:
        for raw in read_inputs(f):
            parsed = parse_document(raw, max_chars)
            (docs if isinstance(parsed, Document) else rejections).append(parsed)
    return docs, rejections


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
        if line and owner is None and held_name is not None and held_name != d.file_name:
            owner = f"the loaded source from {held_name}"
        if owner is not None and owner != origin_file:
            detail = f"{d.origin or d.uri} gives uri {d.uri}, which belongs to {owner}: not replaced"
            rejections.append(Rejection(d.origin or d.uri, "parse", "uri_conflict", detail))
            continue
        owners[d.uri] = origin_file
        first = claimed.get(d.source_id)
        held = known.by_source.get(d.source_id)
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

    @property
    def nothing_to_do(self) -> bool:
        return not self.todo_files


def plan_run(found: list[Found], known: Known, version: str, max_chars: int = MAX_CHARS) -> Plan:
    """Read and clean every file; keep the files that hold something the warehouse lacks."""
    plan = Plan(files_seen=len(found))
    claimed: dict[str, str] = {}
    owners = file_owners(found)
    for f in found:
        docs, rejections = read_documents([f], max_chars)
        todo, skipped, dups = triage(docs, known, version, claimed, owners)
        rejections += dups
        new = [r for r in rejections if (r.uri, r.stage, r.reason) not in known.quarantined]
        plan.skipped += skipped
        if todo or new:
            plan.todo_files.append(f)
            plan.todo_documents += len(todo)
            plan.new_rejections += len(new)
        else:
            plan.quarantined_before.update(r.reason for r in rejections)
    return plan
