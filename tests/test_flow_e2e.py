"""End to end: the Prefect flow turns seeds/ into the contract star schema, idempotently."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import query as q


def snapshot(db) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "events": sorted(con.sql("SELECT * EXCLUDE (run_id) FROM events").fetchall(), key=str),
            "actors": sorted(con.sql("SELECT * FROM actors").fetchall(), key=str),
            "sources": sorted(con.sql("SELECT source_id, uri, content_sha256 FROM sources").fetchall()),
            "quarantine": sorted(con.sql("SELECT uri, stage, reason, quarantined_at FROM quarantine").fetchall()),
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def seeded(seeds_run):
    """The session's run over (a copy of) the seeds: tests/conftest.py `seeds_run`."""
    return seeds_run


def test_run_finishes_and_loads_every_seed(seeded):
    _, db, summary = seeded
    assert summary.error is None
    assert summary.files_seen == 5 and summary.loaded == 5
    assert summary.events > 0
    # the flow built its Data Docs beside the warehouse (the suite's other flow runs mostly turn them off)
    assert summary.data_docs and Path(summary.data_docs).is_file()
    assert Path(summary.data_docs).is_relative_to(db.parent / f"{db.stem}_data_docs")


def test_contract_tables_and_types(seeded):
    from transforms.contract import TABLES

    _, db, _ = seeded
    for table in TABLES:
        got = dict(
            q(db, "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?", [table.name])
        )
        for col in table.columns:
            assert got.get(col.name) == col.type, (table.name, col.name, got.get(col.name))


def test_keys_unique_and_foreign_keys_resolve(seeded):
    _, db, _ = seeded
    assert q(db, "SELECT count(*) - count(DISTINCT event_id) FROM events")[0][0] == 0
    assert q(db, "SELECT count(*) - count(DISTINCT actor_id) FROM actors")[0][0] == 0
    dangling = q(
        db,
        """SELECT count(*) FROM events e WHERE e.source_id NOT IN (SELECT source_id FROM sources)
        OR (actor1_id IS NOT NULL AND actor1_id NOT IN (SELECT actor_id FROM actors))
        OR (actor2_id IS NOT NULL AND actor2_id NOT IN (SELECT actor_id FROM actors))
        OR (claimant_id IS NOT NULL AND claimant_id NOT IN (SELECT actor_id FROM actors))""",
    )
    assert dangling[0][0] == 0


def test_values_in_contract_sets_and_offsets_point_at_sentence(seeded):
    _, db, _ = seeded
    from transforms.plover import EVENT_TYPES, STATUSES

    types = {r[0] for r in q(db, "SELECT DISTINCT event_type FROM events")}
    statuses = {r[0] for r in q(db, "SELECT DISTINCT status FROM events")}
    assert types <= set(EVENT_TYPES) and statuses <= set(STATUSES)
    bad = q(
        db,
        """SELECT count(*) FROM events e JOIN sources s USING (source_id)
                   WHERE substr(s.text, e.sentence_start + 1, e.sentence_end - e.sentence_start) <> e.sentence""",
    )
    assert bad[0][0] == 0
    # the trigger is one span of its sentence, at its offsets (schema version 4)
    off = q(
        db,
        """SELECT count(*) FROM events WHERE trigger_start IS NULL OR trigger_end <= trigger_start
           OR substr(sentence, trigger_start + 1, trigger_end - trigger_start) <> trigger""",
    )
    assert off[0][0] == 0


def test_north_korea_deploys_1000_engineers(seeded):
    _, db, _ = seeded
    rows = q(
        db,
        """SELECT a.name, a.country_code, e.quantity_unit FROM events e
                    JOIN actors a ON a.actor_id = e.actor1_id WHERE e.quantity = 1000""",
    )
    assert ("North Korea", "PRK", "engineers") in rows


def test_leaders_are_actors_with_countries(seeded):
    _, db, _ = seeded
    actors = {r[0]: r[1] for r in q(db, "SELECT name, country_code FROM actors")}
    assert actors.get("Kim Jong Un") == "PRK"
    assert actors.get("Vladimir Putin") == "RUS"
    aliases = q(db, "SELECT aliases FROM actors WHERE name = 'Kim Jong Un'")[0][0]
    assert any("-" in a for a in aliases)  # "Kim Jong-un" is folded into the same actor


def test_second_run_changes_nothing(seeded):
    from flows.pipeline import run_pipeline

    settings, db, _ = seeded
    before = snapshot(db)
    again = run_pipeline(settings)
    assert again.skipped == 5 and again.loaded == 0
    assert snapshot(db) == before


def test_fresh_warehouse_gets_the_same_ids(seeded, tmp_path):
    from flows.pipeline import run_pipeline

    settings, db, _ = seeded
    fresh = tmp_path / "fresh.duckdb"
    run_pipeline(settings.model_copy(update={"db": str(fresh), "data_docs": False}))  # ids, not the docs
    ids = "SELECT {0} FROM {1} ORDER BY 1"
    for col, table in (("event_id", "events"), ("actor_id", "actors"), ("source_id", "sources")):
        assert q(fresh, ids.format(col, table)) == q(db, ids.format(col, table))
