"""SIGTERM and SIGINT stop a run at once, with one line, holding nothing.

In: nothing (call `stop_on_signals()` in the main thread). Out: handlers that,
on SIGTERM or SIGINT, print one line to stderr, end this process's own child
processes (spaCy workers, the temporary Prefect server) and exit with status
128 + the signal's number, without waiting for Prefect to report the flow run
to a server that may be gone (that took ~40 s of `ConnectError`s); the kept helpers (flows/keep.py, in
their own session) are left to serve the next run. Nothing is
lost that a re-run does not redo: each batch loads in one DuckDB transaction
(an unfinished one is rolled back when the file is next opened), and the
warehouse's run lock is an `flock` the kernel drops with the process.
Also the helpers' own ends: `die_with_parent` (a child's `preexec_fn`) and
`stop_child` (SIGTERM, then SIGKILL), for the helper processes a run starts.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

MESSAGE = "newsevents: stopped by {name}: whole documents loaded so far are kept; run again to finish\n"
ON_EXIT: list[Callable[[int], None]] = []  # told the exit status just before `exit_process` ends the process


def exit_process(code: int) -> None:
    """`os._exit(code)`, first telling `ON_EXIT` (a zygote's child tells its CLI: flows/zygote.py)."""
    for hook in ON_EXIT:
        with contextlib.suppress(Exception):
            hook(code)
    os._exit(code)


def _children() -> list[int]:
    """Pids of this process's children in its own session (Linux /proc; elsewhere none are known): not the
    kept helpers it started (flows/keep.py: their own session, they serve the next runs)."""
    me, session = str(os.getpid()), str(os.getsid(0))
    out = []
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, IndexError):
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
                if fields[1].decode() == me and fields[3].decode() == session:
                    out.append(int(entry.name))
    return out


def stop_now(signum: int) -> None:
    """Stop this process as a SIGTERM/SIGINT would inside `stop_on_signals` (for handlers others install)."""
    _stop(signum, None)


def _stop(signum: int, _frame) -> None:
    with contextlib.suppress(Exception):
        os.write(2, MESSAGE.format(name=signal.Signals(signum).name).encode())
    children = _children()
    for pid in children:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    _reap(children, deadline=time.monotonic() + 1.0)
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    exit_process(128 + signum)


def _reap(pids: list[int], deadline: float) -> None:
    """Wait (until `deadline`) for the signalled children to end, so none is left behind as a zombie for an
    init that may reap late (the temporary Prefect server, the Data Docs helper, the worker pool)."""
    left = set(pids)
    while left and time.monotonic() < deadline:
        for pid in list(left):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except OSError:  # not ours to wait for, or already reaped
                done = pid
            if done:
                left.discard(pid)
        if left:
            time.sleep(0.02)


def die_with_parent() -> None:
    """A child's `preexec_fn`, on Linux: the child gets SIGTERM when this process dies, even by SIGKILL (no
    orphan helper: the temporary Prefect server, the Data Docs helper)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def stop_child(proc: subprocess.Popen) -> None:
    """End a helper process: SIGTERM, then SIGKILL after 10 s; reaped either way."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """While inside: SIGTERM and SIGINT stop the process within a second, with one line."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals are the main thread's; a worker thread's run is stopped with its process
        return
    previous = {}
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(ValueError, OSError):
            previous[sig] = signal.signal(sig, _stop)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(sig, handler)
