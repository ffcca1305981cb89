"""The Prefect flow: files → documents → spaCy docs → rows → validation → warehouse.

In: `Settings` (input paths, DB path, batch size…). Out: a `RunSummary`, the
warehouse updated, and a markdown run summary published as a Prefect
artifact. Tasks work on *batches* of documents (a task call costs ~0.1 s, so
never one per document); the spaCy model is loaded once per process; the
warehouse is opened only briefly: once to learn what is loaded, then once per
batch for the load (one transaction of whole documents).
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE as NO_CACHE

from expectations.validate import ValidationAbort, validate_batch
from flows.discover import Found, discover, read_input
from flows.settings import Settings
from transforms.documents import Document, Rejection
from transforms.extract import extract_article, extractor_version
from transforms.lexicon import load_lexicon
from transforms.nlp import load_nlp, pipe_texts
from transforms.parse import parse_document
from transforms.rows import actors_frame, events_frame, quarantine_frame, sources_frame
from warehouse.connect import WarehouseError, connect
from warehouse.load import Batch, load_batch, loaded_sources


@dataclass
class RunSummary:
    run_id: str
    files_seen: int = 0
    loaded: int = 0
    skipped: int = 0
    quarantined: int = 0
    events: int = 0
    actors: int = 0
    seconds: float = 0.0
    events_by_type: Counter = field(default_factory=Counter)
    quarantine_reasons: Counter = field(default_factory=Counter)
    stage_seconds: Counter = field(default_factory=Counter)
    error: str | None = None
    flow_run_id: str | None = None

    def markdown(self) -> str:
        lines = [
            f"# newsevents run `{self.run_id}`",
            "",
            "| files seen | loaded | skipped (unchanged) | quarantined | events | actors | seconds |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            f"| {self.files_seen} | {self.loaded} | {self.skipped} | {self.quarantined} | {self.events} "
            f"| {self.actors} | {self.seconds:.1f} |",
            "",
        ]
        if self.events_by_type:
            lines += ["## Events by type", "", "| type | events |", "|---|---:|"]
            lines += [f"| {t} | {n} |" for t, n in self.events_by_type.most_common()]
            lines.append("")
        if self.quarantine_reasons:
            lines += ["## Quarantine reasons", "", "| reason | inputs |", "|---|---:|"]
            lines += [f"| {r} | {n} |" for r, n in self.quarantine_reasons.most_common()]
            lines.append("")
        if self.error:
            lines += ["## Error", "", self.error]
        return "\n".join(lines)


@dataclass
class Known:
    """What the warehouse already holds, read once before any NLP."""

    by_source: dict[str, tuple[str, str]]  # source_id → (uri, extractor_version)


@task(name="discover", cache_policy=NO_CACHE)
def discover_task(inputs: list[str]) -> list[Found]:
    return discover(inputs)


class RunError(RuntimeError):
    """A problem that stops the run, with a one-line message for the user."""


@task(name="known-sources", cache_policy=NO_CACHE)
def known_task(settings: Settings) -> Known | str:
    """What is loaded already, or the one-line reason the warehouse cannot be opened."""
    try:
        con = connect(settings.db_path, settings.lock_timeout)
    except WarehouseError as exc:
        return str(exc)
    try:
        frame = loaded_sources(con)
    finally:
        con.close()
    return Known({r["source_id"]: (r["uri"], r["extractor_version"]) for r in frame.iter_rows(named=True)})


def triage(
    docs: list[Document], known: Known, version: str, claimed: dict[str, str]
) -> tuple[list[Document], int, list[Rejection]]:
    """Split parsed documents into new work, unchanged ones (skipped) and duplicates (quarantined)."""
    todo, skipped, rejections = [], 0, []
    for d in docs:
        if d.source_id in claimed and claimed[d.source_id] != d.uri:
            rejections.append(
                Rejection(d.uri, "parse", "duplicate", f"same text as source {d.source_id} ({claimed[d.source_id]})")
            )
            continue
        held = known.by_source.get(d.source_id)
        if held and held[0] != d.uri:
            rejections.append(Rejection(d.uri, "parse", "duplicate", f"same text as source {d.source_id} ({held[0]})"))
            continue
        claimed[d.source_id] = d.uri
        if held and held[1] == version:
            skipped += 1
            continue
        todo.append(d)
    return todo, skipped, rejections


@task(name="read-and-clean", cache_policy=NO_CACHE)
def read_task(found: list[Found]) -> tuple[list[Document], list[Rejection]]:
    docs, rejections = [], []
    for f in found:
        parsed = parse_document(read_input(f))
        (docs if isinstance(parsed, Document) else rejections).append(parsed)
    return docs, rejections


@task(name="nlp-and-extract", cache_policy=NO_CACHE)
def extract_task(docs: list[Document], settings: Settings) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    lex = load_lexicon(settings.dictionaries)
    nlp = load_nlp()
    events, actor_maps = [], []
    for doc, pieces in zip(docs, pipe_texts(nlp, (d.text for d in docs), n_process=settings.n_process), strict=True):
        rows = extract_article(doc, pieces, lex)
        events.extend(rows.events)
        actor_maps.append(rows.actors)
    return sources_frame(docs, extractor_version(lex)), events_frame(events), actors_frame(actor_maps)


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(sources: pl.DataFrame, events: pl.DataFrame, actors: pl.DataFrame):
    try:
        return validate_batch(sources, events, actors)
    except ValidationAbort as exc:
        return str(exc)


@task(name="load", cache_policy=NO_CACHE)
def load_task(settings: Settings, batch: Batch) -> str | None:
    """Load one batch; the one-line reason when the warehouse cannot be written."""
    try:
        con = connect(settings.db_path, settings.lock_timeout)
    except WarehouseError as exc:
        return str(exc)
    try:
        load_batch(con, batch)
    finally:
        con.close()
    return None


def _record_run(settings: Settings, summary: RunSummary, version: str, started: datetime) -> None:
    con = connect(settings.db_path, settings.lock_timeout)
    try:
        con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                summary.run_id,
                summary.flow_run_id,
                version,
                started,
                datetime.now(UTC).replace(tzinfo=None),
                summary.files_seen,
                summary.loaded,
                summary.skipped,
                summary.quarantined,
                summary.events,
            ],
        )
        summary.actors = con.execute("SELECT count(*) FROM actors").fetchall()[0][0]
    finally:
        con.close()


@flow(name="newsevents-run", log_prints=False, validate_parameters=False)
def run_pipeline(settings: Settings) -> RunSummary:
    from prefect.runtime import flow_run

    logger = get_run_logger()
    t0 = time.perf_counter()
    started = datetime.now(UTC).replace(tzinfo=None)
    summary = RunSummary(run_id=uuid.uuid4().hex[:16], flow_run_id=str(flow_run.id) if flow_run.id else None)
    lex = load_lexicon(settings.dictionaries)
    version = extractor_version(lex)
    try:
        found = discover_task(settings.inputs)
        summary.files_seen = len(found)
        known = known_task(settings)
        if isinstance(known, str):
            raise RunError(known)
        claimed: dict[str, str] = {}
        for start in range(0, len(found), settings.batch_size):
            chunk = found[start : start + settings.batch_size]
            ts = time.perf_counter()
            docs, rejections = read_task(chunk)
            todo, skipped, dups = triage(docs, known, version, claimed)
            rejections += dups
            summary.skipped += skipped
            summary.stage_seconds["read"] += time.perf_counter() - ts
            if todo:
                ts = time.perf_counter()
                sources, events, actors = extract_task(todo, settings)
                summary.stage_seconds["nlp+extract"] += time.perf_counter() - ts
                ts = time.perf_counter()
                validated = validate_task(sources, events, actors)
                if isinstance(validated, str):
                    raise RunError(validated)
                summary.stage_seconds["validate"] += time.perf_counter() - ts
                rejections += validated.rejections
                sources, events, actors = validated.sources, validated.events, validated.actors
            else:
                sources, events, actors = sources_frame([], version), events_frame([]), actors_frame([])
            ts = time.perf_counter()
            if todo or rejections:
                problem = load_task(
                    settings, Batch(sources, events, actors, quarantine_frame(rejections), summary.run_id)
                )
                if problem:
                    raise RunError(problem)
            summary.stage_seconds["load"] += time.perf_counter() - ts
            summary.loaded += sources.height
            summary.events += events.height
            summary.events_by_type.update(events["event_type"].to_list())
            summary.quarantined += len({(r.uri, r.stage, r.reason) for r in rejections})
            summary.quarantine_reasons.update(r.reason for r in rejections)
            logger.info(
                "batch %d: %d read, %d new, %d skipped, %d events, %d quarantined",
                start // settings.batch_size + 1,
                len(chunk),
                len(todo),
                skipped,
                events.height,
                len(rejections),
            )
        summary.seconds = time.perf_counter() - t0
        _record_run(settings, summary, version, started)
    except (RunError, WarehouseError) as exc:
        summary.error = str(exc)
        logger.error(summary.error)
    summary.seconds = time.perf_counter() - t0
    create_markdown_artifact(
        key="newsevents-run-summary", markdown=summary.markdown(), description="newsevents run summary"
    )
    return summary
