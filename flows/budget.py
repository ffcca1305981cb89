"""A time budget for one call of pure Python code (the extraction of one document).

In: seconds (0 or less: no budget). Out: a context manager; when the code inside
runs past the budget, `BudgetExceeded` is raised inside it, in the thread that
runs it (main thread or a Dask worker's thread alike): a watchdog timer
asks the interpreter to raise the exception asynchronously in that thread
(`PyThreadState_SetAsyncExc`), which takes effect at the next Python
instruction. C code (spaCy's parser) is not interrupted; the extractor is Python.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
from collections.abc import Iterator


class BudgetExceeded(Exception):  # noqa: N818 - the name says what happened
    """The code ran past its time budget."""


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else None)


@contextlib.contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise `BudgetExceeded` inside the block when it runs longer than `seconds`."""
    if seconds <= 0:
        yield
        return
    target = threading.get_ident()
    guard = threading.Lock()
    state = {"armed": True, "fired": False}

    def fire() -> None:
        with guard:
            if state["armed"]:
                state["fired"] = True
                _raise_in(target, BudgetExceeded)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with guard:
            state["armed"] = False
            if state["fired"]:
                _raise_in(target, None)  # clear an exception not delivered yet: it must not land later
