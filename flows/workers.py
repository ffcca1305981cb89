"""Worker processes that parse and extract a batch: both cores do all per-document work.

In: a batch of `Document`s, the loaded spaCy pipeline and `Lexicon`, the number of processes and the
per-document extraction budget. Out: `Coded`: the documents coded, their event rows and actor maps (plain
dicts), the rejections of documents the extractor failed on (stage `extract`, reason `extract_error` or
`extract_timeout`) and the seconds of spaCy and of extraction summed over the workers.

The batch is cut into shares (about four per process, in order, so a slow share does not hold the others
up) and each share runs `transforms.code.code_documents` in a forked process: the children inherit the
loaded model, the dictionaries and their matchers (warmed before the fork), and send back plain rows only,
never spaCy docs. With one process (or inside a daemonic process, such as a Dask worker, which cannot
start children: `transforms.nlp.processes`) the batch is coded here.

A worker process that dies (a segfault in a native library, the kernel's OOM killer) breaks the pool and
every share not finished yet. Those shares are coded again, each in a fresh forked process, `n_process` at
a time; a share whose process dies again is halved, and the halves coded again, until the document that
kills its process is alone: only it goes to quarantine (`extract_error`, with the signal or exit code),
every other document of the batch is coded. A document that kills its worker costs about 2·log2(share)
extra parses of parts of its share.

A run keeps one pool for all its batches (`Workers`): forked once, after the model and the matchers are
warmed, and fed continuously: the shares of the next batch are queued as soon as the current batch's are
handed out, so the workers never wait for the flow to validate and load a batch, and a batch's slowest
share no longer leaves a core idle (only the run's last share can). `Workers.submit` queues a batch and
returns at once; `Workers.result` waits for that batch's shares, in order. A dead worker breaks the pool
and every unfinished share of every batch in flight: each batch's broken shares are isolated as above
when its result is asked for, and the next `submit` forks a fresh pool. `code_batch` is one batch
through a pool of its own (the Dask path codes in place: a Dask worker is daemonic).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import cast

from flows.budget import BudgetExceeded, time_budget
from transforms.code import CodedBatch, code_documents
from transforms.documents import Document, Rejection
from transforms.nlp import processes

SHARES_PER_PROCESS = 4


@dataclass
class Coded:
    kept: list[Document] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    actors: list[dict[str, dict]] = field(default_factory=list)
    failed: list[Rejection] = field(default_factory=list)
    nlp_seconds: float = 0.0
    extract_seconds: float = 0.0

    def add(self, other: Coded) -> None:
        self.kept += other.kept
        self.events += other.events
        self.actors += other.actors
        self.failed += other.failed
        self.nlp_seconds += other.nlp_seconds
        self.extract_seconds += other.extract_seconds


def rejection(doc: Document, exc: BaseException, timeout: float) -> Rejection:
    """The quarantine row of a document the extractor failed on or ran out of time with."""
    if isinstance(exc, BudgetExceeded):
        detail = f"the extractor spent more than {timeout:g} s on it (--extract-timeout)"
        return Rejection(doc.uri, "extract", "extract_timeout", detail)
    why = str(exc).splitlines()[0] if str(exc) else ""
    return Rejection(doc.uri, "extract", "extract_error", f"the extractor failed: {type(exc).__name__}: {why}")


def _plain(batch: CodedBatch, timeout: float) -> Coded:
    failed = [rejection(doc, exc, timeout) for doc, exc in batch.failed]
    return Coded(batch.kept, batch.events, batch.actors, failed, batch.nlp_seconds, batch.extract_seconds)


def code_here(docs: list[Document], nlp, lex, timeout: float) -> Coded:
    """Parse and extract in this process."""
    return _plain(code_documents(docs, nlp, lex, guard=lambda: time_budget(timeout)), timeout)


_INHERITED: dict = {}  # set before the fork: the children read the model and the dictionaries from here


def _share(docs: list[Document], timeout: float) -> Coded:
    return code_here(docs, _INHERITED["nlp"], _INHERITED["lex"], timeout)


def shares(docs: list[Document], n: int) -> list[list[Document]]:
    """`docs` cut in order into about `n` shares of nearly equal counts (none empty)."""
    n = max(1, min(n, len(docs)))
    size, extra = divmod(len(docs), n)
    out, start = [], 0
    for k in range(n):
        end = start + size + (k < extra)
        out.append(docs[start:end])
        start = end
    return [s for s in out if s]


class Ticket:
    """A batch handed to `Workers.submit`: its documents and, when the pool codes it, its shares' futures."""

    __slots__ = ("docs", "parts")

    def __init__(self, docs: list[Document], parts: list[tuple[int, list[Document], Future]] | None) -> None:
        self.docs, self.parts = docs, parts


class Workers:
    """One pool of forked worker processes for a whole run (see the module docstring).

    `with Workers(nlp, lex, n_process, timeout) as pool: tickets = [pool.submit(b) for b in batches];
    coded = [pool.result(t) for t in tickets]`. A batch too small to share (`processes`) is coded in this
    process when its result is asked for, unless the pool is already running; no pool is forked for a
    run that never needs one. Leaving the block ends the worker processes (on an error at once)."""

    def __init__(self, nlp, lex, n_process: int, timeout: float) -> None:
        self.nlp, self.lex, self.n_process, self.timeout = nlp, lex, n_process, timeout
        self.n = processes(n_process)  # sized again by the first batch that starts the pool
        self.pool: ProcessPoolExecutor | None = None

    def _fresh_pool(self) -> ProcessPoolExecutor:
        _INHERITED.update(nlp=self.nlp, lex=self.lex)
        # with "fork", the executor starts all its processes at the first submit: one fork per pool
        return ProcessPoolExecutor(max_workers=self.n, mp_context=multiprocessing.get_context("fork"))

    def _queue(self, part: list[Document]) -> Future:
        if self.pool is None:
            self.pool = self._fresh_pool()
        try:
            return self.pool.submit(_share, part, self.timeout)
        except BrokenProcessPool:  # a worker died since the last batch: its shares are isolated; start afresh
            self.pool.shutdown(wait=False)
            self.pool = self._fresh_pool()
            return self.pool.submit(_share, part, self.timeout)

    def submit(self, docs: list[Document], ahead: bool = False) -> Ticket:
        """Queue a batch's shares and return at once (a small batch with no pool running waits for `result`,
        unless `ahead`: the caller has serial work of its own to do before it asks, so even a few documents
        are worth forking for, one process a document up to `n_process`)."""
        forkable = "fork" in multiprocessing.get_all_start_methods()
        wanted = processes(self.n_process, len(docs))
        ahead = ahead and self.pool is None and processes(self.n_process) > 1  # (a daemon cannot fork: 1)
        if ahead:
            wanted = min(processes(self.n_process), len(docs))
        if not forkable or (self.pool is None and wanted <= 1 and not ahead):
            return Ticket(docs, None)
        if self.pool is None:
            self.n = max(1, wanted)
        parts = shares(docs, self.n * SHARES_PER_PROCESS)
        starts = [sum(len(p) for p in parts[:k]) for k in range(len(parts))]
        return Ticket(docs, [(start, part, self._queue(part)) for start, part in zip(starts, parts, strict=True)])

    def result(self, ticket: Ticket) -> Coded:
        """The batch's rows, in the documents' order; shares a dead worker left unfinished are isolated."""
        if ticket.parts is None:
            return code_here(ticket.docs, self.nlp, self.lex, self.timeout)
        done: dict[int, Coded] = {}  # position in the batch of a coded share's first document → its rows
        broken: list[tuple[int, list[Document]]] = []
        for start, part, future in ticket.parts:
            try:
                done[start] = future.result()
            except BrokenProcessPool:  # a worker died: this share and every unfinished one are coded again
                broken.append((start, part))
        if broken:
            done.update(isolate(broken, self.n, self.timeout))
        out = Coded()
        for start in sorted(done):
            out.add(done[start])
        return out

    def close(self, at_once: bool = False) -> None:
        """End the worker processes: after their current share, or `at_once` (an error: nothing more is read)."""
        pool, self.pool = self.pool, None
        if pool is None:
            return
        if at_once:
            for proc in list(getattr(pool, "_processes", {}).values()):  # the executor has no public kill
                with contextlib.suppress(OSError):
                    proc.kill()
        pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, exc_type, *_) -> None:
        self.close(at_once=exc_type is not None)


def code_batch(docs: list[Document], nlp, lex, n_process: int, timeout: float) -> Coded:
    """Code one batch in `n_process` worker processes (0: one per core), in the documents' order."""
    with Workers(nlp, lex, n_process, timeout) as pool:
        return pool.result(pool.submit(docs))


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


def _alone(conn: Connection, docs: list[Document], timeout: float) -> None:
    """A fresh worker's work: code `docs` and send the rows back (nothing is sent when it dies)."""
    try:
        conn.send(_share(docs, timeout))
    finally:
        conn.close()


def isolate(parts: list[tuple[int, list[Document]]], n: int, timeout: float) -> dict[int, Coded]:
    """Code `(first position, documents)` parts in fresh forked processes, `n` at a time; halve a part whose
    process dies until the document that kills it is alone, and quarantine that document only."""
    ctx = multiprocessing.get_context("fork")
    todo = deque(parts)
    running: dict[Connection, tuple[int, list[Document], multiprocessing.process.BaseProcess]] = {}
    done: dict[int, Coded] = {}
    while todo or running:
        while todo and len(running) < n:
            start, part = todo.popleft()
            recv, send = ctx.Pipe(duplex=False)
            child = ctx.Process(target=_alone, args=(send, part, timeout), daemon=True)
            child.start()
            send.close()  # the child holds the only write end: its death is an end of file here
            running[recv] = (start, part, child)
        for ready in wait(list(running)):
            conn = cast(Connection, ready)  # `wait` hands back the connections it was given
            start, part, proc = running.pop(conn)
            coded: Coded | None
            try:
                coded = conn.recv()
            except (EOFError, OSError):
                coded = None
            conn.close()
            proc.join()
            if coded is not None:
                done[start] = coded
            elif len(part) == 1:
                why = f"a worker process died while coding it ({_death(proc.exitcode)})"
                done[start] = Coded(failed=[Rejection(part[0].uri, "extract", "extract_error", why)])
            else:
                half = len(part) // 2
                todo.extend([(start, part[:half]), (start + half, part[half:])])
    return done
