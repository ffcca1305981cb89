"""The `runs` table: one lineage row per finished run, and the warehouse's totals after it.

In: an open connection and the run's figures. Out: its row in `runs`
(`record_run`, runs_insert.sql, values as parameters) and the rows the
warehouse holds now (`totals`, totals.sql: sources, events, actors,
quarantined inputs, runs).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

import duckdb

from warehouse.connect import read_sql


@dataclass(frozen=True)
class RunRow:
    run_id: str
    flow_run_id: str | None
    extractor_version: str | None
    started_at: datetime
    finished_at: datetime
    files_seen: int
    sources_loaded: int
    sources_skipped: int
    quarantined: int
    events: int


def record_run(con: duckdb.DuckDBPyConnection, row: RunRow) -> None:
    con.execute(read_sql("runs_insert.sql"), asdict(row))


def totals(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows in the warehouse now: sources, events, actors, quarantined inputs, runs."""
    cur = con.execute(read_sql("totals.sql"))
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    assert row is not None  # totals.sql returns one row
    return dict(zip(names, (int(v) for v in row), strict=True))
