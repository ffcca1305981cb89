"""The materialised event clusters: `derived.cluster_index`, kept equal to the events by the load.

In: an open, writable connection. Out: `derived.cluster_index` holding each event's cluster (clusters.sql
says how reports are clustered), which the view `event_cluster_members` (and through it `event_clusters`,
`event_facts`, `dyad_daily`) reads instead of running the clustering's five window passes over every event
on every read (1.9 s at 3,000 articles' worth of rows, 8.6 s at 9,000; `benchmarks/writer.py --grow`).

- `refresh_batch`: inside a batch's load transaction, after `load.sql`: recomputes the clusters of the
  date chains the batch touched (those of the replaced sources' old events and those within 2 days of a new
  event under its pair key; a cluster never crosses a chain), so a batch costs what its chains hold, not
  what the warehouse holds. A re-coded
  source's old rows leave the index with its old events, in the same transaction.
- `ensure_index`: on every writable open, creates the derived schema (derived.sql) and rebuilds the index
  whole when it does not hold exactly one row per event (a warehouse made before the index existed).
"""

from __future__ import annotations

import duckdb

from warehouse.connect import read_sql, transaction


def refresh_batch(con: duckdb.DuckDBPyConnection) -> None:
    """Re-cluster the pair keys of this batch (temp tables `replaced` and `batch_events`); in its transaction."""
    con.execute(read_sql("clusters_batch.sql"))
    con.execute(read_sql("clusters.sql"))


# The check's scans on one thread under a small memory limit: it reads every block of events and of the derived
# tables' counted columns, and without a limit they stayed cached (27 MB and a +42 MB peak at 9,000 articles'
# rows), on every writable open (each batch's load opens the warehouse); the counts need no working memory.
CHECK_MEMORY = "16MB"


def stale(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the derived tables do not account for exactly the events (by count)."""
    try:
        con.execute(f"SET memory_limit = '{CHECK_MEMORY}'")
        con.execute("SET threads = 1")
        counts = con.execute(read_sql("clusters_check.sql")).fetchall()[0]
    finally:
        con.execute("RESET memory_limit")
        con.execute("RESET threads")
    return len(set(counts)) != 1


def ensure_index(con: duckdb.DuckDBPyConnection) -> None:
    """Create the derived schema; rebuild the cluster index when it does not match the events."""
    con.execute(read_sql("derived.sql"))
    if not stale(con):
        return
    with transaction(con):
        con.execute(read_sql("clusters_all.sql"))
        con.execute(read_sql("clusters.sql"))
