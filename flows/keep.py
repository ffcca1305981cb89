"""Helpers that outlive one run: a Prefect API server and a Data Docs helper, kept warm between runs.

In: `Settings` (`keep_helpers`, `helpers_idle_minutes`, `helpers_path`: `<cache folder>/helpers`). Out:
- `Lease(settings)`: what a run holds for as long as it runs (a shared `flock` on `helpers/lease`, whose
  mtime the run touches when it starts and when it ends): a helper never stops under a run;
- `prefect_server(settings)`: a kept Prefect API server's `Kept` entry (its URL), found or started;
- `docs_helper(settings)`: a kept Data Docs helper's `Kept` entry (its Unix socket), found or started;
- `entries(settings)` and `stop(settings)`: what runs in the background now, and an end to it
  (`newsevents helpers status|stop`);
- `python -m flows.keep prefect|docs --dir D --idle S [--port P]`: the helpers' own main.

Each helper is started detached (its own session, stdio to `helpers/<kind>.log`) by the first run that
needs it, and recorded in `helpers/<kind>-<key>.json` (pid, the process's start time, port or socket,
key, start time) under an exclusive `flock` of `helpers/state.lock`, so two runs at once start one. The
key hashes what a helper depends on — the Python, the versions of Prefect, Great Expectations, uvicorn
and this package, `PREFECT_HOME` and the Prefect database URL, and the bytes of this module and of
expectations/ (the docs helper builds with that code and those suites) — so a helper of another
checkout, release or Prefect home is never used. An entry is trusted only when its pid is alive with
the start time recorded (no reused pid, no zombie) and, for the docs helper, its socket accepts; else it
is killed (when alive) and replaced. A garbage entry is replaced the same way, without a traceback.

A helper stops itself when no run has held the lease for `idle` seconds (it checks a few times per idle
period; holding the lease's exclusive lock while it removes its entry, so a run that takes the lease
after that finds no entry and starts another), or when its entry is gone or names another process
(`stop`, a replacement). The Prefect helper is uvicorn serving Prefect's own app (as its temporary
server: UI off, ephemeral services) in this process, with a thread that watches the lease; the docs
helper imports Great Expectations once, then answers the requests on its socket one at a time
(expectations/docs_worker.py).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

FORMAT = "newsevents-helpers 1"
KINDS = ("prefect", "docs", "zygote")
_PACKAGES = ("prefect", "great-expectations", "uvicorn", "newsevents")
_ROOT = Path(__file__).resolve().parent.parent
SOCKET_MAX = 100  # a Unix socket's path must fit in 108 bytes: a longer one gets no kept docs helper
STARTED: list[str] = []  # kinds this process started (the CLI says so once)
_CHILDREN: list[subprocess.Popen] = []  # kept, so Python reaps them instead of warning when one ends early


@dataclass
class Kept:
    """One kept helper as its state file records it."""

    kind: str
    pid: int
    start: str  # the process's start time (/proc/<pid>/stat field 22): a reused pid does not match
    key: str
    started: float  # time.time() at start
    port: int = 0  # prefect
    socket: str = ""  # docs

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def alive(self) -> bool:
        """Whether the recorded helper still runs: that pid, started then, running this module."""
        return process_start(self.pid) == self.start and _runs_keep(self.pid)


def process_start(pid: int) -> str | None:
    """The start time of a live (not zombie) process, as the kernel counts it; None when there is none."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        if sys.platform.startswith("linux"):
            return None
        try:  # elsewhere: alive or not is all that is known
            os.kill(pid, 0)
        except OSError:
            return None
        return "?"
    if fields[0] in (b"Z", b"X"):
        return None
    return fields[19].decode()


def _runs_keep(pid: int) -> bool:
    """Whether `pid` runs `python -m flows.keep` (Linux; elsewhere assumed): never signal another program."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"\0flows.keep\0" in fh.read()
    except OSError:
        return not sys.platform.startswith("linux")


def helper_key(kind: str) -> str:
    """What a kept helper of `kind` depends on (a hex digest): another value, another helper."""
    parts = [FORMAT, kind, sys.executable, sys.version]
    parts.append(str(Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()))
    parts.append(os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL", ""))
    for name in _PACKAGES:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} ?")
    digest = hashlib.sha256("\n".join(parts).encode())
    code = [Path(__file__)]
    if kind == "docs":
        code += sorted((_ROOT / "expectations").glob("*.py")) + sorted((_ROOT / "expectations" / "suites").glob("*"))
    for path in code:
        with contextlib.suppress(OSError):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _folder(settings) -> Path:
    folder = settings.helpers_path
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


@contextlib.contextmanager
def _state_lock(folder: Path) -> Iterator[None]:
    with open(folder / "state.lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def _state_file(folder: Path, kind: str, key: str) -> Path:
    return folder / f"{kind}-{key}.json"


def _read(path: Path) -> Kept | None:
    """The entry in `path`; None when it is missing or not a valid entry (garbage is never trusted)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        kept = Kept(**data)
    except (OSError, ValueError, TypeError):
        return None
    if not (isinstance(kept.pid, int) and kept.pid > 0 and kept.kind in KINDS and isinstance(kept.start, str)):
        return None
    return kept


def _write(path: Path, kept: Kept) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(asdict(kept)), encoding="utf-8")
    tmp.replace(path)


def _end(pid: int, start: str, wait: float = 10.0) -> None:
    """SIGTERM the process `pid` started at `start` (when it still is that one), then SIGKILL after `wait` s."""
    if process_start(pid) != start or not _runs_keep(pid):
        return
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and process_start(pid) == start:
        _reap()
        time.sleep(0.05)
    if process_start(pid) == start:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    _reap()


def _reap() -> None:
    for proc in list(_CHILDREN):
        if proc.poll() is not None:
            _CHILDREN.remove(proc)


def _discard(kept: Kept | None, path: Path) -> None:
    """Forget an entry not to be trusted: end its process (when it is still that one), remove its files."""
    if kept is not None:
        _end(kept.pid, kept.start, wait=2.0)
        if kept.socket:
            with contextlib.suppress(OSError):
                os.unlink(kept.socket)
    with contextlib.suppress(OSError):
        path.unlink()


def _spawn(folder: Path, kind: str, args: list[str], env: dict) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "flows.keep", kind, "--dir", str(folder), *args]
    with open(folder / f"{kind}.log", "ab") as log:
        proc = subprocess.Popen(
            cmd, env=env, cwd=folder, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    _CHILDREN.append(proc)
    STARTED.append(kind)
    return proc


def _entry(proc: subprocess.Popen, kind: str, key: str, **where) -> Kept | None:
    """The entry of a helper just started, once it runs this module (so `Kept.alive` holds); None if it died."""
    start = None
    deadline = time.monotonic() + 10.0  # a fork and an exec: milliseconds, more on a loaded machine
    while time.monotonic() < deadline and proc.poll() is None:
        start = process_start(proc.pid)
        if start is not None and _runs_keep(proc.pid):
            break
        time.sleep(0.005)
    if start is None or proc.poll() is not None:
        return None
    return Kept(kind=kind, pid=proc.pid, start=start, key=key, started=time.time(), **where)


def _idle_seconds(settings) -> str:
    return repr(max(0.0, float(settings.helpers_idle_minutes)) * 60)


def _usable(kept: Kept | None, kind: str, key: str) -> bool:
    """An entry of this kind and key, with somewhere to reach it, whose process is the one recorded."""
    if kept is None or kept.kind != kind or kept.key != key:
        return False
    return bool(kept.port if kind == "prefect" else kept.socket) and kept.alive()


def prefect_server(settings, startup_timeout: float = 120.0) -> Kept | None:
    """The kept Prefect API server: the recorded one when it is alive (answering, or still starting), else a
    new one (not waited for: the caller checks `/health`). None when one cannot be started."""
    folder, key = _folder(settings), helper_key("prefect")
    path = _state_file(folder, "prefect", key)
    with _state_lock(folder):
        kept = _read(path)
        fresh = kept is not None and time.time() - kept.started < startup_timeout  # still starting, maybe
        if _usable(kept, "prefect", key) and kept is not None and (fresh or healthy(kept.url)):
            return kept
        if kept is not None or path.exists():
            _discard(kept, path)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env.update(PREFECT_UI_ENABLED="0", PREFECT__SERVER_EPHEMERAL="1", PREFECT__SERVER_FINAL="1")
        try:
            proc = _spawn(folder, "prefect", ["--port", str(port), "--idle", _idle_seconds(settings)], env)
        except OSError:
            return None
        kept = _entry(proc, "prefect", key, port=port)
        if kept is not None:
            _write(path, kept)
        return kept


def docs_helper(settings, warm: bool = True) -> Kept | None:
    """The kept Data Docs helper: the recorded one when it is alive and its socket accepts, else a new one
    (its socket is bound before it imports Great Expectations, at once with `warm`, else at its first
    build: the lifecycle tests). None when one cannot be had."""
    args = ["--idle", _idle_seconds(settings), *([] if warm else ["--no-warm"])]
    return _socket_helper(_folder(settings), "docs", helper_key("docs"), args, dict(os.environ), _accepts_soon)


def find(settings, kind: str, key: str) -> Kept | None:
    """The recorded helper of `kind` and `key` when its process is the one recorded (no lock taken, no
    process started: the caller falls back when it does not answer)."""
    kept = _read(_state_file(settings.helpers_path, kind, key))
    return kept if _usable(kept, kind, key) else None


def zygote(settings, env: dict[str, str], model: bool = True) -> Kept | None:
    """The kept run zygote (flows/zygote.py) for a CLI started with `env`: the recorded one when it is alive,
    else a new one started with that environment (not waited for: it loads for seconds, then binds its
    socket). None when one cannot be started."""
    from flows.zygote import zygote_key

    args = ["--idle", _idle_seconds(settings), *([] if model else ["--no-model"])]
    return _socket_helper(_folder(settings), "zygote", zygote_key(env), args, dict(env), lambda kept: True)


def _socket_helper(folder: Path, kind: str, key: str, args: list[str], env: dict, reuse) -> Kept | None:
    """A helper of `kind` answering on `<kind>-<pid>.sock`: the recorded one when it is alive and `reuse(it)`,
    else a new one started with `args` and `env` (the state file under its lock). None when one cannot be
    started (its socket's path would be too long, or the start failed)."""
    path = _state_file(folder, kind, key)
    with _state_lock(folder):
        kept = _read(path)
        if _usable(kept, kind, key) and kept is not None and reuse(kept):
            return kept
        if kept is not None or path.exists():
            _discard(kept, path)
        if len(os.fsencode(str(folder / f"{kind}-4194304.sock"))) > SOCKET_MAX:  # the longest a pid makes it
            return None
        try:
            proc = _spawn(folder, kind, args, env)
        except OSError:
            return None
        kept = _entry(proc, kind, key, socket=str(folder / f"{kind}-{proc.pid}.sock"))
        if kept is not None:
            _write(path, kept)
        return kept


def bind_private(path: Path) -> socket.socket:
    """A listening Unix socket at `path` (an old one replaced) that only this user may connect to."""
    with contextlib.suppress(OSError):
        path.unlink()
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o077)
    try:
        srv.bind(str(path))
    finally:
        os.umask(old)
    srv.listen(16)
    return srv


def healthy(url: str, timeout: float = 2.0) -> bool:
    """Whether the Prefect API at `url` answers its `/health`."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url.rstrip("/") + "/health", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def accepts(path: str, timeout: float = 2.0) -> bool:
    """Whether a process listens on the Unix socket `path`."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(path)
        except OSError:
            return False
    return True


def _accepts_soon(kept: Kept, starting: float = 30.0) -> bool:
    """Whether the docs helper's socket accepts, waiting while the helper is young (it binds first thing)."""
    while True:
        if accepts(kept.socket):
            return True
        if time.time() - kept.started > starting or not kept.alive():
            return False
        time.sleep(0.02)


class Lease:
    """Held by a run while it runs: a shared lock of `helpers/lease`, its mtime touched at both ends."""

    def __init__(self, settings, wait: float = 30.0) -> None:
        self.path = _folder(settings) / "lease"
        self.fh = open(self.path, "a+b")  # noqa: SIM115 - held for the run
        deadline = time.monotonic() + wait
        while True:  # a helper holds it exclusively only while it removes its entry (milliseconds)
            try:
                fcntl.flock(self.fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self.fh.close()
                    raise OSError(f"the helpers' lease {self.path} stayed locked") from None
                time.sleep(0.05)
        with contextlib.suppress(OSError):
            os.utime(self.path)

    def release(self) -> None:
        if self.fh.closed:
            return
        with contextlib.suppress(OSError):
            os.utime(self.path)
        self.fh.close()


def _idle_over(folder: Path, kind: str, idle: float) -> bool:
    """True (and this helper's entry removed) when no run holds the lease and none ended in `idle` s."""
    with open(folder / "lease", "a+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a run is going
        if time.time() - os.fstat(fh.fileno()).st_mtime < idle:
            return False
        with _state_lock(folder):  # still holding the lease: a run that takes it next finds no entry
            _forget_me(folder, kind)
        return True


def _forget_me(folder: Path, kind: str) -> None:
    """Remove this process's entry of `kind` (whatever its key)."""
    for path in folder.glob(f"{kind}-*.json"):
        kept = _read(path)
        if kept is not None and kept.pid == os.getpid():
            with contextlib.suppress(OSError):
                path.unlink()


forget_me = _forget_me


def _still_mine(folder: Path, kind: str, key: str) -> bool:
    kept = _read(_state_file(folder, kind, key))
    return kept is not None and kept.pid == os.getpid()


def _watch(folder: Path, kind: str, idle: float, stop: Callable[[], None], grace: float = 30.0) -> None:
    """Until it is time to stop: idle too long, or the entry gone or another's (after `grace` s for the
    starting run to write it). Then `stop()`."""
    key, born = helper_key(kind), time.monotonic()
    step = min(max(idle / 4, 0.2), 10.0)
    while True:
        time.sleep(step)
        if time_to_stop(folder, kind, key, idle, born, grace):
            break
    stop()


def time_to_stop(folder: Path, kind: str, key: str, idle: float, born: float, grace: float = 30.0) -> bool:
    """Whether a helper started at `born` (monotonic) should stop: its entry gone or another's (after `grace`
    s for the starting run to write it), or idle too long (then its entry is removed)."""
    if time.monotonic() - born > grace and not _still_mine(folder, kind, key):
        return True
    return _idle_over(folder, kind, idle)


def entries(settings) -> list[Kept]:
    """Every recorded helper whose process is alive (any key)."""
    folder = settings.helpers_path
    out = []
    for path in sorted(folder.glob("*-*.json")) if folder.is_dir() else []:
        kept = _read(path)
        if kept is not None and kept.alive():
            out.append(kept)
    return out


def stop(settings) -> list[Kept]:
    """End every recorded helper now (their entries removed first, then SIGTERM); the ones ended."""
    folder = settings.helpers_path
    if not folder.is_dir():
        return []
    ended = []
    with _state_lock(folder):
        for path in sorted(folder.glob("*-*.json")):
            kept = _read(path)
            with contextlib.suppress(OSError):
                path.unlink()
            if kept is not None and kept.alive():
                ended.append(kept)
    for kept in ended:
        _end(kept.pid, kept.start)
        if kept.socket:
            with contextlib.suppress(OSError):
                os.unlink(kept.socket)
    return ended


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process in MB (Linux), None when unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _serve_prefect(folder: Path, port: int, idle: float) -> None:
    import uvicorn

    config = uvicorn.Config(
        "prefect.server.api.server:create_app", factory=True, host="127.0.0.1", port=port, log_level="error",
        lifespan="on",
    )  # fmt: skip
    server = uvicorn.Server(config)

    def end() -> None:
        server.should_exit = True

    threading.Thread(target=_watch, args=(folder, "prefect", idle, end), daemon=True).start()
    server.run()
    _forget_me(folder, "prefect")


def _serve_docs(folder: Path, idle: float, warm: bool) -> None:
    from expectations import docs_worker

    path = folder / f"docs-{os.getpid()}.sock"
    srv = bind_private(path)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    threading.Thread(target=_watch, args=(folder, "docs", idle, done.set), daemon=True).start()
    try:
        docs_worker.serve(srv, done, warm=warm)
    finally:
        srv.close()
        with contextlib.suppress(OSError):
            path.unlink()
        _forget_me(folder, "docs")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m flows.keep", description="a newsevents helper kept between runs")
    ap.add_argument("kind", choices=KINDS)
    ap.add_argument("--dir", type=Path, required=True)
    ap.add_argument("--idle", type=float, default=600.0, help="seconds without a run before it stops")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--no-warm", action="store_true", help="docs: import Great Expectations at the first build")
    ap.add_argument("--no-model", action="store_true", help="zygote: import the modules but load no spaCy model")
    args = ap.parse_args(argv)
    if args.kind == "zygote":
        from flows import zygote

        zygote.serve(args.dir, args.idle, model=not args.no_model)
    elif args.kind == "prefect":
        _serve_prefect(args.dir, args.port, args.idle)
    else:
        _serve_docs(args.dir, args.idle, warm=not args.no_warm)


if __name__ == "__main__":
    main()
