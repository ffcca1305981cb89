"""Shared fixtures: the model and dictionaries loaded once, Prefect's test harness once per session."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import settings

# The suite starts ~40 Python subprocesses (CLI runs, Prefect's test server, dask workers). With
# PYTHONDONTWRITEBYTECODE=1 in the environment (some CI images and this workplace set it) each of them would
# compile Prefect's and GX's sources again (~10 s of CPU each on a fresh clone); let the first one write the
# bytecode cache that the others read.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

# The start-up cache of the suite's runs (flows/warm_cache.py: the dictionaries parsed, the matchers built): one
# folder for the session, not the user's; the first run that builds them stores them, the CLI runs after it
# (subprocesses) read them.
_WARM_CACHE = tempfile.mkdtemp(prefix="newsevents-test-cache-")
os.environ.setdefault("NEWSEVENTS_CACHE_DIR", _WARM_CACHE)
atexit.register(shutil.rmtree, _WARM_CACHE, ignore_errors=True)

# No run of the suite keeps helpers after it ends (flows/keep.py): keep-alive is off unless a test turns it on
# (tests/test_keep.py, which stops what it started); whatever was kept in the session's cache folder anyway is
# stopped before the folder is removed.
os.environ.setdefault("NEWSEVENTS_KEEP_HELPERS", "false")


def _stop_kept_helpers() -> None:
    from flows import keep
    from flows.settings import Settings

    keep.stop(Settings(cache_dir=_WARM_CACHE))


atexit.register(_stop_kept_helpers)  # registered after the removal: runs before it

# Property tests draw the same examples on every run (CI must not go red by chance);
# HYPOTHESIS_PROFILE=explore draws new ones.
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def cli_env(api_url: str | None = None, **extra: str) -> dict:
    """The environment of a `newsevents` (or dask) subprocess: quiet, no analytics, no Data Docs, and its
    own temporary Prefect server (no PREFECT_API_URL inherited), or with `api_url` (the `prefect_harness`
    fixture's value) the test session's server: a run then starts no server of its own (~5 s of CPU each)."""
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    env.update(
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
        PREFECT_LOGGING_LEVEL="WARNING",
        GX_ANALYTICS_ENABLED="false",
        NEWSEVENTS_DATA_DOCS="false",
        **({"PREFECT_API_URL": api_url} if api_url else {}),
        **extra,
    )
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


class EarlyServer:
    """Prefect's test server, started in the background as soon as the collected tests show that one needs it.

    Its start (~25 s on 2 cores: the server's imports and its fresh database's migrations) runs in the server's
    own process: started early, it overlaps the fast tests that run first instead of stopping the suite. The
    `prefect_harness` fixture then enters Prefect's own `prefect_test_harness` with this server's folder and
    port: the harness finds the server running (one per port) and does the rest as usual."""

    def __init__(self) -> None:
        import threading

        from prefect.testing import utilities

        self.folder = tempfile.mkdtemp()
        self.port = utilities._find_available_port()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._start, name="prefect-test-server", daemon=True)
        self.thread.start()

    def _start(self) -> None:
        from prefect.server.api.server import SubprocessASGIServer
        from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL, temporary_settings

        url = "sqlite+aiosqlite:///" + str(Path(self.folder) / "prefect-test.db")  # where the harness puts it
        try:
            with temporary_settings(updates={PREFECT_SERVER_DATABASE_CONNECTION_URL: url}):
                SubprocessASGIServer(port=self.port).start(timeout=120)
        except BaseException as exc:  # the harness starts a server of its own instead
            self.error = exc

    def ready(self) -> bool:
        self.thread.join()
        return self.error is None


_early_server: EarlyServer | None = None


def pytest_collection_finish(session):
    global _early_server
    if session.config.option.collectonly or os.environ.get("NEWSEVENTS_EARLY_SERVER") == "0":
        return
    if any("prefect_harness" in getattr(item, "fixturenames", ()) for item in session.items):
        _early_server = EarlyServer()


@pytest.fixture(scope="session")
def prefect_harness():
    """Prefect's test server (started early: `EarlyServer`), once per session; its value is the server's API
    URL (for `cli_env`)."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing import utilities

    mp = pytest.MonkeyPatch()
    if _early_server is not None and _early_server.ready():
        mp.setattr(utilities, "mkdtemp", lambda: _early_server.folder)
        mp.setattr(utilities, "_find_available_port", lambda: _early_server.port)
    try:
        with utilities.prefect_test_harness(server_startup_timeout=120):
            mp.undo()
            yield PREFECT_API_URL.value()
    finally:
        mp.undo()


@pytest.fixture(scope="session")
def seeds_run(prefect_harness, tmp_path_factory):
    """One flow run over a copy of the seeds, built once per session and read by several modules (the end-to-end
    checks, the fault tests' clean reference): (settings, warehouse path, the run's summary). A test may run
    the flow again on it only if that run changes nothing (tests/test_flow_e2e.py checks that it does not)."""
    from flows.pipeline import run_pipeline
    from flows.settings import Settings

    base = tmp_path_factory.mktemp("seeds_run")
    inputs = base / "seeds"
    shutil.copytree(SEEDS, inputs)
    settings = Settings(inputs=[str(inputs)], db=str(base / "seeds.duckdb"))
    return settings, base / "seeds.duckdb", run_pipeline(settings)


@pytest.fixture()
def seeds_copy(tmp_path) -> Path:
    dst = tmp_path / "seeds"
    shutil.copytree(SEEDS, dst)
    return dst
