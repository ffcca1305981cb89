"""What a run has to do, decided before any NLP (and, from the CLI, before any flow starts).

In: the `Found` files of a run, what the warehouse already holds
(`warehouse.known.Known`: source id → uri and extractor version, the
quarantine keys, and each input file as last read: `input_files`) and the
current extractor version. Out: a
`Plan` — the files holding new work (a new or corrected text, a source coded
by an older extractor version, an input or duplicate not yet quarantined),
the count of unchanged documents skipped, the reasons of inputs that stay
quarantined, the lines a newer file supersedes, and the file rows to write
once the run has loaded them (`record_files`). A file whose size and mtime
match its row (same extractor version) costs one stat and is not read; one
whose size or mtime changed is hashed, and read only when its bytes changed.
Reading and cleaning cost ~2 ms of CPU a 4 KB article, a web page ~5-28 ms
through trafilatura; NLP far more, so only the plan's files go on, and what
the plan read of them is kept for the flow (`Plan.kept`, up to `KEEP_CHARS`
characters of text): each file is read and cleaned once per run, and the
flow codes the bytes the plan hashed. Files are read as streams of documents
(`iter_documents`, `read_chunks`): a WARC archive is never held whole, and the
plan counts the archive records that are not pages (`Plan.records_skipped`).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from flows.discover import Found, printable
from flows.feeds import is_feed, iter_inputs
from flows.warc import Skipped
from transforms.clean import MAX_CHARS
from transforms.documents import Document, Rejection
from transforms.parse import parse_document
from warehouse.connect import connect
from warehouse.files import FileRow
from warehouse.files import record_files as write_files
from warehouse.known import Known, read_known  # noqa: F401 - read_known: the benchmarks plan from here


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
    docs: list[Document] = []
    rejections: list[Rejection] = []
    for parsed in iter_documents(found, max_chars, skipped):
        if isinstance(parsed, Document):
            docs.append(parsed)
        else:
            rejections.append(parsed)
    return docs, rejections


def read_chunks(
    found: list[Found], size: int, max_chars: int = MAX_CHARS, kept: dict[Found, list] | None = None
) -> Iterator[tuple[list[Document], list[Rejection]]]:
    """`read_documents` in pieces of at most `size` documents (with the rejections met on the way), so that
    a large archive is never held whole. `kept` (`Plan.kept`): what the plan read of a file already, in
    order; taken from there (and let go of) instead of reading and cleaning the file again."""
    docs: list[Document] = []
    rejections: list[Rejection] = []
    for parsed in _parsed(found, max_chars, kept):
        if isinstance(parsed, Document):
            docs.append(parsed)
        else:
            rejections.append(parsed)
        if len(docs) >= size or len(rejections) >= size:
            yield docs, rejections
            docs, rejections = [], []
    if docs or rejections:
        yield docs, rejections


def _parsed(found: list[Found], max_chars: int, kept: dict[Found, list] | None) -> Iterator[Document | Rejection]:
    for f in found:
        held = kept.pop(f, None) if kept else None
        yield from held if held is not None else iter_documents([f], max_chars)


def triage(
    docs: list[Document],
    known: Known,
    version: str,
    claimed: dict[str, str],
    owners: dict[str, str] | None = None,
    superseded: dict[str, str] | None = None,
) -> tuple[list[Document], int, list[Rejection]]:
    """Split parsed documents into new work, unchanged ones (skipped) and duplicates (quarantined).

    `claimed` maps the source ids met earlier in this run to their uri; it is updated. A feed item or
    archived page (a "line") seen again with the same url and text is skipped; one with a new text
    replaces the source at its url, from whatever file it comes (a correction), unless the run's plan
    found a newer text for that url in a more recently modified file: `superseded` maps such a line's
    origin to the winner's, and the line is quarantined `superseded`. A line never replaces a plain
    file's source (its uri is a path, not a url): that is `uri_conflict`, naming both. `owners`
    (uri → the file that first gave it in this run) is updated.
    """
    owners = {} if owners is None else owners
    superseded = superseded or {}
    todo, skipped, rejections = [], 0, []
    for d in docs:
        origin_file = _file_of(d)
        owner = owners.get(d.uri)
        held_name = known.by_uri.get(d.uri)
        line = d.origin is not None and d.origin != d.uri  # a feed line (a file's uri is its own path)
        held = known.by_source.get(d.source_id)
        if line and d.origin in superseded:
            newer = superseded[d.origin]
            detail = f"{d.origin} gives url {d.uri}; {newer}, in a more recently modified file, replaces it"
            rejections.append(Rejection(d.origin, "parse", "superseded", detail))
            continue
        again = claimed.get(d.source_id)
        if line and ((held == (d.uri, version) and again in (None, d.uri)) or again == d.uri):
            claimed[d.source_id] = d.uri  # the same item or page again (a feed fetched again): nothing new
            skipped += 1
            continue
        if line and owner is None and held_name is not None and held_name != d.file_name and not _is_url(d.uri):
            owner = f"the loaded source from {held_name}"
        if owner is not None and owner != origin_file and (not line or not _is_url(d.uri)):
            detail = f"{d.origin or d.uri} gives uri {d.uri}, which belongs to {owner}: not replaced"
            rejections.append(Rejection(d.origin or d.uri, "parse", "uri_conflict", detail))
            continue
        owners.setdefault(d.uri, origin_file)
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


def _is_url(uri: str) -> bool:
    return "://" in uri


@dataclass
class Plan:
    files_seen: int = 0
    todo_files: list[Found] = field(default_factory=list)
    todo_documents: int = 0  # documents to code (new, corrected, or coded by an older extractor)
    new_rejections: int = 0  # inputs to quarantine that are not there yet
    skipped: int = 0  # unchanged documents
    quarantined_before: Counter = field(default_factory=Counter)  # reasons of inputs already in quarantine
    records_skipped: Counter = field(default_factory=Counter)  # archive records that are not pages, by kind
    files_unread: int = 0  # files known unchanged by their size, mtime (or digest): not read
    files: list[FileRow] = field(default_factory=list)  # rows to write once the run has loaded them
    superseded: dict[str, str] = field(default_factory=dict)  # a line's origin → the newer line that wins
    # what the plan read of its files to code, in order (documents and rejections), up to KEEP_CHARS
    # characters of text: `read_chunks` takes them from here instead of reading and cleaning them again
    kept: dict[Found, list] = field(default_factory=dict)

    @property
    def nothing_to_do(self) -> bool:
        return not self.todo_files


def _stat(f: Found) -> os.stat_result | None:
    if f.problem:
        return None
    try:
        st = os.stat(f.path)
    except OSError:
        return None
    return st if stat.S_ISREG(st.st_mode) else None


def file_digest(path: Path, chunk: int = 1 << 20) -> str | None:
    """sha256 of a file's bytes, read in pieces (an archive never sits in memory); None when unreadable."""
    h = hashlib.sha256()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        while block := os.read(fd, chunk):
            h.update(block)
    except OSError:
        return None
    finally:
        os.close(fd)
    return h.hexdigest()


# Text the plan keeps for the flow (Plan.kept), in characters: ~900 articles of 4.5 KB. Past it, files are
# read again when coded (~2 ms of CPU a 4 KB article); the flow lets go of each file's documents as it batches
# them. Kept small because what the kept documents held stays in the flow's heap after they are let go (glibc
# does not give the scattered pieces back): 16 M characters left the flow ~26 MB larger for the whole of a
# 9,000-article run than 4 M (the plan of 9,000 synthetic articles: +120 against +94 MB; docs/performance.md)
KEEP_CHARS = 4_000_000


@dataclass
class _FileWork:
    """One file's tally while planning, settled once every file is read (a later file may supersede)."""

    found: Found
    row: FileRow | None
    todo: set[str] = field(default_factory=set)  # origins of its documents to code
    held: dict[str, str] = field(default_factory=dict)  # origin → source id of its documents held after the run
    rejections: list[Rejection] = field(default_factory=list)
    records: Counter = field(default_factory=Counter)
    parsed: list | None = None  # what was read, in order, while the plan may keep it (KEEP_CHARS)


def plan_run(
    found: list[Found], known: Known, version: str, max_chars: int = MAX_CHARS, keep_chars: int = KEEP_CHARS
) -> Plan:
    """Keep the files that hold something the warehouse lacks. A file whose size and mtime match its
    `input_files` row, coded by this extractor version, costs one stat; one whose size or mtime changed
    is hashed, and read only when its bytes changed (or the extractor version did). Two files giving
    one url with different texts: the line of the more recently modified file wins (`superseded`).
    What was read of the files to code is kept (`Plan.kept`, up to `keep_chars` characters of text), so
    each is read and cleaned once per run."""
    plan = Plan(files_seen=len(found))
    keeping = _Keeping(keep_chars)
    claimed: dict[str, str] = {}
    owners = file_owners(found)
    works: list[_FileWork] = []
    lines: dict[str, tuple[tuple, str, str]] = {}  # url → (newest key, its origin, its source id)
    losers: dict[str, tuple[tuple, str]] = {}  # origin → (its key, url) of lines with another text at the url
    for i, f in enumerate(found):
        st = _stat(f)
        path = printable(f.path)
        old = known.files.get(path)
        if old and st and (old.size, old.mtime_ns, old.extractor_version) == (st.st_size, st.st_mtime_ns, version):
            _unchanged(plan, old)
            continue
        digest = file_digest(f.path) if st else None
        if st and old and digest == old.sha256 and old.extractor_version == version:  # touched, not changed
            _unchanged(plan, old)
            plan.files.append(replace(old, size=st.st_size, mtime_ns=st.st_mtime_ns))
            continue
        row = FileRow(path, st.st_size, st.st_mtime_ns, digest, version) if st and digest else None
        work = keeping.start(f, row)
        position = 0
        for docs, rejections in _chunks(keeping.read(iter_documents([f], max_chars, work.records), work)):
            todo, _, dups = triage(docs, known, version, claimed, owners)
            todo_ids = {id(d) for d in todo}
            for d in docs:
                position += 1
                accepted = claimed.get(d.source_id) == d.uri  # to code, or unchanged (not a duplicate)
                if id(d) in todo_ids:
                    work.todo.add(d.origin or d.uri)
                if accepted:
                    work.held[d.origin or d.uri] = d.source_id
                if accepted and d.origin is not None and d.origin != d.uri:
                    key = (st.st_mtime_ns if st else 0, i, position)
                    _race(lines, losers, d, key)
            work.rejections += rejections + dups
        works.append(work)
    for origin, (_, url) in losers.items():
        plan.superseded[origin] = lines[url][1]
    for work in works:
        _settle(plan, work, known)
    return plan


class _Keeping:
    """Keeps what the plan reads (`_FileWork.parsed`) while the text kept stays within a budget of characters;
    past it, the file being read and every later one keep nothing (a large archive is never held whole)."""

    def __init__(self, chars: int) -> None:
        self.room = chars

    def start(self, found: Found, row: FileRow | None) -> _FileWork:
        return _FileWork(found, row, parsed=[] if self.room > 0 else None)

    def read(self, parsed: Iterator[Document | Rejection], work: _FileWork) -> Iterator[Document | Rejection]:
        for p in parsed:
            if work.parsed is not None:
                self.room -= len(p.text) if isinstance(p, Document) else 0
                if self.room < 0:
                    work.parsed = None
                else:
                    work.parsed.append(p)
            yield p


def _race(lines: dict, losers: dict, d: Document, key: tuple) -> None:
    """Keep the newest text per url; an older line with another text loses (the same text is no rival)."""
    best = lines.get(d.uri)
    if best is None:
        lines[d.uri] = (key, d.origin, d.source_id)
        return
    if best[2] == d.source_id:
        return
    if key > best[0]:
        losers[best[1]] = (best[0], d.uri)
        lines[d.uri] = (key, d.origin, d.source_id)
    else:
        losers[d.origin] = (key, d.uri)


def _unchanged(plan: Plan, row: FileRow) -> None:
    plan.files_unread += 1
    plan.skipped += row.documents
    plan.quarantined_before.update(row.quarantined)
    plan.records_skipped.update(row.records_skipped)


def _settle(plan: Plan, work: _FileWork, known: Known) -> None:
    """One file's part of the plan, once the run's superseded lines are known."""
    rejections = list(work.rejections)
    for origin in [o for o in work.held if o in plan.superseded]:
        del work.held[origin]
        work.todo.discard(origin)
        detail = f"{origin}: {plan.superseded[origin]}, in a more recently modified file, replaces it"
        rejections.append(Rejection(origin, "parse", "superseded", detail))
    new = [r for r in rejections if (r.uri, r.stage, r.reason) not in known.quarantined]
    plan.records_skipped.update(work.records)
    plan.skipped += len(work.held) - len(work.todo)
    if work.todo or new:
        plan.todo_files.append(work.found)
        if work.parsed is not None:
            plan.kept[work.found] = work.parsed
        plan.todo_documents += len(work.todo)
        plan.new_rejections += len(new)
    else:
        plan.quarantined_before.update(r.reason for r in rejections)
    if work.row is not None:
        reasons = Counter(r.reason for r in rejections)
        plan.files.append(
            replace(
                work.row,
                documents=len(work.held),
                quarantined=reasons,
                records_skipped=work.records,
                source_ids=tuple(dict.fromkeys(work.held.values())),
            )
        )


def record_files(db_path: Path, lock_timeout: float, plan: Plan, version: str, run_id: str | None) -> int:
    """After a run has loaded everything: remember the files it read (`warehouse.files.record_files`)."""
    if not plan.files:
        return 0
    con = connect(db_path, lock_timeout)
    try:
        return write_files(con, plan.files, version, run_id)
    finally:
        con.close()


def _chunks(parsed: Iterator[Document | Rejection], size: int = 256) -> Iterator[tuple[list, list]]:
    docs: list[Document] = []
    rejections: list[Rejection] = []
    for p in parsed:
        if isinstance(p, Document):
            docs.append(p)
        else:
            rejections.append(p)
        if len(docs) + len(rejections) >= size:
            yield docs, rejections
            docs, rejections = [], []
    yield docs, rejections
