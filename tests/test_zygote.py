"""The kept run zygote (flows/zygote.py): `newsevents run` goes through a child of it when one runs for the
same code and environment, with the same tables, exit status and stderr as in-process; anything else (another
environment, a refusal, `--no-keep`, a dead zygote) is the in-process run. Real processes: one zygote for the
module (it imports Prefect and loads the model once), stopped at the end; the CLI runs are subprocesses."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows import keep, zygote
from flows.settings import Settings
from tests.conftest import ROOT, cli_env, snapshot

TEXTS = {
    "nairobi.txt": "Police arrested 40 protesters in Nairobi on Monday after clashes over fuel prices.",
    "lima.txt": "Miners went on strike in Lima on Friday, demanding higher wages from the government.",
    "kyiv.txt": "Ukraine and Russia agreed to a ceasefire in Kyiv on 3 March 2024, officials said.",
}


@pytest.fixture(scope="module")
def kept(prefect_harness):
    """A zygote for `env` (keep-alive on, the session's Prefect server and start-up cache, no Data Docs),
    answering; (settings, env, entry, log). Stopped after the module; nothing may be left."""
    cache = os.environ["NEWSEVENTS_CACHE_DIR"]  # the session's start-up cache: the matchers built once
    env = cli_env(prefect_harness, NEWSEVENTS_KEEP_HELPERS="true", NEWSEVENTS_CACHE_DIR=cache)
    settings = Settings(cache_dir=cache)
    entry = keep.zygote(settings, env)
    assert entry is not None
    deadline = time.monotonic() + 120
    while not keep.accepts(entry.socket) and time.monotonic() < deadline:
        assert entry.alive(), (settings.helpers_path / "zygote.log").read_text()
        time.sleep(0.05)
    yield settings, env, entry, settings.helpers_path / "zygote.log"
    keep.stop(settings)
    assert not any(k.kind == "zygote" for k in keep.entries(settings))


def _cli(env: dict, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "run", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def _runs(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if " run " in line]


def _ended(log: Path, lines: int) -> list[str]:
    """The log's run lines once there are `lines` (the zygote logs a child's end when it reaps it, which may
    be just after the CLI, told by the child itself, has exited)."""
    deadline = time.monotonic() + 10
    while len(_runs(log)) < lines and time.monotonic() < deadline:
        time.sleep(0.02)
    return _runs(log)


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, text in TEXTS.items():
        (inbox / name).write_text(text + "\n", encoding="utf-8")
    return inbox


def test_a_run_through_the_zygote_gives_the_tables_of_an_in_process_run(kept, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from flows.cli import app

    settings, env, entry, log = kept
    inbox = _inbox(tmp_path)
    before = len(_runs(log))
    proc = _cli(env, str(inbox), "--db", str(tmp_path / "z.duckdb"))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "sources loaded" in out
    assert len(_ended(log, before + 2)) == before + 2  # its child started and ended: it went through the zygote
    monkeypatch.setenv("NEWSEVENTS_DATA_DOCS", "false")  # as in `env`
    here = CliRunner().invoke(app, ["run", str(inbox), "--db", str(tmp_path / "h.duckdb")])
    assert here.exit_code == 0, here.output
    through, local = snapshot(tmp_path / "z.duckdb"), snapshot(tmp_path / "h.duckdb")
    assert through == local
    assert {r for r in through["events"] if "PROTEST" in str(r) or "STRIKE" in str(r) or "ARREST" in str(r)}


def test_a_failing_run_gives_its_exit_status_and_stderr_through_the_zygote(kept, tmp_path):
    settings, env, entry, log = kept
    before = len(_runs(log))
    proc = _cli(env, str(tmp_path / "no-such-folder"), "--db", str(tmp_path / "w.duckdb"))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert err.strip() == f"newsevents: no such file or folder: {tmp_path / 'no-such-folder'}"
    assert "Traceback" not in err + out
    assert _ended(log, before + 2)[-1].endswith("exit 2")  # it went through the zygote


def test_another_environment_or_no_keep_runs_in_process(kept, tmp_path):
    settings, env, entry, log = kept
    before = len(_runs(log))
    missing = str(tmp_path / "missing")
    for run_env, flags in (({**env, "NEWSEVENTS_LOCK_TIMEOUT": "7"}, ()), (env, ("--no-keep",))):
        proc = _cli(run_env, missing, *flags)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 2 and "no such file or folder" in err
    assert len(_runs(log)) == before  # neither went through it
    assert zygote.run_through(["newsevents", "run", missing], settings, {**env, "PREFECT_HOME": "/elsewhere"}) is None


def test_the_zygote_refuses_a_request_of_another_key(kept):
    settings, env, entry, log = kept
    payload = json.dumps({"key": "0" * 16, "argv": ["newsevents", "run"], "cwd": "/", "env": {}}).encode()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(entry.socket)
        socket.send_fds(sock, [zygote._HEAD.pack(len(payload))], [0, 1, 2])
        sock.sendall(payload)
        assert sock.makefile("rb").readline() == b"no key\n"


def test_a_signal_to_the_cli_stops_its_run_and_a_killed_cli_takes_its_run_down(kept, tmp_path):
    from warehouse.connect import run_lock

    settings, env, entry, log = kept
    inbox = _inbox(tmp_path)
    db = tmp_path / "w.duckdb"
    with run_lock(db, 1):  # the runs wait for the warehouse's lock: they are running when signalled
        for sig, expected in ((signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGKILL, -signal.SIGKILL)):
            before = len(_runs(log))
            proc = _cli(env, str(inbox), "--db", str(db), "--lock-timeout", "60")
            deadline = time.monotonic() + 30
            while len(_runs(log)) == before and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.3)  # the child reads its settings and waits for the lock
            proc.send_signal(sig)
            _, err = proc.communicate(timeout=30)
            assert proc.returncode == expected
            if sig == signal.SIGTERM:
                assert "stopped by SIGTERM" in err and "Traceback" not in err
            assert _ended(log, before + 2)[-1].endswith(f"exit {128 + signal.SIGTERM}")  # the child stopped


def test_a_killed_zygote_is_replaced_and_meanwhile_runs_go_in_process(kept, tmp_path):
    settings, env, entry, log = kept  # the last test of the module: it ends the module's zygote
    os.kill(entry.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while entry.alive() and time.monotonic() < deadline:
        keep._reap()
        time.sleep(0.02)
    assert keep.find(settings, "zygote", zygote.zygote_key(env)) is None
    assert zygote.run_through(["newsevents", "run", str(tmp_path)], settings, env) is None
    try:
        fresh = keep.zygote(settings, env)
        assert fresh is not None and fresh.pid != entry.pid and fresh.alive()
        assert keep.find(settings, "zygote", zygote.zygote_key(env)) == fresh
    finally:
        keep.stop(settings)


def test_only_run_without_no_keep_or_verbose_is_sent():
    assert zygote.wanted(["newsevents", "run", "inbox/", "--db", "x.duckdb"])
    for argv in (["newsevents", "sql", "SELECT 1"], ["newsevents", "run", "--no-keep"], ["newsevents", "run", "-v"]):
        assert not zygote.wanted(argv)
