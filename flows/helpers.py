"""The helper processes a run starts beside itself, started here (flows/ owns processes, not expectations/).

In: nothing. Out: `start_docs_helper()` — the Data Docs helper (`expectations.docs_worker.COMMAND`: it
imports Great Expectations while the run works and writes the docs at its end), started once per process,
attached to `expectations.docs_worker` for its `build`, given SIGTERM if this process dies (even by
SIGKILL) and stopped at exit.
"""

from __future__ import annotations

import atexit
import subprocess

from expectations import docs_worker
from flows.stopping import die_with_parent, stop_child


def start_docs_helper() -> None:
    """Boot the Data Docs helper (once per process: not again while one is attached and alive)."""
    if docs_worker.running():
        return
    proc = subprocess.Popen(
        docs_worker.COMMAND,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        preexec_fn=die_with_parent,
    )
    docs_worker.attach(proc)
    atexit.register(stop_child, proc)
