"""Shared fixtures: the model and dictionaries loaded once, Prefect's test harness once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest
from hypothesis import settings

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

# Property tests draw the same examples on every run (CI must not go red by chance);
# HYPOTHESIS_PROFILE=explore draws new ones.
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def cli_env(**extra: str) -> dict:
    """The environment of a `newsevents` (or dask) subprocess: quiet, no analytics, no Data Docs, and its
    own temporary Prefect server (no PREFECT_API_URL inherited from the test session's harness)."""
    env = dict(os.environ)
    env.update(
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
        PREFECT_LOGGING_LEVEL="WARNING",
        GX_ANALYTICS_ENABLED="false",
        NEWSEVENTS_DATA_DOCS="false",
        **extra,
    )
    env.pop("PREFECT_API_URL", None)
    return env


def sabotage_extraction(patcher, on, act) -> None:
    """Make the coder misbehave on the documents `on(doc)` picks and extract the rest as usual: `act` is an
    exception to raise or a function to call (hang, kill the process). Patched where the workers call the
    extractor (transforms/code.py); `patcher` is pytest's monkeypatch."""
    import transforms.code as code

    real = code.extract_article

    def sabotaged(doc, pieces, lexicon):
        if on(doc):
            if isinstance(act, BaseException):
                raise act
            act()
        return real(doc, pieces, lexicon)

    patcher.setattr(code, "extract_article", sabotaged)


def query(db, sql: str, params=None) -> list[tuple]:
    """Rows of one query on a warehouse file, opened read-only and closed again."""

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def snapshot(db, quarantine_volatile: str = "run_id") -> dict:
    """Every warehouse table's rows (sorted), without the columns a re-run may change, to compare runs."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        queries = {
            "events": "SELECT * EXCLUDE (run_id) FROM events",
            "actors": "SELECT * FROM actors",
            "quarantine": f"SELECT * EXCLUDE ({quarantine_volatile}) FROM quarantine",
            "sources": "SELECT * EXCLUDE (run_id, loaded_at) FROM sources",
        }
        return {t: sorted(con.sql(sql).fetchall(), key=str) for t, sql in queries.items()}
    finally:
        con.close()


# Slow tests in the modules the grammar helpers edit (test_events_*, test_actors*, test_cameo), marked from
# here so that those files stay theirs; tests elsewhere carry @pytest.mark.slow themselves.
SLOW_ELSEWHERE = ("tests/test_actors.py::test_an_unknown_sector_code_aborts_the_batch",)


def pytest_collection_modifyitems(config, items):
    """`slow` also marks every test that runs a flow through Prefect's harness (directly or by a fixture)."""
    for item in items:
        if "prefect_harness" in getattr(item, "fixturenames", ()) or item.nodeid.startswith(SLOW_ELSEWHERE):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def lex():
    from transforms.lexicon import load_lexicon

    return load_lexicon()


@pytest.fixture(scope="session")
def nlp():
    from transforms.nlp import load_nlp

    return load_nlp()


def code_article(nlp, lex, text: str, published: str | None = None):
    """Code a short text as one article: (events with their actors' names, types and countries, ArticleRows)."""
    from transforms.documents import RawInput
    from transforms.extract import extract_article
    from transforms.nlp import pipe_texts
    from transforms.parse import parse_document

    body = (f"date {published}\n" if published else "") + text
    doc = parse_document(RawInput("mem://test", "test.txt", body.encode()))
    pieces = next(iter(pipe_texts(nlp, [doc.text])))
    rows = extract_article(doc, pieces, lex)
    events = []
    for e in rows.events:
        e = dict(e)
        for role in ("actor1", "actor2", "claimant"):
            a = rows.actors.get(e[f"{role}_id"])
            e[role] = a["name"] if a else None
            e[f"{role}_type"] = a["actor_type"] if a else None
            e[f"{role}_country"] = a["country_code"] if a else None
        events.append(e)
    return events, rows


def one(events: list[dict], event_type: str) -> dict:
    """The first coded event of a type; fails with what was coded when there is none."""
    hits = [e for e in events if e["event_type"] == event_type]
    assert hits, f"no {event_type} in {[(e['event_type'], e['trigger']) for e in events]}"
    return hits[0]


def only(events: list[dict], event_type: str) -> dict:
    """The one event coded, which must be of this type."""
    assert [e["event_type"] for e in events] == [event_type], [(e["event_type"], e["trigger"]) for e in events]
    return events[0]


@pytest.fixture(scope="session")
def code(nlp, lex):
    """Code a short text as an article: the events, each with its actors' names and countries."""
    return lambda text, published=None: code_article(nlp, lex, text, published)[0]


@pytest.fixture(scope="session")
def article(nlp, lex):
    """Code a text as an article: (events with actor names, actors by name with their aliases)."""

    def _article(text: str, published: str | None = None):
        events, rows = code_article(nlp, lex, text, published)
        return events, {a["name"]: a for a in rows.actors.values()}

    return _article


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture()
def seeds_copy(tmp_path) -> Path:
    dst = tmp_path / "seeds"
    shutil.copytree(SEEDS, dst)
    return dst
