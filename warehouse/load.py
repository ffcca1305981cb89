"""Validated frames → the warehouse, in one transaction per batch.

In: an open connection and a `Batch` of polars frames (sources, events,
actors, quarantine) holding whole documents. Out: the rows in DuckDB. In one
transaction it removes every earlier version of the batch's sources (same
source_id, or same uri with other text: a corrected file replaces its old
version and events), inserts the new rows, merges actors (aliases united,
the first name kept) and adds quarantine rows not seen before (one row per
uri, stage and reason, stamped when first seen). A kill at any moment leaves
whole documents only. All SQL takes parameters or registered frames; no text
is ever interpolated.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import duckdb
import polars as pl

from warehouse.connect import read_sql


@dataclass
class Batch:
    sources: pl.DataFrame
    events: pl.DataFrame
    actors: pl.DataFrame
    quarantine: pl.DataFrame
    run_id: str | None = None


def loaded_sources(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """source_id, uri, content_sha256 and extractor_version of what the warehouse holds."""
    return con.sql("SELECT source_id, uri, content_sha256, extractor_version FROM sources").pl()


def _register(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    con.register(name, frame.to_arrow())


def load_batch(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    sources = batch.sources.with_columns(pl.lit(batch.run_id, pl.Utf8).alias("run_id"))
    events = batch.events.with_columns(pl.lit(batch.run_id, pl.Utf8).alias("run_id"))
    quarantine = batch.quarantine.with_columns(pl.lit(batch.run_id, pl.Utf8).alias("run_id"))
    names = {"new_sources": sources, "new_events": events, "new_actors": batch.actors, "new_quarantine": quarantine}
    for name, frame in names.items():
        _register(con, name, frame)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(read_sql("load.sql"))
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    finally:
        for name in names:
            con.unregister(name)
