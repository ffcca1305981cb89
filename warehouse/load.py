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

Memory: a load runs on one DuckDB thread under a `memory_limit` sized from what
it needs (`load_memory`: a working set per event of the batch, and the events'
primary-key index and the cluster refresh's bookkeeping per event held), so
DuckDB evicts the warehouse blocks it has read instead of caching all of them
until the connection closes: the flow's peak then stays near-flat as the
warehouse grows (docs/performance.md). Should a load still need more, DuckDB's
out-of-memory error rolls the batch back and it is loaded again with twice the
limit, then with DuckDB's own (80 % of RAM): never an error for the user.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from warehouse.clusters import refresh_batch
from warehouse.connect import WarehouseError, describe_error, read_sql, transaction

log = logging.getLogger(__name__)


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


# What a load needs from DuckDB's buffer manager, on one thread (measured with benchmarks/writer.py --probe: a
# batch of 200 articles, 9,600 events, into copies of benchmarks/memory.py's warehouses: the smallest limit that
# loads it was 64-72 MB at 48,000 events held, 96-112 MB at 432,000 and 160 MB or less at 1,440,000):
LOAD_BASE_BYTES = 32 * 2**20  # the statements' fixed working memory
LOAD_BYTES_PER_BATCH_EVENT = 3_500  # the batch's rows, temp tables and the clustering's windows
LOAD_BYTES_PER_EVENT_HELD = 95  # the events' primary-key index and the refresh's scans of the derived tables
LOAD_HEADROOM = 1.15


def load_memory(con: duckdb.DuckDBPyConnection, batch_events: int) -> int:
    """The `memory_limit` (bytes) for loading a batch of `batch_events` events into this warehouse."""
    try:
        held = con.execute(read_sql("load_size.sql")).fetchall()[0][0] or 0
    except (duckdb.Error, IndexError):
        held = 0
    need = LOAD_BASE_BYTES + LOAD_BYTES_PER_BATCH_EVENT * batch_events + LOAD_BYTES_PER_EVENT_HELD * int(held)
    return int(need * LOAD_HEADROOM)


def load_batch(con: duckdb.DuckDBPyConnection, batch: Batch, pause: float = 0.0) -> None:
    """Load one batch in one transaction. `pause` (tests only) waits that many seconds before COMMIT."""
    sources = batch.sources.with_columns(pl.lit(batch.run_id, pl.Utf8).alias("run_id"))
    events = batch.events.with_columns(pl.lit(batch.run_id, pl.Utf8).alias("run_id"))
    quarantine = batch.quarantine.with_columns(pl.lit(batch.run_id, pl.Utf8).alias("run_id"))
    names = {"new_sources": sources, "new_events": events, "new_actors": batch.actors, "new_quarantine": quarantine}
    for name, frame in names.items():
        _register(con, name, frame)
    limit = load_memory(con, events.height)
    try:
        con.execute("SET threads = 1")  # one thread: fewer buffers pinned at once, and no slower here
        for attempt in range(3):
            # the last attempt under DuckDB's own limit (80 % of RAM): a load that needs more never fails
            con.execute(f"SET memory_limit = '{limit << attempt}B'" if attempt < 2 else "RESET memory_limit")
            try:
                with transaction(con):
                    con.execute(read_sql("load.sql"))
                    refresh_batch(con)  # the clusters of the keys this batch touched, in the same transaction
                    if pause:
                        time.sleep(pause)
                break
            except duckdb.OutOfMemoryException:
                if attempt == 2:
                    raise
                mb = (limit << attempt) >> 20
                log.info("a load of %d events needed over %d MB: loading it again", events.height, mb)
    except duckdb.Error as exc:
        raise WarehouseError(describe_error(_db_path(con), exc)) from None
    finally:
        with contextlib.suppress(duckdb.Error):
            con.execute("RESET memory_limit")
            con.execute("RESET threads")
        for name in names:
            with contextlib.suppress(duckdb.Error):
                con.unregister(name)
