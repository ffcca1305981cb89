"""The flow process's memory stays flat as the corpus grows: nothing keeps a finished batch's rows alive."""

from __future__ import annotations

import gc
import weakref


class Rows:
    """Stands in for a batch's frames (`Extracted`): any object a task returns."""


def test_a_finished_batch_is_freed_once_the_flow_let_go_of_it(prefect_harness):
    """Prefect's future and its state hold each other (a done-callback), so the task's result lived until
    the next full garbage collection, rarer as the heap grows; the flow's `_let_go` drops it from the state,
    and plain reference counting frees the batch once the flow is done with it (automatic collection off
    here, so only reference counting can free it)."""
    from prefect import flow, task

    from flows.pipeline import _let_go

    refs: list[weakref.ref] = []

    @task(persist_result=False)
    def code_batch() -> Rows:
        return Rows()

    @flow(persist_result=False)
    def run() -> None:
        future = code_batch.submit()
        rows = future.result()
        _let_go(future)
        refs.append(weakref.ref(rows))

    gc.collect()
    gc.disable()
    try:
        run()
        assert refs[0]() is None  # without `_let_go` it is still alive here (Prefect 3.8)
    finally:
        gc.enable()
