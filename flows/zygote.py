"""The kept run zygote: a process that has imported the run's code and loaded the model, forking one child per run.

In: `newsevents run`'s command line, working folder, environment and standard streams. Out, for the CLI:
`run_through(argv)` — the run's exit status when a kept zygote ran it (the CLI then exits with it), None
when none could (no zygote for this key, refused, no socket): the CLI then runs in-process, as without
one. For the zygote (`python -m flows.keep zygote`, started by flows/keep.py like the other kept helpers):
`serve(folder, idle, model)`.

What it holds: Prefect, polars, DuckDB, the flows' and transforms' modules imported, and (`model`) the
spaCy model with the built-in dictionaries and their matchers (from the start-up cache), warmed — what a
small run spends most of its CPU on before it codes anything. It answers on a Unix socket
(`helpers/zygote-<pid>.sock`, the user's only) one request at a time: the CLI sends its key, argv, working
folder and environment, and its stdin, stdout and stderr (`socket.send_fds`). The zygote checks the key
and that it runs no other thread, then forks; the child starts a session of its own, takes the three
descriptors as 0, 1 and 2, changes to the folder, takes the environment, and runs the CLI's own `main`
(settings read there, from its argv, environment and pyproject, as in-process). It says "ok <pid>" on the
socket, and its exit status when it ends (flows/stopping.exit_process); the zygote writes it too when it
reaps a child that could not (killed by a signal: 128 + N). The CLI exits with the first it reads.
SIGINT, SIGTERM and SIGHUP the CLI receives are sent on the socket and raised in the child; a CLI that
goes away (closed socket) is a SIGTERM to its child (flows/stopping.py ends the run's own processes).

The key (`zygote_key`) covers what the zygote preloaded: the Python, this environment's installed packages
(the names and versions of site-packages), the project's code, dictionaries, SQL and suites (each file's
path, size and modification time), and every variable read at import or by the settings
(`NEWSEVENTS_*`, `PREFECT_*`, `GX_*`, `SPACY*`, `PYTHON*`, `TQDM_*`, `DASK_*`, `HOME`, `XDG_CACHE_HOME`,
`TZ`, `LANG`, `LC_*`, `TMPDIR`, `VIRTUAL_ENV`). Anything else — no zygote, another key, `--verbose` (Prefect's
logging is set at import), `--no-keep`, a closed standard stream, a refusal — is the normal path, with
one debug log line.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib
import io
import json
import logging
import os
import select
import signal
import socket
import struct
import sys
import threading
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
_CODE = ("flows", "transforms", "expectations", "warehouse")
_ENV_PREFIXES = ("NEWSEVENTS_", "PREFECT_", "GX_", "SPACY", "PYTHON", "TQDM_", "DASK_", "LC_")
_ENV_NAMES = ("HOME", "XDG_CACHE_HOME", "TZ", "LANG", "TMPDIR", "VIRTUAL_ENV")
_HEAD = struct.Struct("!I")  # the request's length, sent with the descriptors
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
CONNECT_SECONDS = 5.0  # the zygote answers a request in milliseconds; a busy machine may take longer
CHILD = False  # set in a zygote's child: its run never asks a zygote again
log = logging.getLogger("newsevents.zygote")


def relevant_env(env: dict[str, str]) -> dict[str, str]:
    """The variables that change what a run's modules read at import or its settings (see the docstring)."""
    return {k: v for k, v in env.items() if k.startswith(_ENV_PREFIXES) or k in _ENV_NAMES}


def zygote_key(env: dict[str, str]) -> str:
    """What a zygote started under `env` preloaded (a hex digest): another value, another zygote."""
    digest = hashlib.sha256()
    digest.update(f"{sys.executable}\n{sys.version}\n".encode())
    for name, value in sorted(relevant_env(env).items()):
        digest.update(f"{name}={value}\0".encode("utf-8", "surrogateescape"))
    for folder in sorted({Path(p) for p in sys.path if p.endswith("-packages") and Path(p).is_dir()}):
        with contextlib.suppress(OSError):
            digest.update("\0".join(sorted(os.listdir(folder))).encode("utf-8", "surrogateescape"))
    for top in _CODE:
        for here, dirs, files in os.walk(_ROOT / top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                with contextlib.suppress(OSError):
                    st = os.stat(os.path.join(here, name))
                    digest.update(f"{here}/{name} {st.st_size} {st.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:16]


# --- the CLI's side ----------------------------------------------------------------------------------------


def wanted(argv: list[str]) -> bool:
    """Whether this command line may go through a zygote: `run`, without `--no-keep`, `--verbose` or `--help`."""
    if len(argv) < 2 or argv[1] != "run":
        return False
    return not any(a in ("--no-keep", "--verbose", "-v", "--help") for a in argv[2:])


def run_through(argv: list[str], settings, env: dict[str, str]) -> int | None:
    """Run `argv` in a child of the kept zygote; its exit status, or None when it could not be started
    there (then nothing ran: the caller runs in-process)."""
    from flows import keep

    key = zygote_key(env)
    kept = keep.find(settings, "zygote", key)
    if kept is None:
        log.debug("no kept zygote for key %s", key)
        return None
    sock = _connect(kept)
    if sock is None:
        log.debug("kept zygote at %s does not answer", kept.socket)
        return None
    try:
        request = {"key": key, "argv": argv, "cwd": os.getcwd(), "env": env, "started": _started(), **_process()}
        payload = json.dumps(request).encode("utf-8", "surrogateescape")
        socket.send_fds(sock, [_HEAD.pack(len(payload))], [0, 1, 2])
        sock.sendall(payload)
        reader = sock.makefile("rb")
        answer = reader.readline().decode().split()
    except (OSError, ValueError) as exc:
        log.debug("kept zygote at %s not used: %s", kept.socket, exc)
        sock.close()
        return None
    if len(answer) != 2 or answer[0] != "ok":
        log.debug("kept zygote refused the run: %s", " ".join(answer) or "no answer")
        sock.close()
        return None
    sock.settimeout(None)
    return _wait(sock, reader)


def _started() -> float | None:
    """When this command started (seconds after boot), for the run's "seconds from the command's start"."""
    from flows.keep import process_start

    start = process_start(os.getpid())  # clock ticks after boot (Linux); None or "?" elsewhere
    return int(start) / os.sysconf("SC_CLK_TCK") if start and start.isdigit() else None


_LIMITS = ("RLIMIT_AS", "RLIMIT_DATA", "RLIMIT_RSS", "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_CPU", "RLIMIT_FSIZE")


def _process() -> dict:
    """What else a process inherits that the run must take from this CLI: umask, niceness, CPU affinity and
    resource limits (`nice`, `taskset`, `ulimit` apply to the run as in-process)."""
    import resource

    mask = os.umask(0o022)
    os.umask(mask)
    limits = {n: resource.getrlimit(getattr(resource, n)) for n in _LIMITS if hasattr(resource, n)}
    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {"umask": mask, "nice": os.getpriority(os.PRIO_PROCESS, 0), "affinity": affinity, "limits": limits}


def _take_process(request: dict) -> None:
    """The CLI's umask, niceness, affinity and limits, in the child (what cannot be set is left as it is)."""
    import resource

    os.umask(int(request.get("umask", 0o022)))
    with contextlib.suppress(OSError, TypeError, ValueError):
        os.setpriority(os.PRIO_PROCESS, 0, int(request["nice"]))
    with contextlib.suppress(OSError, TypeError, ValueError, AttributeError):
        if request.get("affinity"):
            os.sched_setaffinity(0, request["affinity"])
    for name, (soft, hard) in (request.get("limits") or {}).items():
        with contextlib.suppress(OSError, TypeError, ValueError, AttributeError):
            resource.setrlimit(getattr(resource, name), (soft, hard))


def _connect(kept) -> socket.socket | None:
    """A connection to the zygote's socket; None when it does not accept (it binds only once it has loaded: a
    run never waits for a young one, it runs in-process)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(CONNECT_SECONDS)
    try:
        sock.connect(kept.socket)
    except OSError:
        sock.close()
        return None
    return sock


def _wait(sock: socket.socket, reader) -> int:
    """Forward this process's signals to the child until the zygote reports its exit status."""

    def forward(signum, _frame) -> None:
        with contextlib.suppress(OSError):
            sock.send(bytes([signum]))

    previous = {}
    for sig in FORWARDED:
        with contextlib.suppress(ValueError, OSError):
            previous[sig] = signal.signal(sig, forward)
    try:
        while True:
            try:
                line = reader.readline()
            except OSError:
                line = b""
            if not line:  # the zygote ended (killed) before its child: the run's end is unknown here
                os.write(2, b"newsevents: the run's process ended without an exit status (its zygote stopped)\n")
                return 1
            words = line.decode(errors="replace").split()
            if len(words) == 2 and words[0] == "exit" and words[1].isdigit():
                return int(words[1])
    finally:
        sock.close()
        for sig, handler in previous.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(sig, handler)


# --- the zygote's side -------------------------------------------------------------------------------------


# What a small run (one new file) still imported after the imports above, measured (~0.4 CPU s a run): Prefect's
# flow engine's lazy imports (FastAPI and Starlette for its schemas, graphviz, OpenTelemetry, AnyIO) and the
# CLI's server module. Not pyarrow: it starts an allocator thread at import.
_LATER = (
    "flows.server",
    "flows.keep",
    "prefect.utilities.visualization",
    "fastapi",
    "fastapi.security",
    "fastapi.openapi.utils",
    "starlette.middleware",
    "anyio.streams.memory",
    "opentelemetry.metrics",
    "opentelemetry._logs",
    "multiprocessing.popen_fork",
    "multiprocessing.synchronize",
)


def preload(model: bool) -> None:
    """Import what a run imports, and (`model`) load the spaCy model and the built-in dictionaries' matchers."""
    from flows import cli

    cli.prefect_environment(False)
    import duckdb  # noqa: F401
    import prefect.flow_engine  # noqa: F401
    import prefect.task_engine  # noqa: F401
    from prefect.client.orchestration import get_client  # noqa: F401

    from flows import pipeline, summary  # noqa: F401
    from flows.settings import load_settings
    from warehouse import connect, known  # noqa: F401

    for name in _LATER:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    if model:
        pipeline._ready(load_settings())


def _threads() -> list[str]:
    """Python threads other than this one: forking with one would leave its locks held in the child."""
    return [t.name for t in threading.enumerate() if t is not threading.current_thread()]


def serve(folder: Path, idle: float, model: bool = True) -> None:
    """The zygote's main: preload, then answer runs on `helpers/zygote-<pid>.sock` until idle or replaced."""
    from flows import keep

    key = zygote_key(dict(os.environ))
    preload(model)
    path = folder / f"zygote-{os.getpid()}.sock"
    srv = keep.bind_private(path)
    _note(f"ready on {path} (model {'loaded' if model else 'not loaded'})")
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    stopping = []
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    children: dict[int, socket.socket] = {}
    step = min(max(idle / 4, 0.2), 10.0)
    born = time.monotonic()
    try:
        while not stopping:
            ready, _, _ = select.select([srv.fileno(), wake_r], [], [], step)
            if wake_r in ready:
                with contextlib.suppress(OSError):
                    os.read(wake_r, 512)
            _reap(children)
            if srv.fileno() in ready:
                with contextlib.suppress(OSError):
                    conn, _ = srv.accept()
                    pid = _answer(conn, key, srv, (wake_r, wake_w))
                    if pid:
                        children[pid] = conn
                    else:
                        conn.close()
            if not children and keep.time_to_stop(folder, "zygote", key, idle, born):
                break
    finally:
        srv.close()
        with contextlib.suppress(OSError):
            path.unlink()
        keep.forget_me(folder, "zygote")
    while children:  # runs still going: their CLIs wait for the status
        with contextlib.suppress(ChildProcessError):
            os.waitpid(-1, 0)
        _reap(children)


def _reap(children: dict[int, socket.socket]) -> None:
    """Tell each ended child's CLI its exit status."""
    for pid in list(children):
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done, status = pid, 1 << 8
        if not done:
            continue
        conn = children.pop(pid)
        code = os.waitstatus_to_exitcode(status)
        code = 128 - code if code < 0 else code  # killed by signal N: 128 + N, as a shell reports it
        with contextlib.suppress(OSError):
            conn.sendall(f"exit {code}\n".encode())
        conn.close()
        _note(f"run {pid} ended: exit {code}")


def _note(text: str) -> None:
    """One line in the zygote's log (its stderr: helpers/zygote.log)."""
    with contextlib.suppress(Exception):
        print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} zygote {os.getpid()}: {text}", file=sys.stderr, flush=True)


def _answer(conn: socket.socket, key: str, srv: socket.socket, wake: tuple[int, int]) -> int | None:
    """Read one request and fork its child; the child's pid, None when refused (the CLI runs it itself)."""
    fds: list[int] = []
    try:
        conn.settimeout(CONNECT_SECONDS)
        head, fds, _, _ = socket.recv_fds(conn, _HEAD.size, 3)
        request = _request(conn, head, fds)
        refused = "key" if request.get("key") != key else "threads" if _threads() else ""
        refused = refused or ("user" if _peer_uid(conn) not in (None, os.getuid()) else "")
        if refused:
            _note(f"refused a run: {refused}")
            conn.sendall(f"no {refused}\n".encode())
        else:
            pid = os.fork()
            if pid == 0:
                _child(conn, fds, request, srv, wake)  # never returns
            _note(f"run {pid} started in {request.get('cwd')}")
            return pid
    except (OSError, ValueError, struct.error) as exc:
        with contextlib.suppress(OSError):
            conn.sendall(f"no {type(exc).__name__}\n".encode())
    finally:
        for fd in fds:  # the child has them (it took them as 0, 1 and 2)
            with contextlib.suppress(OSError):
                os.close(fd)
    return None


def _peer_uid(conn: socket.socket) -> int | None:
    """The user of the process at the other end (Linux `SO_PEERCRED`; None elsewhere): only ours is served."""
    if not hasattr(socket, "SO_PEERCRED"):
        return None
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


def _request(conn: socket.socket, head: bytes, fds: list[int]) -> dict:
    """The request's JSON (key, argv, cwd, env), read whole; ValueError when it is not one."""
    if len(fds) != 3 or len(head) != _HEAD.size:
        raise ValueError("a request with three descriptors expected")
    (size,) = _HEAD.unpack(head)
    payload = b""
    while len(payload) < size:
        chunk = conn.recv(size - len(payload))
        if not chunk:
            raise ValueError("the request ended early")
        payload += chunk
    request = json.loads(payload.decode("utf-8", "surrogateescape"))
    if not isinstance(request, dict):
        raise ValueError("not a request")
    return request


def _child(conn: socket.socket, fds: list[int], request: dict, srv: socket.socket, wake: tuple[int, int]) -> None:
    """The run: the CLI's streams, folder, environment and argv, then the CLI's own main; exits."""
    code = 1
    try:
        os.setsid()
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        srv.close()
        for fd in wake:
            os.close(fd)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        _streams()
        os.chdir(request["cwd"])
        _take_process(request)
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = list(request["argv"])
        conn.settimeout(None)
        conn.sendall(f"ok {os.getpid()}\n".encode())
        from flows.stopping import ON_EXIT

        ending = threading.Event()  # set once the status is told: the CLI then exits and closes the socket

        def tell(status: int) -> None:  # the zygote may be gone by then
            ending.set()
            conn.sendall(f"exit {status}\n".encode())

        ON_EXIT.append(tell)
        threading.Thread(target=_watch_cli, args=(conn, ending), name="newsevents-cli-watch", daemon=True).start()
        global CHILD
        CHILD = True
        from flows import cli, summary

        if isinstance(request.get("started"), float):
            summary.COMMAND_STARTED.append(request["started"])

        cli.fresh_consoles()
        try:
            cli.main()
            code = 0
        except SystemExit as exc:
            code = _exit_code(exc.code)
    except BaseException:  # noqa: BLE001 - as the interpreter would: the traceback on the CLI's stderr
        import traceback

        with contextlib.suppress(Exception):
            traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(BaseException):
            atexit._run_exitfuncs()  # as at a process's end (a run's lease is released, its mtime touched)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):
                stream.flush()
        from flows.stopping import exit_process

        exit_process(code)


def _exit_code(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    with contextlib.suppress(Exception):
        print(code, file=sys.stderr)
    return 1


def _streams() -> None:
    """Python's stdin, stdout and stderr again over descriptors 0-2 (now the CLI's), line-buffered on a terminal."""
    enc = sys.stdout.encoding if sys.stdout is not None else "utf-8"
    sys.stdin = open(0, encoding=enc, closefd=False)  # noqa: SIM115
    setattr(sys, "__stdin__", sys.stdin)  # noqa: B010 - the original streams are the CLI's now
    for fd, name, errors in ((1, "stdout", "strict"), (2, "stderr", "backslashreplace")):
        stream = io.TextIOWrapper(
            open(fd, "wb", closefd=False),  # noqa: SIM115
            encoding=enc,
            errors=errors,
            line_buffering=os.isatty(fd),
            write_through=name == "stderr",
        )
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def _watch_cli(conn: socket.socket, ending: threading.Event) -> None:
    """Raise here each signal the CLI forwards; when the CLI goes away before this run told it its status,
    SIGTERM (the run stops, one line)."""
    while True:
        try:
            data = conn.recv(64)
        except OSError:
            data = b""
        if not data:
            if not ending.is_set():
                os.kill(os.getpid(), signal.SIGTERM)
            return
        for signum in data:
            with contextlib.suppress(OSError, ValueError):
                os.kill(os.getpid(), signum)
