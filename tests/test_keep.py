"""Helpers kept between runs (flows/keep.py): found again by the next run, replaced when dead or stale, ended
by their idle timeout or `newsevents helpers stop`, and never left behind by the suite. Real processes; the
lifecycle tests use a Data Docs helper that does not import Great Expectations (`warm=False`), the one end
to end test real `newsevents run`s."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import pytest

from expectations import docs_worker
from flows import keep
from flows.settings import Settings
from tests.conftest import ROOT, SEEDS, cli_env


@pytest.fixture
def kept_settings():
    """Settings whose helpers live in a fresh short folder (a Unix socket's path is short); whatever a test
    started there is stopped after it, and the test fails if anything is left."""
    folder = tempfile.mkdtemp(prefix="ne-keep-")
    settings = Settings(cache_dir=folder, use_cache=False, helpers_idle_minutes=10)
    started: list[keep.Kept] = []
    yield settings, started
    keep.stop(settings)
    left = [k for k in started if k.alive()]
    for k in left:
        os.kill(k.pid, signal.SIGKILL)
    shutil.rmtree(folder, ignore_errors=True)
    assert not left, f"helpers left running: {left}"


def _docs(settings, started) -> keep.Kept:
    kept = keep.docs_helper(settings, warm=False)
    assert kept is not None
    started.append(kept)
    return kept


def _gone(kept: keep.Kept, within: float = 15.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        keep._reap()
        if not kept.alive():
            return True
        time.sleep(0.05)
    return False


def _answers(kept: keep.Kept, within: float = 15.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if docs_worker.ask(kept.socket, ("ping",), timeout=5) == ("ok", "pong"):
            return True
        time.sleep(0.05)
    return False


def test_a_helper_is_found_again_and_a_killed_one_replaced(kept_settings):
    settings, started = kept_settings
    first = _docs(settings, started)
    assert _answers(first)
    assert os.stat(first.socket).st_mode & 0o077 == 0  # the user's own
    again = _docs(settings, started)
    assert again.pid == first.pid  # found, not started again
    assert [k.pid for k in keep.entries(settings)] == [first.pid]

    os.kill(first.pid, signal.SIGKILL)
    assert _gone(first)
    new = _docs(settings, started)
    assert new.pid != first.pid and new.alive() and _answers(new)
    assert not Path(first.socket).exists()  # the dead one's socket is cleared


@pytest.mark.parametrize("stale", ["garbage", "wrong key", "dead pid", "reused pid"])
def test_a_stale_state_file_is_replaced_without_a_traceback(kept_settings, stale):
    settings, started = kept_settings
    folder = settings.helpers_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"docs-{keep.helper_key('docs')}.json"
    entry = {"kind": "docs", "pid": os.getpid(), "start": keep.process_start(os.getpid()), "key": "0" * 16}
    entry |= {"started": time.time(), "socket": str(folder / "docs-1.sock")}
    if stale == "garbage":
        path.write_bytes(b"\x00{not json")
    elif stale == "wrong key":  # this very process (alive) recorded under another key: never used nor killed
        path.write_text(json.dumps(entry))
    elif stale == "dead pid":
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        path.write_text(json.dumps(entry | {"key": keep.helper_key("docs"), "pid": dead.pid}))
    else:  # a live process whose start time is not the recorded one (the pid was reused)
        path.write_text(json.dumps(entry | {"key": keep.helper_key("docs"), "start": "1"}))
    kept = _docs(settings, started)
    assert kept.pid != os.getpid() and kept.alive() and _answers(kept)
    assert json.loads(path.read_text())["pid"] == kept.pid


def test_the_idle_timeout_ends_a_helper_but_never_under_a_run(kept_settings):
    settings, started = kept_settings
    settings = settings.model_copy(update={"helpers_idle_minutes": 0.02})  # 1.2 s
    lease = keep.Lease(settings)  # a run is going
    kept = _docs(settings, started)
    assert _answers(kept)
    time.sleep(2)
    assert kept.alive()  # idle for longer than its timeout, but a run holds the lease
    lease.release()
    assert _gone(kept), "the helper outlived its idle timeout"
    assert keep.entries(settings) == []
    assert not Path(kept.socket).exists()


def test_stop_ends_every_helper(kept_settings):
    settings, started = kept_settings
    kept = _docs(settings, started)
    assert _answers(kept)
    ended = keep.stop(settings)
    assert [k.pid for k in ended] == [kept.pid]
    assert _gone(kept) and keep.entries(settings) == []
    assert _docs(settings, started).pid != kept.pid  # the next run starts another


def test_two_runs_at_once_share_one_helper(kept_settings):
    """Two processes asking at the same moment: the state lock makes one start it and the other find it."""
    settings, started = kept_settings
    code = (
        "import sys; from flows import keep; from flows.settings import Settings;"
        f"k = keep.docs_helper(Settings(cache_dir={settings.cache_dir!r}, use_cache=False), warm=False);"
        "print(k.pid)"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE) for _ in range(2)]
    pids = {int(p.communicate(timeout=60)[0]) for p in procs}
    started += keep.entries(settings)
    assert len(pids) == 1 and [k.pid for k in keep.entries(settings)] == list(pids)


@pytest.mark.slow
def test_a_run_keeps_its_helpers_for_the_next(tmp_path):
    """`newsevents run` starts the Prefect server and the Data Docs helper (one line says so; with
    `zygote = "off"` nothing else), the next run
    uses the same ones (and writes its Data Docs through the helper), `helpers stop` ends them. The helpers
    live in the session's cache folder (its start-up cache is warm; conftest stops whatever is left there)."""
    folder = os.environ["NEWSEVENTS_CACHE_DIR"]
    env = cli_env(NEWSEVENTS_KEEP_HELPERS="true")
    env["NEWSEVENTS_DATA_DOCS"] = "true"
    env["NEWSEVENTS_ZYGOTE"] = "off"  # the run zygote has its own tests (tests/test_zygote.py); off starts none
    exe = [sys.executable, "-m", "flows.cli"]
    seeds = sorted(SEEDS.glob("*.txt"))
    settings = Settings(cache_dir=folder)
    try:
        first = subprocess.run(
            [*exe, "run", str(seeds[0]), "--db", str(tmp_path / "a.duckdb")], env=env, capture_output=True, text=True
        )
        assert first.returncode == 0, first.stderr
        assert "started helpers" in first.stderr
        kept = {k.kind: k.pid for k in keep.entries(settings)}
        assert set(kept) == {"prefect", "docs"}

        second = subprocess.run(
            [*exe, "run", str(seeds[1]), "--db", str(tmp_path / "b.duckdb")], env=env, capture_output=True, text=True
        )
        assert second.returncode == 0, second.stderr
        assert "started helpers" not in second.stderr
        assert {k.kind: k.pid for k in keep.entries(settings)} == kept
        assert (tmp_path / "b_data_docs" / "index.html").exists()
        assert "Prefect flow run" in second.stdout  # the flow ran against the kept server

        stopped = subprocess.run([*exe, "helpers", "stop"], env=env, capture_output=True, text=True)
        assert stopped.returncode == 0 and "prefect" in stopped.stdout and "docs" in stopped.stdout
        assert keep.entries(settings) == []
    finally:
        keep.stop(settings)


def test_run_api_uses_the_kept_server_and_falls_back_to_a_temporary_one(monkeypatch):
    """With keep-alive the flow is pointed at the kept server and nothing is booted or stopped here; when no
    kept server can be had, the run boots its own temporary server as before."""
    from flows import server

    booted: list[int] = []
    kept = keep.Kept(kind="prefect", pid=1, start="1", key="k", started=time.time(), port=45678)
    monkeypatch.setattr(keep.Kept, "alive", lambda self: True)
    monkeypatch.setattr(server, "_api_configured_cheaply", lambda: False)
    monkeypatch.setattr(server, "_healthy", lambda url: True)
    monkeypatch.setattr(server, "_boot_temporary_server", lambda port: booted.append(port))
    monkeypatch.setattr(server, "_kept_server", lambda settings, timeout: kept)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    import prefect.settings

    no_api = types.SimpleNamespace(api=types.SimpleNamespace(url=None))  # not the session's harness, if any
    monkeypatch.setattr(prefect.settings, "get_current_settings", lambda: no_api)
    monkeypatch.setattr(server, "_api_url", contextlib.contextmanager(_env_url))
    seen: list[str | None] = []
    with server.run_api(lambda: None, keep=Settings()):
        seen.append(os.environ.get("PREFECT_API_URL"))
    assert seen == ["http://127.0.0.1:45678/api"] and booted == []

    monkeypatch.setattr(server, "_kept_server", lambda settings, timeout: None)
    with pytest.raises(RuntimeError, match="booted"), server.run_api(lambda: None, keep=Settings()):
        raise RuntimeError("booted")
    assert len(booted) == 1


def _env_url(url):
    os.environ["PREFECT_API_URL"] = url
    try:
        yield
    finally:
        os.environ.pop("PREFECT_API_URL", None)


def test_a_cache_folder_too_deep_for_a_socket_gets_no_kept_docs_helper(tmp_path):
    """A Unix socket's path must fit in 108 bytes: past that no docs helper is kept (the run starts its own)."""
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    settings = Settings(cache_dir=str(deep))
    assert keep.docs_helper(settings, warm=False) is None
    assert keep.entries(settings) == [] and not list(settings.helpers_path.glob("docs-*"))
