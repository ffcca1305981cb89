"""`newsevents serve`: the run flow as a Prefect deployment on a cron schedule over an inbox folder.

In: `Settings` (whose `inputs` is the inbox), a cron expression and a
deployment name. Out: a deployment registered with `flow.serve` that runs the
flow on schedule in this process's runner; each run codes only the inbox files
that are new or changed (the flow's plan skips the rest). Prefect's ephemeral
API has no scheduler, so when `PREFECT_API_URL` is unset this starts the
package's own `prefect server start` on 127.0.0.1 (scheduler and UI
included) for as long as it serves, and stops it on exit. With
`PREFECT_API_URL` set it registers with that server (or Prefect Cloud).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from flows.settings import Settings

DEPLOYMENT = "newsevents-inbox"  # the prefix: each inbox and warehouse pair gets its own name


class ServeError(RuntimeError):
    """A one-line reason `serve` cannot start."""


def deployment_name(settings: Settings) -> str:
    """`newsevents-inbox-<hash>`: derived from the inbox and the warehouse, so two `serve`s on one machine
    (one Prefect server) never share a deployment, its schedule or its backlog."""
    from transforms.documents import stable_id

    inbox = [str(Path(p).expanduser().absolute()) for p in settings.inputs]
    return f"{DEPLOYMENT}-{stable_id(*inbox, str(settings.db_path.absolute()), length=10)}"


def deployment_options(settings: Settings, cron: str, name: str | None = None) -> dict:
    """The keyword arguments of `flow.serve` / `flow.to_deployment` for this inbox and schedule.

    One flow run at a time: a tick that comes while a run is still going is cancelled, not queued, so
    missed ticks collapse into the one running (the next tick codes whatever is new by then)."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

    return {
        "name": name or deployment_name(settings),
        "cron": cron,
        "concurrency_limit": ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW),
        "parameters": {"settings": settings.model_dump(mode="json")},
        "description": f"newsevents: code new files in {', '.join(settings.inputs)} into {settings.db}",
        "tags": ["newsevents"],
    }


def check_cron(cron: str) -> None:
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron)
    except ValueError as exc:
        raise ServeError(f"not a valid cron expression: {cron!r}") from exc


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/health", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def _api_url(url: str) -> Iterator[None]:
    """Point this process (Prefect's settings are read at import) and its flow-run subprocesses at `url`."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    os.environ["PREFECT_API_URL"] = url
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield
    finally:
        os.environ.pop("PREFECT_API_URL", None)


@contextlib.contextmanager
def prefect_api(port: int = 4200, startup_timeout: float = 120.0) -> Iterator[str]:
    """The API to register with: `PREFECT_API_URL` if set, else a `prefect server start` of our own."""
    given = os.environ.get("PREFECT_API_URL")
    if given:
        yield given
        return
    url = f"http://127.0.0.1:{port}/api"
    if _healthy(url):  # a server someone started on that port already
        with _api_url(url):
            yield url
        return
    cmd = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    log = tempfile.NamedTemporaryFile(prefix="newsevents-prefect-server-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + startup_timeout
        while not _healthy(url):
            if proc.poll() is not None:
                raise ServeError(f"the Prefect server did not start on port {port}; its log: {log.name}")
            if time.monotonic() > deadline:
                raise ServeError(f"the Prefect server did not answer on {url} within {startup_timeout:g} s")
            time.sleep(0.5)
        with _api_url(url):
            yield url
    finally:
        _stop(proc)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _boot_temporary_server(port: int) -> subprocess.Popen:
    """Prefect's temporary API server (UI off, ephemeral mode, as Prefect itself starts it) on 127.0.0.1:port."""
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"]
    return subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent
    )


def _die_with_parent() -> None:
    """In the child, on Linux: get SIGTERM when the run's process dies, even by SIGKILL (no orphan server)."""
    with contextlib.suppress(Exception):
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def run_api(settings: Settings, warm_up: Callable[[], None], startup_timeout: float = 120.0) -> Iterator[None]:
    """Have the flow's Prefect API ready, doing `warm_up` meanwhile.

    With no API configured, a flow run would import Prefect's server (~2 s) and boot its temporary server
    (~3 s) before it begins. Instead this boots the same temporary server as a subprocess while `warm_up`
    loads models, so the two overlap, and points this process (and the local Dask workers, through the
    environment they inherit) at it. It is stopped at exit, after Prefect's log and event workers have
    flushed. With `PREFECT_API_URL` set (or a test harness) only `warm_up` runs; with `--dask-address`
    the workers' own environment decides their API. If the server does not come up, the flow falls back
    to Prefect's own temporary server.
    """
    from prefect.settings import get_current_settings

    if get_current_settings().api.url:
        warm_up()
        yield
        return
    port = _free_port()
    proc = _boot_temporary_server(port)
    atexit.register(_stop, proc)  # registered before the flow starts Prefect's workers: runs after their flush
    warm_up()
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + startup_timeout
    while proc.poll() is None and not _healthy(url) and time.monotonic() < deadline:
        time.sleep(0.1)
    if proc.poll() is not None or not _healthy(url):
        _stop(proc)
        yield  # Prefect starts its own temporary server
        return
    with _api_url(url):
        yield


def serve(settings: Settings, cron: str, name: str | None = None) -> None:
    """Register the deployment and run its scheduled flow runs until interrupted (blocks); one at a time.

    What `flow.serve` does, with one change: Prefect's runner answers SIGTERM with a graceful shutdown that
    waits on the flow run in flight and on a server that may be gone (over a minute, seen with a run in
    flight); ours stops at once like `run` (`flows.stopping`: one line, children ended, exit 143)."""
    import asyncio
    import signal

    from prefect.runner import Runner

    from flows.pipeline import flow_for
    from flows.stopping import stop_now

    class _Runner(Runner):
        def handle_sigterm(self, *args, **kwargs) -> None:
            stop_now(signal.SIGTERM)

    options = deployment_options(settings, cron, name)
    runner = _Runner(name=options["name"], limit=1)
    runner.add_flow(flow_for(settings), **options)
    asyncio.run(runner.start())
