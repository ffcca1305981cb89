"""The helper processes a run starts beside itself, started here (flows/ owns processes, not expectations/).

In: the run's `Settings` (or none). Out: `start_docs_helper(settings)` — the Data Docs helper attached to
`expectations.docs_worker` for its `build`: with `settings.keep_helpers`, the kept helper of flows/keep.py
(found, or started detached to serve later runs too); else, or when that cannot be had, a child
(`expectations.docs_worker.COMMAND`: it imports Great Expectations while the run works and writes the docs
at its end), started once per process, given SIGTERM if this process dies (even by SIGKILL) and stopped
at exit.
"""

from __future__ import annotations

import atexit
import subprocess

from expectations import docs_worker
from flows.stopping import die_with_parent, stop_child


def start_docs_helper(settings=None) -> None:
    """Have a Data Docs helper attached (once per process: not again while one is attached and alive)."""
    if docs_worker.running():
        return
    if settings is not None and settings.keep_helpers:
        from flows import keep

        try:
            kept = keep.docs_helper(settings)
        except OSError:  # an unwritable cache folder: a helper of this run's own
            kept = None
        if kept is not None:
            docs_worker.attach_socket(kept.socket)
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
