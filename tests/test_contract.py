"""The contract (transforms/contract.py) is the one declaration of the warehouse's tables: schema.sql is
generated from it, a warehouse upgraded through every migration ends with exactly its columns, and the rows
the extractor builds carry exactly its columns."""

from __future__ import annotations

import duckdb
import pytest

from transforms.contract import TABLE, TABLES, ddl, polars_schema
from warehouse.connect import HERE, SCHEMA_VERSION, migrations

# The columns the binding spec (../shared/spec/warehouse.md) names: the warehouse may hold more, never fewer.
SPEC = {
    "events": "event_id source_id event_type mode cameo_root quad_class trigger trigger_start trigger_end actor1_id "
    "actor2_id claimant_id event_date date_precision location country_code quantity quantity_unit status sentence "
    "sentence_start sentence_end confidence",
    "actors": "actor_id name actor_type country_code aliases sector",
    "sources": "source_id uri file_name title outlet published_date date_source author content_sha256 text",
    "quarantine": "uri stage reason detail quarantined_at",
}


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, tuple[str, bool]]]:
    rows = con.execute(
        "SELECT table_name, column_name, data_type, is_nullable = 'YES' FROM information_schema.columns"
    ).fetchall()
    out: dict[str, dict[str, tuple[str, bool]]] = {}
    for table, column, typ, nullable in rows:
        out.setdefault(table, {})[column] = (typ, nullable)
    return out


def _declared() -> dict[str, dict[str, tuple[str, bool]]]:
    return {t.name: {c.name: (c.type, c.nullable and c.name not in t.key) for c in t.columns} for t in TABLES}


def test_schema_sql_is_generated_from_the_contract():
    assert (HERE / "schema.sql").read_text(encoding="utf-8") == ddl(), (
        "warehouse/schema.sql is stale: run `uv run python examples/readme.py`"
    )


def test_a_new_warehouse_has_exactly_the_declared_columns():
    con = duckdb.connect()
    con.execute((HERE / "schema.sql").read_text(encoding="utf-8"))
    assert _columns(con) == _declared()


def test_the_migrations_end_at_the_declared_columns():
    steps = migrations()
    assert max(steps) == SCHEMA_VERSION
    con = duckdb.connect()
    for version in sorted(steps):
        con.execute(steps[version].read_text(encoding="utf-8"))
    assert _columns(con) == _declared()


def test_each_later_column_is_added_by_the_migration_of_its_version():
    steps = migrations()
    for t in TABLES:
        for c in t.columns:
            assert 1 <= c.since <= SCHEMA_VERSION, (t.name, c.name)
            if c.since > 1:
                assert c.name in steps[c.since].read_text(encoding="utf-8"), (t.name, c.name, c.since)


def test_the_contract_holds_every_column_of_the_spec():
    for table, names in SPEC.items():
        missing = set(names.split()) - {c.name for c in TABLE[table].columns}
        assert not missing, (table, missing)


@pytest.mark.parametrize(
    "text",
    [
        "Police arrested 40 protesters in Nairobi on Monday, the Interior Ministry said.",
        "Chile and Peru signed a trade agreement in Lima.",
    ],
)
def test_the_extractor_builds_rows_with_the_contract_columns(nlp, lex, text):
    from tests.conftest import code_article

    _, rows = code_article(nlp, lex, text, "2024-03-05")
    assert rows.events, text
    for event in rows.events:
        assert set(event) == set(polars_schema("events")), text
    for actor in rows.actors.values():
        assert set(polars_schema("actors")) <= set(actor), text
