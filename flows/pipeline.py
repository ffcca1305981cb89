"""The Prefect flow: files → documents → spaCy docs → rows → validation → warehouse.

In: `Settings` (input paths, DB path, batch size, workers…). Out: a
`RunSummary`, the warehouse updated, a row in `runs`, and a markdown run
summary published as a Prefect artifact. Tasks work on *batches* of documents
(a task call costs ~0.1 s, so never one per document); the spaCy model is
loaded once per process. The flow first plans (stats every file, reads and
cleans the changed ones, compares content hashes and extractor version with
the warehouse: `flows.incremental`) and sends
only new or changed documents to NLP, packed into full batches and the run's
last `batch_size` documents into halving ones (`next_batch_size`: both workers
finish together and the last validation is short): in-process,
to one pool of worker processes kept for the whole run and fed continuously
(the workers code batch k+1 while this process validates and loads batch k:
`_Coder`, flows/workers.py; `newsevents run` queues the first batches on that
pool before the flow starts, while Prefect's server boots: `Head`), or, with a Dask task runner
(`flow_for(settings)`), through the task runner's `submit` to Dask workers
with several in flight; validation and the load always run here, one writer:
each batch validated as it comes, the validated batches loaded together up to
`batch_size` documents a transaction (`_Loader`: the tail's small batches are
one load), whole documents only, opening the warehouse only for that moment.

Hand-offs are plain values: the CLI passes the plan it made (`Prepared`) and
a progress callback (`Progress`) as arguments of `run_pipeline`; each task
returns a small dataclass (`Extracted`, `Checked`, `Loaded`), and a problem
the user can act on is a `RunError` (flows/errors.py) the flow turns into the
summary's one-line `error`.
"""

from __future__ import annotations

import atexit
import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE as NO_CACHE
from prefect.futures import PrefectFuture

from expectations import docs_worker
from expectations.docs import ValidationLog, docs_dir_for
from expectations.validate import Validated, ValidationAbort, validate_batch
from flows import warm_cache
from flows.discover import Found, discover, warehouse_companions
from flows.errors import RunError
from flows.helpers import start_docs_helper
from flows.incremental import Plan, file_owners, plan_run, read_chunks, record_files, triage
from flows.settings import Settings
from flows.stopping import stop_on_signals
from flows.summary import RunSummary, new_run_id, record_run
from flows.workers import Coded, Ticket, Workers, code_batch
from transforms.documents import Document, Rejection
from transforms.extract import extract_article, extractor_version
from transforms.lexicon import load_lexicon
from transforms.nlp import load_nlp, pipe_texts
from transforms.rows import actors_frame, events_frame, quarantine_frame, sources_frame
from warehouse.connect import WarehouseError, WarehouseLocked, connect, run_lock
from warehouse.known import Known, read_known
from warehouse.load import Batch, load_batch

Progress = Callable[[str, int], None]  # called with ("plan", documents to code) and ("batch", documents done)


def _no_progress(kind: str, n: int) -> None:
    """The progress callback of a run nobody watches (serve, tests)."""


def _left_behind() -> None:
    """What a value that belongs to the flow's own process becomes when pickled (see `Watch`)."""
    return None


class Watch:
    """The CLI's progress callback as a flow parameter that stays in the process that started the run.

    Prefect sends the flow run's parameters with every task's context to Dask workers
    (`prefect.context.serialize_context`); a callback holding a terminal cannot travel, and tasks never
    report progress, so a pickled `Watch` (like a pickled `Prepared`) arrives as None."""

    __slots__ = ("hook",)

    def __init__(self, hook: Progress) -> None:
        self.hook = hook

    def __call__(self, kind: str, n: int) -> None:
        self.hook(kind, n)

    def __reduce__(self):
        return (_left_behind, ())


def _locked(task, task_run, state) -> bool:
    """Retry a warehouse task only when another process held the lock (not on a real error)."""
    try:
        state.result()
    except WarehouseLocked:
        return True
    except Exception:  # noqa: BLE001
        return False
    return False


@task(name="discover", cache_policy=NO_CACHE)
def discover_task(inputs: list[str], db: Path) -> list[Found]:
    return discover(inputs, warehouse_companions(db))


@task(name="known-sources", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2, retry_condition_fn=_locked)
def known_task(settings: Settings) -> Known:
    """What is loaded already (sources and their extractor version, quarantine keys)."""
    con = connect(settings.db_path, settings.lock_timeout)
    try:
        return read_known(con)
    finally:
        con.close()


@task(name="plan", cache_policy=NO_CACHE)
def plan_task(found: list[Found], known: Known, version: str, max_chars: int) -> Plan:
    """Read and clean every file; keep only the files with new work (before any NLP)."""
    return plan_run(found, known, version, max_chars)


@cache
def _nlp():
    return load_nlp()


_WARM: set[int] = set()


def _warm_extractor(nlp, lex) -> None:
    """Extract once from a short text, so the dictionaries' matchers exist before any budget starts."""
    if id(lex) in _WARM:
        return
    sample = Document("warm-up", "warm-up", "warm-up", "Kenya signed a trade agreement with Ethiopia on Friday.")
    [pieces] = list(pipe_texts(nlp, [sample.text]))
    extract_article(sample, pieces, lex)
    _WARM.add(id(lex))


@dataclass
class Extracted:
    """What `extract_task` returns: the batch's frames, the rejections of documents the extractor failed on,
    and the seconds spent in spaCy ("nlp") and in "extract"."""

    sources: pl.DataFrame
    events: pl.DataFrame
    actors: pl.DataFrame
    failed: list[Rejection]
    seconds: dict[str, float] = field(default_factory=dict)


def _frames(coded: Coded, lex, wall: float) -> Extracted:
    """The coded rows as frames; `wall` split into "nlp" and "extract" in the proportion the workers spent."""
    sources = sources_frame(coded.kept, extractor_version(lex))
    events, actors = events_frame(coded.events), actors_frame(coded.actors)
    busy = coded.nlp_seconds + coded.extract_seconds
    share = coded.extract_seconds / busy if busy > 0 else 0.0
    return Extracted(sources, events, actors, coded.failed, {"nlp": wall * (1 - share), "extract": wall * share})


def _ready(settings: Settings):
    """The dictionaries and the model, the matchers warmed (once, before any budget starts and any fork);
    from the start-up cache when an earlier run left them there, else built and left there."""
    warm_cache.restore(settings)
    lex = load_lexicon(settings.dictionaries)
    nlp = _nlp()
    _warm_extractor(nlp, lex)
    warm_cache.store(settings, nlp, lex)
    return nlp, lex


@task(name="nlp-and-extract", cache_policy=NO_CACHE)
def extract_task(docs: list[Document], settings: Settings) -> Extracted:
    """The batch's (sources, events, actors) frames with the rejections of documents the extractor failed on
    (stage `extract`, reason `extract_error`, or `extract_timeout` past `settings.extract_timeout` seconds:
    one bad text never stops the run), and the seconds spent in spaCy ("nlp") and in "extract".

    This is the Dask path (and one batch on its own): `settings.n_process` worker processes
    (flows/workers.py) each parse AND extract a share of the batch and send back plain rows; this process
    only builds the frames. In-process runs keep one pool for the whole run instead (`coded_task`)."""
    t0 = time.perf_counter()
    nlp, lex = _ready(settings)
    coded = code_batch(docs, nlp, lex, settings.n_process, settings.extract_timeout)
    return _frames(coded, lex, time.perf_counter() - t0)


@task(name="nlp-and-extract", cache_policy=NO_CACHE)
def coded_task(pool: Workers, ticket: Ticket, settings: Settings) -> Extracted:
    """A batch queued on the run's worker pool (`_Coder`), as `extract_task` gives it: waits for its shares
    (the workers coded it while the flow validated and loaded the batch before) and builds the frames.
    "nlp" and "extract" split the time waited, so a stage table adds up to the flow's wall time."""
    t0 = time.perf_counter()
    coded = pool.result(ticket)
    return _frames(coded, pool.lex, time.perf_counter() - t0)


@dataclass
class Checked:
    """What `validate_task` returns: the validated batch, or why none of it may load (a failed table-level
    expectation: a bug, told in one line without a task traceback)."""

    validated: Validated | None
    abort: str | None = None


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(sources: pl.DataFrame, events: pl.DataFrame, actors: pl.DataFrame) -> Checked:
    try:
        return Checked(validate_batch(sources, events, actors))
    except ValidationAbort as exc:
        return Checked(None, str(exc))


LOAD_ATTEMPTS = 3  # a load waits up to lock_timeout per attempt while another process holds the file


@dataclass
class Loaded:
    """What `load_task` returns: None when the batch is in, else the one-line reason it is not (a warehouse
    problem is a result, not a task failure, so Prefect prints no traceback before the user's one line)."""

    problem: str | None = None


@task(name="load", cache_policy=NO_CACHE)
def load_task(settings: Settings, batch: Batch) -> Loaded:
    """Load one batch in one transaction; tried again when another process holds the warehouse."""
    for attempt in range(LOAD_ATTEMPTS):
        try:
            con = connect(settings.db_path, settings.lock_timeout)
            try:
                load_batch(con, batch, pause=settings.load_pause)
            finally:
                con.close()
            return Loaded()
        except WarehouseLocked as exc:
            if attempt == LOAD_ATTEMPTS - 1:
                return Loaded(f"{exc}; the batch's documents are coded again by the next run")
            time.sleep(2)
        except WarehouseError as exc:
            return Loaded(str(exc))
    return Loaded()


def _as_settings(settings: Settings | dict) -> Settings:
    """A deployment's parameters arrive as JSON: turn them back into `Settings`."""
    return settings if isinstance(settings, Settings) else Settings.model_validate(settings)


class _Loader:
    """Validate extracted batches in order and load them, counting what went in.

    Every coded batch is validated as it comes (its Data Docs page, its quarantine reasons); the validated
    batches are then loaded together, up to `batch_size` documents a transaction: a run's small tail batches
    (`next_batch_size`) keep the workers finishing together, but each load costs a fixed ~0.1-0.3 CPU s in
    this process (the warehouse opened, load.sql's statements, the cluster refresh) whatever its size, and
    that CPU competes with a worker for a core. The rows are those of loading the batches one by one
    (`_Pending`); call `flush` at the end of the run (a run that stops before leaves whole documents only,
    coded again by the next run)."""

    def __init__(self, settings: Settings, summary: RunSummary, logger, progress: Progress) -> None:
        self.settings, self.summary, self.logger, self.progress = settings, summary, logger, progress
        self.batches = 0
        self.validation = ValidationLog(summary.run_id)  # for Data Docs and the validation artifact
        self.pending = _Pending()

    def rejected(self, rejections: list[Rejection]) -> None:
        self.summary.quarantined += len({(r.uri, r.stage, r.reason) for r in rejections})
        self.summary.quarantine_reasons.update(r.reason for r in rejections)

    def _validated(self, extracted: Extracted) -> Validated:
        ts = time.perf_counter()
        checked = validate_task(extracted.sources, extracted.events, extracted.actors)
        if checked.validated is None:
            raise RunError(checked.abort or "validation failed")
        self.summary.stage_seconds["validate"] += time.perf_counter() - ts
        self.validation.add(checked.validated.results)
        return checked.validated

    def load(self, extracted: Extracted | None, rejections: list[Rejection], n_docs: int) -> None:
        """Validate a coded batch (None: rejections only) and queue it for loading."""
        if extracted is not None:
            validated = self._validated(extracted)
            rejections = rejections + extracted.failed + validated.rejections
            sources, events, actors = validated.sources, validated.events, validated.actors
        else:
            s = self.summary
            sources, events, actors = sources_frame([], s.extractor_version or ""), events_frame([]), actors_frame([])
        self.progress("batch", n_docs)
        if sources.height == 0 and not rejections:
            return
        if self.pending.clashes(sources, rejections) or self.pending.documents + n_docs > self.settings.batch_size:
            self.flush()
        self.pending.add(sources, events, actors, rejections, n_docs)
        if self.pending.documents >= self.settings.batch_size:
            self.flush()

    def flush(self) -> None:
        """Load the validated batches waiting, in one transaction."""
        if not self.pending.parts:
            return
        s, pending = self.summary, self.pending
        self.pending = _Pending()
        batch = pending.batch(s.run_id)
        ts = time.perf_counter()
        loaded = load_task(self.settings, batch)
        if loaded.problem:
            raise RunError(loaded.problem)
        s.stage_seconds["load"] += time.perf_counter() - ts
        s.loaded += batch.sources.height
        s.events += batch.events.height
        s.events_by_type.update(batch.events["event_type"].to_list())
        s.actor_ids.update(batch.actors["actor_id"].to_list())
        self.rejected(pending.rejections)
        self.batches += 1
        self.logger.info(
            "batch %d: %d documents coded, %d loaded, %d events, %d quarantined",
            self.batches,
            pending.documents,
            batch.sources.height,
            batch.events.height,
            len(pending.rejections),
        )


class _Pending:
    """Validated batches waiting to be loaded together, and the one `Batch` that loads them as loading each in
    turn would (warehouse/load.sql): sources and events side by side (a run never codes a document twice);
    actors merged as load.sql merges them (the first name kept, the first actor type, country and sector
    given, aliases united and sorted); a quarantine key reported twice keeps the later detail. A batch that
    replaces or quarantines a document of the waiting ones (same source id or uri) `clashes`: the waiting ones
    are loaded first, so the order of the two stays."""

    def __init__(self) -> None:
        self.parts: list[tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]] = []
        self.rejections: list[Rejection] = []
        self.quarantine: list[list[Rejection]] = []
        self.documents = 0
        self.ids: set[str] = set()
        self.uris: set[str] = set()
        self.rejected_uris: set[str] = set()

    def clashes(self, sources: pl.DataFrame, rejections: list[Rejection]) -> bool:
        if not self.parts:
            return False
        uris = set(sources["uri"].to_list())
        return bool(
            self.ids.intersection(sources["source_id"].to_list())
            or (uris & (self.uris | self.rejected_uris))
            or self.uris.intersection(r.uri for r in rejections)
        )

    def add(
        self,
        sources: pl.DataFrame,
        events: pl.DataFrame,
        actors: pl.DataFrame,
        rejections: list[Rejection],
        n_docs: int,
    ) -> None:
        self.parts.append((sources, events, actors))
        self.rejections += rejections
        self.quarantine.append(rejections)
        self.documents += n_docs
        self.ids.update(sources["source_id"].to_list())
        self.uris.update(sources["uri"].to_list())
        self.rejected_uris.update(r.uri for r in rejections)

    def batch(self, run_id: str) -> Batch:
        now = datetime.now(UTC)
        if len(self.parts) == 1:
            [(sources, events, actors)] = self.parts
            return Batch(sources, events, actors, quarantine_frame(self.quarantine[0], now), run_id)
        quarantine = pl.concat([quarantine_frame(r, now) for r in self.quarantine])
        return Batch(
            pl.concat([p[0] for p in self.parts]),
            pl.concat([p[1] for p in self.parts]),
            merged_actors([p[2] for p in self.parts]),
            quarantine.unique(["uri", "stage", "reason"], keep="last", maintain_order=True),
            run_id,
        )


def merged_actors(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """Several batches' actors (each one row per actor) as one frame, as loading them in turn merges them."""
    both = pl.concat(frames)
    merged = both.group_by("actor_id", maintain_order=True).agg(
        pl.col("name").first(),
        pl.col("actor_type").drop_nulls().first(),
        pl.col("country_code").drop_nulls().first(),
        pl.col("aliases").explode().drop_nulls().unique().sort(),
        pl.col("sector").drop_nulls().first(),
    )
    return merged.select(both.columns).cast(both.schema)


def _let_go(future) -> None:
    """Drop the finished task's result from its Prefect future: the future, its wrapped future and their
    state hold each other through a done-callback (a reference cycle), so without this every batch's
    frames stayed in memory until Python's next full garbage collection, rarer as the heap grows: the
    flow process's RSS grew with the corpus (benchmarks/memory.py)."""
    state = getattr(future, "_final_state", None)  # set by result(); Prefect has no public way to release it
    if state is not None:
        with contextlib.suppress(Exception):
            state.data = None


class _Coder:
    """Sends batches to extraction and their results to the loader, in order.

    In this process: one pool of worker processes for the whole run (`flows.workers.Workers`, forked at
    the first batch that needs it), fed continuously: a batch's shares are queued as soon as it is full,
    and the flow then validates and loads the batch before it while the workers code this one (at most a
    full batch's worth of documents queued behind the one being drained, so memory stays bounded: two
    full batches, or a full one and the run's small tail batches). On the Dask task runner each batch is a
    task (`extract_task.submit`), at most max(2, 2 x workers) in flight. Use as a context manager: leaving
    it ends the worker processes (at once on an error)."""

    def __init__(self, settings: Settings, summary: RunSummary, loader: _Loader) -> None:
        self.settings, self.summary, self.loader = settings, summary, loader
        self.distributed = bool(settings.workers or settings.dask_address)
        self.limit = max(2, 2 * settings.workers)  # batches in flight on Dask
        self.in_flight: list[tuple] = []  # (future or ticket or None, rejections, n_docs)
        self.pool: Workers | None = None

    def __enter__(self) -> _Coder:
        return self

    def __exit__(self, exc_type, *_) -> None:
        if self.pool is not None:
            self.pool.close(at_once=exc_type is not None)

    def adopt(self, pool: Workers | None, queued: list[tuple]) -> None:
        """Take over a `Head`'s pool and the batches it queued (in order, before any sent here)."""
        self.pool, self.in_flight = pool, queued + self.in_flight

    def _workers(self) -> Workers:
        if self.pool is None:
            nlp, lex = _ready(self.settings)
            self.pool = Workers(nlp, lex, self.settings.n_process, self.settings.extract_timeout)
        return self.pool

    def send(self, docs: list[Document], rejections: list[Rejection]) -> None:
        if not docs and (self.distributed or not self.in_flight):
            self.loader.load(None, rejections, 0)
            return
        work: PrefectFuture[Extracted] | Ticket | None
        if not docs:
            work = None  # rejections only: loaded after the batches before them
        elif self.distributed:
            work = extract_task.submit(docs, self.settings)
        else:
            work = self._workers().submit(docs)
        self.in_flight.append((work, rejections, len(docs)))
        while self._full():
            self.drain_one()

    def _full(self) -> bool:
        """Whether the oldest batch must be drained before more is sent: on Dask, more than `limit` batches in
        flight; on the run's pool, a full batch's worth of documents queued behind it (so a run's small tail
        batches are all queued at once and the workers never wait for the flow)."""
        if self.distributed:
            return len(self.in_flight) > self.limit
        return sum(n for *_, n in self.in_flight[1:]) >= self.settings.batch_size

    def drain_one(self) -> None:
        work, rejections, n = self.in_flight.pop(0)
        if work is None:
            self.loader.load(None, rejections, 0)
            return
        ts = time.perf_counter()
        if self.distributed:  # the workers' own nlp/extract seconds overlap: not added up
            extracted = work.result()
            _let_go(work)
            self.summary.stage_seconds["nlp+extract (waiting for workers)"] += time.perf_counter() - ts
        else:
            extracted = coded_task(self._workers(), work, self.settings)
            self.summary.stage_seconds.add(extracted.seconds)  # "nlp", "extract": the time the flow waited
        self.loader.load(extracted, rejections, n)

    def drain(self) -> None:
        while self.in_flight:
            self.drain_one()


class Prepared:
    """The plan the CLI made before starting the flow (holding the run lock), for these settings and this
    extractor version; passed to `run_pipeline` as a value.

    Deliberately not a dataclass and without `__dict__`: Prefect records flow parameters with the run, and
    cannot encode this one, so it stores the placeholder "<Prepared>" and a large `Known` never travels
    to the API."""

    __slots__ = ("settings", "version", "found", "known", "plan", "head")

    def __init__(
        self, settings: Settings, version: str, found: list[Found], known: Known, plan: Plan, head: Head | None = None
    ) -> None:
        self.settings, self.version, self.found, self.known, self.plan = settings, version, found, known, plan
        self.head = head  # the first batches, queued on the run's pool already (`start_head`)

    def fits(self, settings: Settings, version: str) -> bool:
        return self.settings == settings and self.version == version

    def __reduce__(self):  # stays in the CLI's process, like `Watch` (Dask workers never plan)
        return (_left_behind, ())


def warm_up(settings: Settings) -> None:
    """Load what the first batch needs (dictionaries, spaCy model, the expectation suites): the CLI does it
    while Prefect's temporary server boots, so the two overlap instead of adding up."""
    if settings.workers or settings.dask_address:  # spaCy runs on the workers
        load_lexicon(settings.dictionaries)
    else:
        _ready(settings)  # the model and the matchers too (seconds): before the flow, not inside its first batch
    validate_batch(sources_frame([], ""), events_frame([]), actors_frame([]))


@flow(name="newsevents-run", log_prints=False, validate_parameters=False)
def run_pipeline(settings: Settings, prepared: Prepared | None = None, progress: Watch | None = None) -> RunSummary:
    """One run. SIGTERM/SIGINT stop it within a second with one line (flows/stopping.py). `prepared` is the
    plan the CLI made holding the run lock; a run without one (a `serve` tick, a test) takes the warehouse's
    run lock itself, like `newsevents run`, and plans. `progress` follows the run (the CLI's bar)."""
    settings = _as_settings(settings)
    with stop_on_signals(), contextlib.ExitStack() as held:
        version = extractor_version(load_lexicon(settings.dictionaries))
        if prepared is not None and not prepared.fits(settings, version):
            if prepared.head is not None:
                prepared.head.close()
            prepared = None  # made for other settings or dictionaries: plan again
        if prepared is None:
            try:
                held.enter_context(run_lock(settings.db_path, settings.lock_timeout))
            except WarehouseError as exc:
                summary = _new_summary(version)
                summary.error = str(exc)
                get_run_logger().error(summary.error)
                return summary
        return _run(settings, prepared, progress or _no_progress)


def _new_summary(version: str) -> RunSummary:
    from prefect.runtime import flow_run

    summary = RunSummary(run_id=new_run_id(), flow_run_id=str(flow_run.id) if flow_run.id else None)
    summary.extractor_version = version
    return summary


def _plan(settings: Settings, prepared: Prepared | None, summary: RunSummary) -> tuple[list[Found], Known, Plan]:
    """The run's plan: the CLI's, or made here (discover, what is loaded, what is new)."""
    ts = time.perf_counter()
    if prepared is not None:
        found, known, plan = prepared.found, prepared.known, prepared.plan
    else:
        found = discover_task(settings.inputs, settings.db_path)
        try:
            known = known_task(settings)
        except WarehouseError as exc:
            raise RunError(str(exc)) from None
        plan = plan_task(found, known, summary.extractor_version or "", settings.max_chars)
    summary.files_seen = len(found)
    summary.skipped = plan.skipped
    summary.records_skipped = plan.records_skipped
    summary.quarantined += sum(plan.quarantined_before.values())
    summary.quarantine_reasons.update(plan.quarantined_before)
    summary.stage_seconds["plan"] += time.perf_counter() - ts
    get_run_logger().info(
        "plan%s: %d files, %d unchanged documents skipped, %d documents to code in %d files",
        " (made before the flow)" if prepared else "",
        len(found),
        plan.skipped,
        plan.todo_documents,
        len(plan.todo_files),
    )
    return found, known, plan


TAIL_BATCH = 25  # the smallest batch the tail of a run is cut into (documents)


def next_batch_size(left: int, batch_size: int, floor: int = TAIL_BATCH) -> int:
    """How many documents the next batch takes when `left` are still to code (as far as the plan knows).

    Full batches while more than `batch_size` are left; the last `batch_size` documents go in halving
    batches (100, 50, 25, 25 of 200) down to `floor`, so the workers' last shares are short (both finish
    together) and the validation the flow does after them, with the workers idle, is a small batch (their
    load is one, `_Loader`).
    Which batch a document lands in changes no row (tests/test_orchestration.py)."""
    if left >= batch_size + floor:
        return batch_size
    size = max(floor, -(-left // 2))
    if left - size < floor // 2:  # no runt batch after this one
        size = left
    return max(1, min(size, batch_size, left))


def _batches(
    settings: Settings, found: list[Found], known: Known, plan: Plan, version: str, clock: dict[str, float]
) -> Iterator[tuple[list[Document], list[Rejection]]]:
    """The plan's new documents in batches, each with the rejections met before it: the plan's files read as
    a stream, duplicates and unchanged documents left out (`triage`), cut into full batches and then the run's
    tail in smaller ones (`next_batch_size`). A last batch of rejections alone has no documents. The seconds
    spent reading (not those spent by the caller between batches) are added to `clock["read"]`."""
    claimed: dict[str, str] = {}
    owners = file_owners(found)
    pending: list[Document] = []
    waiting: list[Rejection] = []
    sent = 0

    def size() -> int:
        return next_batch_size(max(plan.todo_documents - sent, len(pending)), settings.batch_size, TAIL_BATCH)

    ts = time.perf_counter()
    for docs, rejections in read_chunks(plan.todo_files, settings.batch_size, settings.max_chars, plan.kept):
        todo, _, dups = triage(docs, known, version, claimed, owners, plan.superseded)
        clock["read"] = clock.get("read", 0.0) + time.perf_counter() - ts
        pending += todo
        waiting += rejections + dups
        while pending and len(pending) >= size():
            n = size()
            batch, pending = pending[:n], pending[n:]
            yield batch, waiting
            sent, waiting = sent + len(batch), []
        ts = time.perf_counter()
    while pending:
        n = size()
        batch, pending = pending[:n], pending[n:]
        yield batch, waiting
        sent, waiting = sent + len(batch), []
    if waiting:
        yield [], waiting


class Head:
    """A run's first batches queued on its worker pool before the flow starts: `newsevents run` starts them
    at the end of its warm-up (the plan made, the model loaded), so the workers parse while Prefect's
    temporary server finishes booting and the flow run is created, instead of a core sitting idle. Handed
    to the flow inside `Prepared`; the flow's `_Coder` takes over the pool, the queued batches and the rest
    of the plan's batches. Queues until a full batch waits behind the first (as `_Coder` does), never loads.
    A head the flow never takes over is `close`d by its caller (at once: queued shares are dropped), else at
    exit (after `concurrent.futures` has waited for the queued shares)."""

    def __init__(self, settings: Settings, version: str, found: list[Found], known: Known, plan: Plan) -> None:
        nlp, lex = _ready(settings)
        self.pool: Workers | None = Workers(nlp, lex, settings.n_process, settings.extract_timeout)
        self.clock: dict[str, float] = {}
        self.feed = _batches(settings, found, known, plan, version, self.clock)
        self.queued: list[tuple] = []  # (ticket or None, rejections, n_docs), as `_Coder.in_flight`
        atexit.register(self.close)
        try:
            for docs, rejections in self.feed:
                self.queued.append((self.pool.submit(docs, ahead=True) if docs else None, rejections, len(docs)))
                if sum(n for *_, n in self.queued[1:]) >= settings.batch_size:
                    break
        except BaseException:
            self.close()
            raise

    def take(self) -> tuple[Workers | None, list[tuple]]:
        """The pool and the queued batches, for the flow (once)."""
        pool, queued, self.pool, self.queued = self.pool, self.queued, None, []
        return pool, queued

    def close(self) -> None:
        """End the workers of a head the flow did not take over."""
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.close(at_once=True)


def start_head(settings: Settings, version: str, found: list[Found], known: Known, plan: Plan) -> Head | None:
    """The run's first batches queued on its pool now (see `Head`), or None when they are coded elsewhere
    (Dask) or there is nothing to code."""
    if settings.workers or settings.dask_address or not plan.todo_documents:
        return None
    return Head(settings, version, found, known, plan)


def _code(settings: Settings, found: list[Found], known: Known, plan: Plan, coder: _Coder, head: Head | None) -> None:
    """Send the plan's batches on (`_batches`), after those a `Head` queued before the flow, and drain them."""
    summary = coder.summary
    if head is not None:
        clock, feed = head.clock, head.feed
        coder.adopt(*head.take())
    else:
        clock = {}
        feed = _batches(settings, found, known, plan, summary.extractor_version or "", clock)
    for docs, rejections in feed:
        coder.send(docs, rejections)
    summary.stage_seconds.add(clock)
    coder.drain()
    coder.loader.flush()


def _run(settings: Settings, prepared: Prepared | None, progress: Progress) -> RunSummary:
    logger = get_run_logger()
    t0 = time.perf_counter()
    started = datetime.now(UTC).replace(tzinfo=None)
    summary = _new_summary(extractor_version(load_lexicon(settings.dictionaries)))
    loader = _Loader(settings, summary, logger, progress)
    docs: Future | None = None
    try:
        found, known, plan = _plan(settings, prepared, summary)
        progress("plan", plan.todo_documents)
        _docs_helper(settings, plan)
        with _Coder(settings, summary, loader) as coder:
            _code(settings, found, known, plan, coder, prepared.head if prepared is not None else None)
        summary.seconds = time.perf_counter() - t0
        ts = time.perf_counter()
        docs = _docs_meanwhile(settings, loader.validation)
        record_files(settings.db_path, settings.lock_timeout, plan, summary.extractor_version or "", summary.run_id)
        record_run(settings, summary, started)
        summary.stage_seconds["validate"] -= time.perf_counter() - ts  # counted again below, with the docs
    except (RunError, WarehouseError) as exc:
        summary.error = str(exc)
        logger.error(summary.error)
    ts = time.perf_counter() if docs is None else ts
    publish_validation(settings, loader.validation, summary, logger, docs)
    summary.stage_seconds["validate"] += time.perf_counter() - ts  # the Data Docs are validation's report
    summary.seconds = time.perf_counter() - t0
    create_markdown_artifact(
        key="newsevents-run-summary", markdown=summary.markdown(), description="newsevents run summary"
    )
    return summary


DOCS_HELPER_DOCUMENTS = 100  # a run coding this many documents lasts far longer than the helper's start


def _docs_helper(settings: Settings, plan: Plan) -> None:
    """Start the Data Docs helper (expectations/docs_worker.py) for a run of `DOCS_HELPER_DOCUMENTS` or more,
    as the CLI does for every run with work: Great Expectations then loads in another process while this one
    codes, and renders there at the end. A small run (a test, a few new files) builds the docs here: a
    helper's start would cost more than it saves, and a process that imported GX once builds fast."""
    big = plan.todo_documents >= DOCS_HELPER_DOCUMENTS
    if settings.data_docs and big and "great_expectations" not in sys.modules:
        start_docs_helper()


def _docs_meanwhile(settings: Settings, validation: ValidationLog) -> Future | None:
    """When the Data Docs helper renders the docs, hand it the run's validations now, from a thread that
    waits for its answer, so the flow records the run's files and the run meanwhile (None: built later, here)."""
    if not (settings.data_docs and validation.results and docs_worker.running()):
        return None
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsevents-docs")
    try:
        return pool.submit(docs_worker.build, validation, docs_dir_for(settings.db_path))
    finally:
        pool.shutdown(wait=False)


def publish_validation(
    settings: Settings, validation: ValidationLog, summary: RunSummary, logger, docs: Future | None = None
) -> None:
    """Build the Great Expectations Data Docs beside the warehouse (or take those `docs` is building) and
    publish the validation summary."""
    index = None
    if settings.data_docs and validation.results:
        try:
            # the helper's, when started
            index = docs.result() if docs is not None else docs_worker.build(validation, docs_dir_for(settings.db_path))
        except Exception as exc:  # noqa: BLE001 - the docs are a report: never fail a loaded run for them
            logger.warning("could not build the Data Docs: %s", exc)
    if index:
        summary.data_docs = str(index)
    create_markdown_artifact(
        key="newsevents-validation",
        markdown=validation.markdown(index),
        description="newsevents data-quality validation summary",
    )


def flow_for(settings: Settings):
    """The flow with the task runner the settings ask for: Dask (local cluster or an address) or in-process."""
    if not (settings.workers or settings.dask_address):
        return run_pipeline
    from prefect_dask import DaskTaskRunner

    if settings.dask_address:
        runner = DaskTaskRunner(address=settings.dask_address)
    else:
        runner = DaskTaskRunner(
            cluster_kwargs={"n_workers": settings.workers, "threads_per_worker": 1, "processes": True}
        )
    return run_pipeline.with_options(task_runner=runner)  # type: ignore[arg-type]  # prefect-dask's runner is typed loosely
