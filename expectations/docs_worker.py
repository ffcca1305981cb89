"""The Data Docs written by a helper process that imports Great Expectations while the run works.

In: a child `COMMAND` (`python -m expectations.docs_worker`) that the CLI starts when a run has work and
Data Docs are on (`flows/helpers.start_docs_helper`, which `attach`es it here): it imports GX and builds
its context and suites at once — seconds of CPU on the other core instead of in the flow's process — then
waits; `build(log, directory)` sends it the run's `ValidationLog` (pickled: plain outcomes, no GX objects)
and returns the index it wrote. Out: exactly the Data Docs `ValidationLog.build_data_docs` writes (the
child calls it). With no child (serve, tests, none attached) or a child that died, the docs are built in
this process as before; a build error in the child is raised here as an `OSError` with its message (the
flow logs it, as before). Starting and stopping the process is flows/' business, not this module's.
"""

from __future__ import annotations

import contextlib
import pickle
import subprocess
import sys
from pathlib import Path

_CHILD: dict[str, subprocess.Popen] = {}


COMMAND = [sys.executable, "-m", "expectations.docs_worker"]  # the helper; its stdin and stdout are pipes


def running() -> bool:
    """Whether a helper is attached and alive."""
    return "proc" in _CHILD and _CHILD["proc"].poll() is None


def attach(proc: subprocess.Popen) -> None:
    """Use this started `COMMAND` process (stdin and stdout piped) for the next `build`."""
    _CHILD["proc"] = proc


def build(log, directory: Path) -> Path | None:
    """The run's Data Docs in `directory`: by the helper when it runs, else here."""
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
