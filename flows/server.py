"""The Prefect API a command talks to: a server of our own when none is configured.

In: `PREFECT_API_URL` (when set, it is used as it is) and what to do while a
server boots. Out: `run_api(warm_up)` — for `newsevents run`: Prefect's
temporary API server (ephemeral mode, UI off, the same app Prefect itself
boots) started as a subprocess on a free port of 127.0.0.1 while `warm_up`
loads the models, so the two overlap; this process and its Dask workers are
pointed at it, and it stops at exit (and with the parent, even on SIGKILL).
With the run's settings (`keep_helpers`), the server is instead a kept one (flows/keep.py) that
outlives the run and serves the next ones. `prefect_api(port)` — for `newsevents serve`: a full `prefect server start`
(scheduler and UI) on the given port for as long as it serves, or the one
already answering there. A server that does not come up is a `ServeError`
(serve) or a fallback to Prefect's own temporary server (run).
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

from flows.errors import ServeError
from flows.stopping import die_with_parent, stop_child


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
        stop_child(proc)


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
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent
    )


def _api_configured_cheaply() -> bool:
    """Whether an API is named, without importing Prefect: the environment, or Prefect's settings when this
    process imported Prefect already (a test harness, `serve`)."""
    if os.environ.get("PREFECT_API_URL"):
        return True
    if "prefect.settings" in sys.modules:
        from prefect.settings import get_current_settings

        return bool(get_current_settings().api.url)
    return False


@contextlib.contextmanager
def run_api(warm_up: Callable[[], None], startup_timeout: float = 120.0, keep=None) -> Iterator[None]:
    """Have the flow's Prefect API ready, doing `warm_up` meanwhile.

    With no API configured, a flow run would import Prefect's server (~2 s) and boot its temporary server
    (~3 s) before it begins. Instead this boots the same temporary server as a subprocess first thing,
    before even importing Prefect here, then runs `warm_up` (Prefect's client, the flow's modules, the
    model...) while it boots, so the two overlap on two cores, and points this process (and the local Dask
    workers, through the environment they inherit) at it. It is stopped at exit, after Prefect's log and
    event workers have flushed, or at once when `warm_up` fails. With `keep` (the run's `Settings`, when
    `keep_helpers` is on) the server is the kept one of flows/keep.py instead: found answering (nothing to
    wait for), or started detached for this run and the next ones, and never stopped here. With
    `PREFECT_API_URL` set in the environment, or in the settings of a Prefect already imported (a test
    harness), no server is booted; when only a Prefect profile names an API, a booted temporary one is
    stopped unused (a kept one is left to its idle timeout). With `--dask-address` the workers' own
    environment decides their API. If the server does not come up, the flow falls back to Prefect's own
    temporary server.
    """
    proc = kept = None
    if not _api_configured_cheaply():
        if keep is not None:
            kept = _kept_server(keep, startup_timeout)
        if kept is None:
            port = _free_port()
            proc = _boot_temporary_server(port)
    try:
        warm_up()
        from prefect.settings import get_current_settings

        configured = get_current_settings().api.url
    except BaseException:
        if proc is not None:
            stop_child(proc)
        raise
    if (proc is None and kept is None) or configured:
        if proc is not None:
            stop_child(proc)
        yield
        return
    if proc is not None:
        atexit.register(stop_child, proc)  # registered before the flow starts Prefect's workers: runs after their flush
        url = f"http://127.0.0.1:{port}/api"
        alive = lambda: proc.poll() is None  # noqa: E731
    else:
        assert kept is not None
        url, alive = kept.url, kept.alive
    deadline = time.monotonic() + startup_timeout
    while alive() and not _healthy(url) and time.monotonic() < deadline:
        time.sleep(0.05)
    if not alive() or not _healthy(url):
        if proc is not None:
            stop_child(proc)
        yield  # Prefect starts its own temporary server
        return
    with _api_url(url):
        yield


def _kept_server(settings, startup_timeout: float):
    """The kept Prefect server (flows/keep.py), None when it cannot be had (then a temporary one)."""
    from flows import keep

    try:
        return keep.prefect_server(settings, startup_timeout)
    except OSError:  # an unwritable cache folder
        return None
