"""Worker processes that parse and extract a batch: both cores do all per-document work.

In: a batch of `Document`s, the loaded spaCy pipeline and `Lexicon`, the number of processes and the
per-document extraction budget. Out: `Coded`: the documents coded, their event rows and actor maps (plain
dicts), the rejections of documents the extractor failed on (stage `extract`, reason `extract_error` or
`extract_timeout`) and the seconds of spaCy and of extraction summed over the workers.

The batch is cut into shares (about four per process, in order, so a slow share does not hold the others
up) and each share runs `transforms.code.code_documents` in a forked process: the children inherit the
loaded model, the dictionaries and their matchers (warmed before the fork), and send back plain rows only,
never spaCy docs. With one process (or inside a daemonic process, such as a Dask worker, which cannot
start children: `transforms.nlp.processes`) the batch is coded here. A worker process that dies sends its
share's documents to quarantine (`extract_error`), the rest of the batch goes on.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

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


def code_batch(docs: list[Document], nlp, lex, n_process: int, timeout: float) -> Coded:
    """Code a batch in `n_process` worker processes (0: one per core), in the documents' order."""
    n = processes(n_process, len(docs))
    if n <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return code_here(docs, nlp, lex, timeout)
    _INHERITED.update(nlp=nlp, lex=lex)
    out = Coded()
    parts = shares(docs, n * SHARES_PER_PROCESS)
    with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = [pool.submit(_share, part, timeout) for part in parts]
        for part, future in zip(parts, futures, strict=True):
            try:
                out.add(future.result())
            except BrokenProcessPool as exc:
                why = f"a worker process died while coding it ({exc or 'killed'})"
                out.failed += [Rejection(d.uri, "extract", "extract_error", why) for d in part]
    return out
