"""The Data Docs written by a helper process that imports Great Expectations while the run works.

In: a helper that flows/ starts and `attach`es here, of one of two kinds:
- a child `COMMAND` (`python -m expectations.docs_worker`, stdin and stdout piped) of this run
  (`flows/helpers.start_docs_helper`): it imports GX and builds its context and suites at once — seconds
  of CPU on the other core instead of in the flow's process — then waits for one request and ends;
- a kept helper's Unix socket (`attach_socket`; flows/keep.py starts it and runs `serve` in it): GX is
  imported once for many runs, each request answered in turn.
`build(log, directory)` sends the helper the run's `ValidationLog` (pickled: plain outcomes, no GX objects)
and returns the index it wrote; to a kept helper it returns the index it will write at once, and
`finish()` waits for the answer (the CLI's, after the flow: the helper builds while the flow ends).
Out: exactly the Data Docs `ValidationLog.build_data_docs` writes (the helper calls it). With no helper
(serve, tests, none attached) or one that died or does not answer, the docs are built in this process as
before; a build error in a child helper is raised here as an `OSError` with its message (the flow logs
it, as before), a kept helper's is `finish()`'s one line. Starting and stopping processes is flows/'
business, not this module's. The socket is the user's own (mode 0700 in a 0700 folder): its requests are
trusted as the user's files are.
"""

from __future__ import annotations

import contextlib
import pickle
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

_CHILD: dict[str, subprocess.Popen] = {}
_SOCKET: dict[str, str] = {}
_PENDING: dict[str, tuple] = {}  # a build sent to a kept helper: (socket, log, directory)
ANSWER_TIMEOUT = 600.0  # seconds a run waits for a kept helper's answer (it may be building another run's docs)


COMMAND = [sys.executable, "-m", "expectations.docs_worker"]  # the helper; its stdin and stdout are pipes


def running() -> bool:
    """Whether a helper is attached (a kept one's socket, or a child that is alive)."""
    return "path" in _SOCKET or ("proc" in _CHILD and _CHILD["proc"].poll() is None)


def attach(proc: subprocess.Popen) -> None:
    """Use this started `COMMAND` process (stdin and stdout piped) for the next `build`."""
    _CHILD["proc"] = proc


def attach_socket(path: str) -> None:
    """Use the kept helper listening on the Unix socket `path` for the next `build`."""
    _SOCKET["path"] = path


def _connect(path: str, timeout: float, wait: float) -> socket.socket:
    """A connection to the kept helper on `path`, waiting up to `wait` s for one that has not bound yet."""
    deadline = time.monotonic() + wait
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    while True:
        try:
            sock.connect(path)
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                sock.close()
                raise
            time.sleep(0.05)
        except OSError:
            sock.close()
            raise


def _send(sock: socket.socket, request: tuple) -> None:
    with sock.makefile("wb") as fh:
        pickle.dump(request, fh)
    sock.shutdown(socket.SHUT_WR)


def _receive(sock: socket.socket):
    try:
        with sock, sock.makefile("rb") as fh:
            return pickle.load(fh)
    except (OSError, EOFError, pickle.PickleError, ValueError):
        return "gone", None


def ask(path: str, request: tuple, timeout: float = ANSWER_TIMEOUT, wait: float = 10.0):
    """Send `request` to the kept helper on `path` (waiting up to `wait` s for a helper that has not bound its
    socket yet); its answer `(status, value)`, ("gone", None) when none answers."""
    try:
        sock = _connect(path, timeout, wait)
        _send(sock, request)
    except (OSError, pickle.PickleError):
        return "gone", None
    return _receive(sock)


def _nothing_to_build(log) -> bool:
    """Whether `log.build_data_docs` would write nothing (every batch's frame was empty), known without GX."""
    return all(getattr(r, "outcomes", None) is None for _, r in log.results)


def build(log, directory: Path) -> Path | None:
    """The run's Data Docs in `directory`: by the helper when one is attached and answers, else here.

    A kept helper is sent the request and the index it will write is returned at once: it builds while the
    flow ends, and `finish()` (the CLI's, before its summary) waits for its answer."""
    path = _SOCKET.pop("path", None)
    if path is not None:
        if _nothing_to_build(log):
            return None
        directory = Path(directory).absolute()
        try:
            sock = _connect(path, ANSWER_TIMEOUT, wait=10.0)
            _send(sock, ("build", log, directory))
        except (OSError, pickle.PickleError):
            return log.build_data_docs(directory)  # the helper is gone: build here
        _PENDING["build"] = (sock, log, directory)
        return directory / "index.html"
    proc = _CHILD.pop("proc", None)
    if proc is None or proc.poll() is not None or proc.stdin is None or proc.stdout is None:
        return log.build_data_docs(directory)
    try:
        pickle.dump((log, Path(directory)), proc.stdin)
        proc.stdin.close()
        status, value = pickle.load(proc.stdout)
    except (OSError, EOFError, pickle.PickleError):
        status, value = "gone", None
    finally:
        with contextlib.suppress(Exception):
            proc.wait(timeout=10)
    if status == "ok":
        return value
    if status == "error":
        raise OSError(value)
    return log.build_data_docs(directory)  # the helper died: build here


def finish() -> str | None:
    """Wait for the kept helper's answer to the build `build` sent (if any): None when the docs are written
    (by the helper, or here when it died), else the one-line error."""
    pending = _PENDING.pop("build", None)
    if pending is None:
        return None
    sock, log, directory = pending
    status, value = _receive(sock)
    if status == "ok":
        return None
    if status == "error":
        return str(value)
    try:
        log.build_data_docs(directory)  # the helper died or did not answer: build here
    except Exception as exc:  # noqa: BLE001 - one line, as the flow's warning
        return f"{type(exc).__name__}: {exc}"
    return None


def _answer(request) -> tuple:
    if not isinstance(request, tuple) or not request:
        return "error", "a request is a tuple"
    if request[0] == "ping":
        return "ok", "pong"
    if request[0] != "build" or len(request) != 3:
        return "error", f"unknown request {request[0]!r}"
    _, log, directory = request
    try:
        return "ok", log.build_data_docs(directory)
    except Exception as exc:  # noqa: BLE001 - one line for the flow's warning
        return "error", f"{type(exc).__name__}: {exc}"


def serve(srv: socket.socket, done: threading.Event, poll: float = 0.5, warm: bool = True) -> None:
    """A kept helper's loop on the listening socket `srv`: import GX and build the suites (with `warm`), then
    answer each connection's request (`("build", log, directory)` or `("ping",)`) in turn until `done` is
    set."""
    sys.stdout = sys.stderr  # nothing GX prints goes anywhere but the helper's log
    if warm:
        try:
            from expectations.validate import warm_gx

            warm_gx()
        except Exception:  # noqa: BLE001 - a build reports what is wrong
            pass
    srv.settimeout(poll)
    while not done.is_set():
        try:
            conn, _ = srv.accept()
        except TimeoutError:
            continue
        except OSError:
            if done.is_set():
                break
            raise
        with conn:
            conn.settimeout(60)
            try:
                with conn.makefile("rb") as fh:
                    request = pickle.load(fh)
            except (OSError, EOFError, pickle.PickleError, ValueError, AttributeError, ImportError):
                continue  # a client that went away, or no request
            answer = _answer(request)
            with contextlib.suppress(OSError), conn.makefile("wb") as fh:
                pickle.dump(answer, fh)


def _serve() -> None:
    """The child: import GX and build the suites, then build the docs it is sent and answer once."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing GX prints may corrupt the answer
    try:
        from expectations.validate import warm_gx

        warm_gx()
    except Exception:  # noqa: BLE001 - the build below reports what is wrong
        pass
    try:
        log, directory = pickle.load(sys.stdin.buffer)
    except (EOFError, OSError, pickle.PickleError):
        return  # the run ended without docs to build
    try:
        answer = ("ok", log.build_data_docs(directory))
    except Exception as exc:  # noqa: BLE001 - one line for the flow's warning
        answer = ("error", f"{type(exc).__name__}: {exc}")
    pickle.dump(answer, out)
    out.flush()


if __name__ == "__main__":
    _serve()
