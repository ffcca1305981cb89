"""The `input_files` table: what each input file held when it was last read.

In: an open connection. Out: `known_files` — path → `FileRow` (size, mtime in
ns, digest of the bytes, extractor version, documents, inputs in quarantine
by reason, archive records that are not pages by kind), read once before
planning; `record_files` — writes the rows of files a finished run handled,
keeping only those whose documents are all loaded by the current extractor
version (a document that failed extraction or validation keeps its file
unrecorded, so the next run reads it again), in one transaction. SQL lives in
`files_*.sql`; nothing is interpolated.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from dataclasses import dataclass, field

import duckdb
import polars as pl

from warehouse.connect import WarehouseError, describe_error, read_sql, transaction


@dataclass(frozen=True, slots=True)  # no __dict__: one per input file, for the whole run
class FileRow:
    path: str
    size: int
    mtime_ns: int
    sha256: str
    extractor_version: str
    documents: int = 0  # documents of the file held in the warehouse (loaded or unchanged)
    quarantined: Counter = field(default_factory=Counter)  # its inputs in quarantine, by reason
    records_skipped: Counter = field(default_factory=Counter)  # its archive records that are not pages
    source_ids: tuple[str, ...] = ()  # its documents' source ids, each once (only when recording; a tuple of one
    # id is 48 B where a frozenset is 216: one row per file for the whole run)


def _counter(entries) -> Counter:
    return Counter({e["key"]: int(e["value"]) for e in entries}) if entries else Counter()


def known_files(con: duckdb.DuckDBPyConnection) -> dict[str, FileRow]:
    """Every input file as last read, by path."""
    rows = con.execute(read_sql("files_known.sql")).fetchall()
    return {
        p: FileRow(p, size, mtime, sha, version, docs, _counter(q), _counter(r))
        for p, size, mtime, sha, version, docs, q, r in rows
    }


# The buffer pool of `record_files`: 9,000 files' rows recorded into a warehouse of 9,000 articles peaked 43 MB
# above the open connection without a limit, 15 MB with this one (benchmarks/memory.py's end-of-run figures)
RECORD_MEMORY = "32MB"

_ENTRIES = pl.List(pl.Struct({"key": pl.Utf8, "value": pl.Int32}))


def _entries(counts: Counter) -> list[dict]:
    return [{"key": k, "value": int(v)} for k, v in sorted(counts.items())]


def record_files(con: duckdb.DuckDBPyConnection, files: list[FileRow], version: str, run_id: str | None) -> int:
    """Write the rows of `files` whose source ids are all loaded by `version`; returns how many."""
    if not files:
        return 0
    pairs = pl.DataFrame(
        {"path": [f.path for f in files for _ in f.source_ids], "source_id": [s for f in files for s in f.source_ids]},
        schema={"path": pl.Utf8, "source_id": pl.Utf8},
    )
    new = None
    try:
        # one thread under a bounded buffer pool, as a load (warehouse/load.py): the lookup of the files' sources
        # and the insert need little, and the blocks they read are evicted instead of cached until the close
        con.execute(f"SET memory_limit = '{RECORD_MEMORY}'")
        con.execute("SET threads = 1")
        con.register("file_sources", pairs.to_arrow())
        incomplete = {p for (p,) in con.execute(read_sql("files_incomplete.sql"), {"version": version}).fetchall()}
        done = [f for f in files if f.path not in incomplete]
        if not done:
            return 0
        new = pl.DataFrame(
            {
                "path": [f.path for f in done],
                "size_bytes": [f.size for f in done],
                "mtime_ns": [f.mtime_ns for f in done],
                "content_sha256": [f.sha256 for f in done],
                "extractor_version": [version] * len(done),
                "documents": [f.documents for f in done],
                "quarantined": [_entries(f.quarantined) for f in done],
                "records_skipped": [_entries(f.records_skipped) for f in done],
                "run_id": [run_id] * len(done),
            },
            schema={
                "path": pl.Utf8,
                "size_bytes": pl.Int64,
                "mtime_ns": pl.Int64,
                "content_sha256": pl.Utf8,
                "extractor_version": pl.Utf8,
                "documents": pl.Int32,
                "quarantined": _ENTRIES,
                "records_skipped": _ENTRIES,
                "run_id": pl.Utf8,
            },
        )
        con.register("new_files", new.to_arrow())
        with transaction(con):
            con.execute(read_sql("files_record.sql"))
        return len(done)
    except duckdb.Error as exc:
        raise WarehouseError(describe_error("the warehouse", exc)) from None
    finally:
        for reset in ("RESET memory_limit", "RESET threads"):
            with contextlib.suppress(duckdb.Error):
                con.execute(reset)
        for name in ("file_sources", "new_files"):
            with contextlib.suppress(duckdb.Error):
                con.unregister(name)
