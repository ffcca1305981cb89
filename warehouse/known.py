"""What the warehouse already holds, read once before a run plans (no NLP).

In: an open connection. Out: `Known` — source id → (uri, extractor version),
uri → the file name of the source that holds it, the quarantine keys
(uri, stage, reason), and each input file as last read (`warehouse.files`).
SQL lives in `known_sources.sql` and `known_quarantine.sql`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from warehouse.connect import read_sql
from warehouse.files import FileRow, known_files


@dataclass
class Known:
    """What the warehouse already holds, read once before any NLP."""

    by_source: dict[str, tuple[str, str]]  # source_id → (uri, extractor_version)
    quarantined: set[tuple[str, str, str]] = field(default_factory=set)  # (uri, stage, reason)
    by_uri: dict[str, str] = field(default_factory=dict)  # uri → file_name of the source that holds it
    files: dict[str, FileRow] = field(default_factory=dict)  # path → the input file as last read


def read_known(con: duckdb.DuckDBPyConnection) -> Known:
    """Known sources, quarantine keys and input files from an open warehouse connection."""
    sources = con.execute(read_sql("known_sources.sql")).fetchall()
    quarantine = con.execute(read_sql("known_quarantine.sql")).fetchall()
    return Known(
        {s: (u, v) for s, u, v, _ in sources},
        {(u, st, r) for u, st, r in quarantine},
        {u: f for _, u, _, f in sources},
        known_files(con),
    )
