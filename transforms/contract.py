"""The warehouse contract, declared once: every table's columns with type, nullability, allowed values, meaning.

In: nothing (a declaration) — the allowed values are taken from where they
are declared (the PLOVER types, statuses, date precisions and actor types in
`transforms/plover.py`, the sector codes in `dictionaries/groups.yaml`, the
date sources in `transforms/documents.py`). Out, produced from it:
`polars_schema(table)` (the batch frames of `transforms/rows.py`),
`ddl()` (the text of `warehouse/schema.sql`, held equal to it by a test),
`column_expectations(table)` (the Great Expectations column checks the suites
of `expectations/suites/` run before their own derived checks) and
`markdown()` (docs/contract.md). The load (`warehouse/load.sql`) inserts the
frames by column name, so it lists no columns.

Adding a column: one `Column` here, a migration `warehouse/migrations/NNN_*.sql`
(the schema version is the latest migration's number), then
`uv run python examples/readme.py` regenerates schema.sql and docs/contract.md.
Its producer (a `Document` field, a key of `extract.py`'s event dicts) fills it.

This lives in `transforms/` because everything imports `transforms` and it
imports nothing back: the warehouse and the expectations read the contract
from here without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl
import yaml

from transforms.documents import DATE_SOURCES
from transforms.plover import ACTOR_TYPES, DATE_PRECISIONS, EVENT_TYPES, PLOVER, STATUSES

_GROUPS = Path(__file__).parent / "dictionaries" / "groups.yaml"


@cache
def sector_codes() -> tuple[str, ...]:
    """The sector codes an actor may carry, as `groups.yaml` declares them (`sector_codes`)."""
    return tuple(str(c).upper() for c in yaml.safe_load(_GROUPS.read_text(encoding="utf-8"))["sector_codes"])


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # the DuckDB type
    meaning: str
    nullable: bool = True
    values: tuple | None = None  # the allowed values (a null is allowed when the column is nullable)
    regex: str | None = None  # a value must match it
    minimum: float | None = None
    maximum: float | None = None
    frame: bool = True  # carried by the batch frames (False: the load or the database fills it)
    default: str | None = None  # an SQL default
    since: int = 1  # the schema version that added it


@dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # the primary key
    checks: str | None = None  # level of the column checks (row/table; keys are always table); None: not checked
    indexes: tuple[tuple[str, str], ...] = ()  # (index name, column)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


ISO3 = "^[A-Z]{3}$"

TABLES: tuple[Table, ...] = (
    Table(
        "schema_version",
        "the schema versions this warehouse went through (warehouse/connect.py)",
        (
            Column("version", "INTEGER", "a schema version", nullable=False),
            Column("applied_at", "TIMESTAMP", "when it was applied", nullable=False, default="current_timestamp"),
        ),
    ),
    Table(
        "sources",
        "one cleaned input text (dimension)",
        (
            Column("source_id", "VARCHAR", "derived from the content: the same text is the same source"),
            Column("uri", "VARCHAR", "the input file's absolute path, or its URL", nullable=False),
            Column("file_name", "VARCHAR", "the base name of the input file", nullable=False),
            Column("title", "VARCHAR", "the headline, where the text or its metadata gives one"),
            Column("outlet", "VARCHAR", "the publisher, where the text or its metadata names one"),
            Column("published_date", "DATE", "when it was published"),
            Column("content_sha256", "VARCHAR", "sha256 of the cleaned text", nullable=False, regex="^[0-9a-f]{64}$"),
            Column("text", "VARCHAR", "the cleaned text that every offset refers to", nullable=False),
            Column("extractor_version", "VARCHAR", "the extractor version that coded it (transforms/version.py)"),
            Column("run_id", "VARCHAR", "the run that loaded it (→ runs.run_id)", frame=False),
            Column("loaded_at", "TIMESTAMP", "when it was loaded", frame=False),
            Column(
                "date_source",
                "VARCHAR",
                "where published_date comes from: metadata, text, fetched; null when there is no date",
                values=DATE_SOURCES,
                since=5,
            ),
            Column("author", "VARCHAR", 'the byline as given (several authors joined by ", ")', since=5),
        ),
        key=("source_id",),
        checks="row",
        indexes=(("sources_uri_idx", "uri"),),
    ),
    Table(
        "actors",
        "one canonical actor (dimension); from the dictionaries and the extractor, so every check is table-level",
        (
            Column("actor_id", "VARCHAR", "stable: the same canonical actor keeps its id"),
            Column("name", "VARCHAR", "the canonical name", nullable=False),
            Column("actor_type", "VARCHAR", "the kind of actor", values=ACTOR_TYPES),
            Column("country_code", "VARCHAR", "ISO 3166-1 alpha-3, or null", regex=ISO3),
            Column("aliases", "VARCHAR[]", "every surface form seen"),
            Column(
                "sector",
                "VARCHAR",
                "the Phoenix agent code of its sector (groups.yaml sector_codes); null for a state itself",
                values=sector_codes(),
                since=3,
            ),
        ),
        key=("actor_id",),
        checks="table",
    ),
    Table(
        "events",
        "one event as reported in one sentence of one source (fact)",
        (
            Column("event_id", "VARCHAR", "stable across re-runs of the same input"),
            Column("source_id", "VARCHAR", "→ sources.source_id", nullable=False),
            Column("event_type", "VARCHAR", "one of the 16 PLOVER types of events.md", False, EVENT_TYPES),
            Column("mode", "VARCHAR", "the PLOVER mode, lower case, or null"),
            Column("cameo_root", "VARCHAR", "the two-digit CAMEO root code (01-20) that fits", regex="^[0-2][0-9]$"),
            Column(
                "quad_class",
                "INTEGER",
                "1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict",
                values=tuple(sorted({q for _, _, q in PLOVER.values()})),
            ),
            Column("trigger", "VARCHAR", "one contiguous span of `sentence`: the words that carry the action"),
            Column("trigger_start", "INTEGER", "character offset of `trigger` in `sentence`", since=4),
            Column("trigger_end", "INTEGER", "character offset of the end of `trigger` in `sentence`", since=4),
            Column("actor1_id", "VARCHAR", "→ actors.actor_id, the initiator"),
            Column("actor2_id", "VARCHAR", "→ actors.actor_id, the target or counterpart"),
            Column("claimant_id", "VARCHAR", "→ actors.actor_id, who the text says reported it"),
            Column("event_date", "DATE", "first day of the period when coarser than a day"),
            Column(
                "date_precision", "VARCHAR", "precision of event_date; null with a null date", values=DATE_PRECISIONS
            ),
            Column("location", "VARCHAR", "the place name as resolved"),
            Column("country_code", "VARCHAR", "ISO 3166-1 alpha-3 of the location", regex=ISO3),
            Column("quantity", "DOUBLE", "a count tied to the action, never negative", minimum=0),
            Column("quantity_unit", "VARCHAR", "what is counted, e.g. workers, containers"),
            Column("status", "VARCHAR", "the claim status of events.md", values=STATUSES),
            Column("sentence", "VARCHAR", "the evidence sentence, exactly as in the text", nullable=False),
            Column("sentence_start", "INTEGER", "character offset of `sentence` in the source text"),
            Column("sentence_end", "INTEGER", "character offset of the end of `sentence` in the source text"),
            Column("confidence", "DOUBLE", "a score in [0, 1]", minimum=0, maximum=1),
            Column("run_id", "VARCHAR", "the run that loaded it (→ runs.run_id)", frame=False),
        ),
        key=("event_id",),
        checks="row",
    ),
    Table(
        "quarantine",
        "every input or row that did not reach the star schema, and why; one row per (uri, stage, reason)",
        (
            Column("uri", "VARCHAR", "the input it came from (absolute path or URL)", nullable=False),
            Column("stage", "VARCHAR", "read, parse, extract, validate or load", nullable=False),
            Column("reason", "VARCHAR", "a short machine-readable reason, e.g. empty, not_english", nullable=False),
            Column("detail", "VARCHAR", "a human-readable sentence, e.g. which expectation failed"),
            Column("quarantined_at", "TIMESTAMP", "when first seen", nullable=False),
            Column("run_id", "VARCHAR", "the run that saw it (→ runs.run_id)", frame=False),
        ),
        key=("uri", "stage", "reason"),
    ),
    Table(
        "runs",
        "one row per finished run (lineage)",
        (
            Column("run_id", "VARCHAR", "the run's id"),
            Column("flow_run_id", "VARCHAR", "its Prefect flow run; null when nothing was new and no flow started"),
            Column("extractor_version", "VARCHAR", "the extractor version of the run"),
            Column("started_at", "TIMESTAMP", "when it started"),
            Column("finished_at", "TIMESTAMP", "when it finished"),
            Column("files_seen", "INTEGER", "input files found"),
            Column("sources_loaded", "INTEGER", "sources loaded"),
            Column("sources_skipped", "INTEGER", "unchanged documents skipped"),
            Column("quarantined", "INTEGER", "inputs in quarantine"),
            Column("events", "INTEGER", "events loaded"),
        ),
        key=("run_id",),
    ),
    Table(
        "input_files",
        "each input file as last read, so that an unchanged file costs one stat (warehouse/files.py)",
        (
            Column("path", "VARCHAR", "the file's absolute path"),
            Column("size_bytes", "BIGINT", "its size", nullable=False),
            Column("mtime_ns", "BIGINT", "its modification time in ns", nullable=False),
            Column("content_sha256", "VARCHAR", "sha256 of its bytes", nullable=False),
            Column("extractor_version", "VARCHAR", "the extractor version that coded it", nullable=False),
            Column("documents", "INTEGER", "its documents held in the warehouse", nullable=False),
            Column("quarantined", "MAP(VARCHAR, INTEGER)", "its inputs in quarantine, by reason"),
            Column("records_skipped", "MAP(VARCHAR, INTEGER)", "its archive records that are not pages, by kind"),
            Column("run_id", "VARCHAR", "the run that read it"),
            Column("checked_at", "TIMESTAMP", "when it was recorded", nullable=False),
        ),
        key=("path",),
    ),
)
TABLE = {t.name: t for t in TABLES}

_POLARS: dict[str, pl.DataType] = {
    "VARCHAR": pl.Utf8(),
    "INTEGER": pl.Int32(),
    "BIGINT": pl.Int64(),
    "DOUBLE": pl.Float64(),
    "DATE": pl.Date(),
    "TIMESTAMP": pl.Datetime("us"),
    "VARCHAR[]": pl.List(pl.Utf8),
}


def polars_schema(table: str) -> dict[str, pl.DataType]:
    """The batch frame's columns of `table` (those the load does not fill), with their polars types."""
    return {c.name: _POLARS[c.type] for c in TABLE[table].columns if c.frame}


def _ddl_column(table: Table, c: Column, width: int) -> str:
    parts = [f"{c.name:<{width}} {c.type}"]
    if table.key == (c.name,):
        parts.append("PRIMARY KEY")
    elif not c.nullable:
        parts.append("NOT NULL")
    if c.default:
        parts.append(f"DEFAULT {c.default}")
    return " ".join(parts)


_SCHEMA_HEAD = """\
-- newsevents warehouse: the star schema of ../shared/spec/warehouse.md, plus its bookkeeping tables.
-- Generated from transforms/contract.py by `uv run python examples/readme.py`: do not edit by hand
-- (tests/test_contract.py fails when it is stale). A new warehouse gets it whole; an older one is
-- upgraded by migrations/NNN_*.sql. Idempotent: every statement can run on an existing warehouse."""


def ddl() -> str:
    """The current schema as idempotent DDL: the text of warehouse/schema.sql."""
    out = _SCHEMA_HEAD.splitlines()
    for t in TABLES:
        width = max(len(c.name) for c in t.columns) + 1
        lines = [_ddl_column(t, c, width) for c in t.columns]
        if len(t.key) > 1:
            lines.append(f"PRIMARY KEY ({', '.join(t.key)})")
        out += ["", f"-- {t.meaning}", f"CREATE TABLE IF NOT EXISTS {t.name} ("]
        out += [f"    {line}," for line in lines[:-1]] + [f"    {lines[-1]}", ");"]
        out += [f"CREATE INDEX IF NOT EXISTS {name} ON {t.name} ({col});" for name, col in t.indexes]
    return "\n".join(out) + "\n"


def _rules(c: Column) -> list[tuple[str, dict]]:
    """The value rules of a column as (Great Expectations expectation, its arguments)."""
    rules: list[tuple[str, dict]] = []
    if c.values is not None:
        rules.append(("expect_column_values_to_be_in_set", {"value_set": list(c.values)}))
    if c.regex is not None:
        rules.append(("expect_column_values_to_match_regex", {"regex": c.regex}))
    bounds = {k: v for k, v in (("min_value", c.minimum), ("max_value", c.maximum)) if v is not None}
    if bounds:
        rules.append(("expect_column_values_to_be_between", bounds))
    return rules


def column_expectations(table: str) -> list[dict]:
    """The Great Expectations column checks the contract implies for `table` (suite entries: type, column,
    arguments, level, why): keys not null and unique, required columns not null, allowed values, patterns and
    ranges. A table without a check level gets none."""
    t = TABLE[table]
    if t.checks is None:
        return []
    out: list[dict] = []
    for c in t.columns:
        level = "table" if c.name in t.key else t.checks
        rules: list[tuple[str, dict, str]] = []
        if c.name in t.key or not c.nullable:
            why = "the primary key" if c.name in t.key else f"contract: not null ({c.meaning})"
            rules.append(("expect_column_values_to_not_be_null", {}, why))
        if t.key == (c.name,):
            rules.append(("expect_column_values_to_be_unique", {}, "the primary key is unique"))
        rules += [(kind, args, f"contract: {c.meaning}") for kind, args in _rules(c)]
        out += [{"type": kind, "column": c.name, **args, "level": level, "why": why} for kind, args, why in rules]
    return out


def _allowed(c: Column) -> str:
    rules = []
    if c.values is not None:
        rules.append(", ".join(f"`{v}`" for v in c.values))
    if c.regex:
        rules.append(f"matches `{c.regex}`")
    if c.minimum is not None or c.maximum is not None:
        lo = "" if c.minimum is None else f"{c.minimum:g} ≤ "
        hi = "" if c.maximum is None else f" ≤ {c.maximum:g}"
        rules.append(f"{lo}value{hi}")
    return "; ".join(rules)


def markdown() -> str:
    """docs/contract.md: every table and column of the warehouse, from this declaration."""
    out = [
        "# The warehouse contract",
        "",
        "Generated from `transforms/contract.py` by `uv run python examples/readme.py` (`tests/test_readme.py` "
        "fails when it is stale): do not edit by hand. The binding contract of the star schema is "
        "`../shared/spec/warehouse.md`; this page is what the code declares and checks. *checked* says where the "
        "Great Expectations suites enforce the column's rules (row: a failing row is quarantined; table: the "
        "batch is not loaded); *since* is the schema version that added the column.",
        "",
    ]
    for t in TABLES:
        key = ", ".join(f"`{k}`" for k in t.key) or "none"
        checked = t.checks or "not validated (written by the run itself)"
        out += [
            f"## `{t.name}`",
            "",
            f"{t.meaning[0].upper()}{t.meaning[1:]}. Primary key: {key}. Checked: {checked}.",
            "",
        ]
        out += ["| column | type | null | allowed values | since | meaning |", "|---|---|---|---|---:|---|"]
        for c in t.columns:
            null = "no" if (not c.nullable or c.name in t.key) else "yes"
            out.append(f"| `{c.name}` | {c.type} | {null} | {_allowed(c)} | {c.since} | {c.meaning} |")
        out.append("")
    return "\n".join(out)
