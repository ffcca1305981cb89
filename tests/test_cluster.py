"""Past one machine: a Dask scheduler and a worker started as separate processes (as they would be on other
machines), and one `newsevents run --dask-address` that codes two seed files on them: the warehouse holds
the same rows as a local run's. The cluster parses and extracts; validation and the load stay in the run.

Slow (about a minute on 2 cores: the worker loads spaCy and the dictionaries, the CLI boots Prefect), so it
runs only when asked: `NEWSEVENTS_SLOW_TESTS=1 uv run pytest tests/test_cluster.py` (marked `slow`).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS, cli_env, snapshot

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get("NEWSEVENTS_SLOW_TESTS"), reason="slow: NEWSEVENTS_SLOW_TESTS=1 runs it"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(*args: str, log: Path) -> subprocess.Popen:
    out = log.open("w")
    return subprocess.Popen(
        [sys.executable, "-m", *args], cwd=ROOT, env=cli_env(), stdout=out, stderr=out, start_new_session=True
    )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _run(inbox: Path, db: Path, *extra: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", str(inbox), "--db", str(db), *extra],
        cwd=ROOT,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]


def test_a_run_on_a_separate_scheduler_and_worker_loads_the_rows_of_a_local_run(tmp_path):
    from distributed import Client

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(seed, inbox / seed.name)
    address = f"tcp://127.0.0.1:{_free_port()}"
    scheduler = _start("dask", "scheduler", "--port", address.rsplit(":", 1)[1], "--no-dashboard", log=tmp_path / "s")
    worker = None
    try:
        worker = _start(
            "dask", "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard", log=tmp_path / "w"
        )
        with Client(address, timeout=60) as client:
            client.wait_for_workers(1, timeout=60)
            _run(inbox, tmp_path / "cluster.duckdb", "--dask-address", address)
            executed = client.run(lambda dask_worker: dask_worker.state.executed_count)
        assert sum(executed.values()) >= 1  # the batch was coded on the worker, not in the run's process
    finally:
        for proc in (worker, scheduler):
            if proc is not None:
                _stop(proc)
    _run(inbox, tmp_path / "local.duckdb")
    cluster, local = snapshot(tmp_path / "cluster.duckdb"), snapshot(tmp_path / "local.duckdb")
    assert cluster["events"] and cluster["sources"]
    assert cluster == local
