"""Validated frames → the warehouse, in one transaction per batch.

In: an open connection and a `Batch` of polars frames (sources, events,
actors, quarantine) holding whole documents. Out: the rows in DuckDB, or a
`WarehouseError` with one line (disk full, read-only file system…) and
nothing of the batch written. In one transaction `load.sql` removes every
earlier version of the batch's sources (same source_id, or same uri with other
text: a corrected file replaces its old version and events), inserts the new
rows, merges actors (aliases united, the first name kept), drops the stale
quarantine rows of inputs that load now and adds quarantine rows not seen
before (one row per uri, stage and reason, stamped when first seen); then
re-clusters the pair keys the batch touched (`warehouse/clusters.py`). A kill at
any moment leaves whole documents only. All SQL takes parameters or
registered frames; no text is ever interpolated.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from warehouse.clusters import refresh_batch
from warehouse.connect import WarehouseError, describe_error, read_sql, transaction


@dataclass
class Batch:
    sources: pl.DataFrame
    events: pl.DataFrame
    actors: pl.DataFrame
    quarantine: pl.DataFrame
    run_id: str | None = None


def _register(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    con.register(name, frame.to_arrow())


def _db_path(con: duckdb.DuckDBPyConnection) -> Path | str:
    with contextlib.suppress(duckdb.Error, IndexError):
        rows = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
        return rows[0][0]
    return "warehouse"


def load_batch(con: duckdb.DuckDBPyConnection, batch: Batch, pause: float = 0.0) -> None:
    """Load one batch in one transaction. `pause` (tests only) waits that many seconds before COMMIT."""
    sources = batch.sources.with_columns(pl.lit(batch.run_id, pl.Utf8).alias("run_id"))
    events = batch.events.with_columns(pl.lit(batch.run_id, pl.Utf8).alias("run_id"))
    quarantine = batch.quarantine.with_columns(pl.lit(batch.run_id, pl.Utf8).alias("run_id"))
    names = {"new_sources": sources, "new_events": events, "new_actors": batch.actors, "new_quarantine": quarantine}
    for name, frame in names.items():
        _register(con, name, frame)
    try:
        with transaction(con):
            con.execute(read_sql("load.sql"))
            refresh_batch(con)  # the clusters of the keys this batch touched, in the same transaction
            if pause:
                time.sleep(pause)
    except duckdb.Error as exc:
        raise WarehouseError(describe_error(_db_path(con), exc)) from None
    finally:
        for name in names:
            with contextlib.suppress(duckdb.Error):
                con.unregister(name)
