"""Validation step: run the Great Expectations suites, split good rows from bad.

In: a batch's frames (sources, events, actors). Out: `Validated`: the frames
without the rows that failed a row-level expectation, a `Rejection` per
(source uri) naming the failed expectations with the failed rows as JSON (so
they can be replayed), and a summary per suite. A failed table-level
expectation (unique keys, foreign keys) raises `ValidationAbort`: it is a bug,
and nothing of the batch may be written.

Suites are YAML files in `expectations/suites/`, one per table, each
expectation with the column, the rule, its level and why.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polars as pl
import yaml

from expectations.checks import events_with_checks, sources_with_checks
from transforms.documents import Rejection

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
SUITES = Path(__file__).parent / "suites"


class ValidationAbort(RuntimeError):
    """A table-level expectation failed: the batch must not be loaded."""


@dataclass
class SuiteResult:
    table: str
    evaluated: int
    failed: list[str] = field(default_factory=list)
    rows_quarantined: int = 0


@dataclass
class Validated:
    sources: pl.DataFrame
    events: pl.DataFrame
    actors: pl.DataFrame
    rejections: list[Rejection]
    results: list[SuiteResult]


def load_suite(table: str) -> dict:
    return yaml.safe_load((SUITES / f"{table}.yaml").read_text(encoding="utf-8"))


def _class_name(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


@cache
def _gx():
    """The ephemeral Great Expectations context and one dataframe batch definition per table."""
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    os.environ.setdefault("TQDM_DISABLE", "1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    for name in ("great_expectations", "great_expectations.data_context.types.base"):
        logging.getLogger(name).setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    source = context.data_sources.add_pandas("newsevents")
    return gx, context, source


@cache
def _suite(table: str):
    gx, context, source = _gx()
    spec = load_suite(table)
    suite = gx.ExpectationSuite(name=f"newsevents_{table}")
    levels = {}
    for exp in spec["expectations"]:
        kwargs = {k: v for k, v in exp.items() if k not in ("type", "level", "why")}
        cls = getattr(gx.expectations, _class_name(exp["type"]))
        e = cls(**kwargs, meta={"why": exp.get("why"), "level": exp.get("level", "row")})
        suite.add_expectation(e)
        levels[(exp["type"], exp["column"])] = exp.get("level", "row")
    asset = source.add_dataframe_asset(name=table)
    batch_def = asset.add_batch_definition_whole_dataframe(f"{table}_batch")
    return suite, batch_def, levels


def run_suite(table: str, frame: pl.DataFrame) -> tuple[list[tuple[str, str, str, list[int]]], int]:
    """(type, column, level, failing row indices) for every failed expectation, and how many ran."""
    suite, batch_def, levels = _suite(table)
    if frame.height == 0:
        return [], len(suite.expectations)
    pdf = frame.to_pandas()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        batch = batch_def.get_batch(batch_parameters={"dataframe": pdf})
        result = batch.validate(suite, result_format={"result_format": "COMPLETE"})
    failures = []
    for r in result.results:
        if r.success:
            continue
        cfg = r.expectation_config
        column = cfg.kwargs.get("column")
        level = levels.get((cfg.type, column), "row")
        idx = list((r.result or {}).get("unexpected_index_list") or [])
        if r.exception_info and r.exception_info.get("raised_exception"):
            level = "table"
        failures.append((cfg.type, column, level, [int(i) for i in idx if isinstance(i, int | float)]))
    return failures, len(suite.expectations)


def _json_row(row: dict) -> str:
    return json.dumps({k: v for k, v in row.items() if not k.startswith("_") and k != "text"}, default=str)


def validate_batch(
    sources: pl.DataFrame, events: pl.DataFrame, actors: pl.DataFrame, known_actor_ids: set[str] | None = None
) -> Validated:
    results: list[SuiteResult] = []
    rejections: dict[str, list[str]] = {}
    uri_of = dict(zip(sources["source_id"].to_list(), sources["uri"].to_list(), strict=True))

    def table_fail(table: str, failures) -> None:
        bad = [f"{t} on {table}.{c}" for t, c, level, _ in failures if level == "table"]
        if bad:
            raise ValidationAbort(f"table-level expectation failed, nothing loaded: {'; '.join(bad)}")

    # actors: every expectation is table-level (they come from dictionaries and code)
    failures, n = run_suite("actors", actors)
    table_fail("actors", failures)
    results.append(SuiteResult("actors", n, [f"{t}:{c}" for t, c, _, _ in failures]))

    checked_sources = sources_with_checks(sources)
    failures, n = run_suite("sources", checked_sources)
    table_fail("sources", failures)
    bad_sources: set[int] = set()
    for t, c, _, idx in failures:
        for i in idx:
            bad_sources.add(i)
            row = checked_sources.row(i, named=True)
            rejections.setdefault(row["uri"], []).append(f"{t} on sources.{c}: {_json_row(row)}")
    results.append(SuiteResult("sources", n, [f"{t}:{c}" for t, c, _, _ in failures], len(bad_sources)))
    if bad_sources:
        keep = [i not in bad_sources for i in range(sources.height)]
        dropped = set(sources.filter(~pl.Series(keep))["source_id"].to_list())
        sources = sources.filter(pl.Series(keep))
        events = events.filter(~pl.col("source_id").is_in(list(dropped)))

    checked = events_with_checks(events, sources, actors, known_actor_ids)
    failures, n = run_suite("events", checked)
    table_fail("events", failures)
    bad_events: set[int] = set()
    for t, c, _, idx in failures:
        for i in idx:
            bad_events.add(i)
            row = checked.row(i, named=True)
            uri = uri_of.get(row["source_id"], row["source_id"] or "unknown")
            rejections.setdefault(uri, []).append(f"{t} on events.{c}: {_json_row(row)}")
    results.append(SuiteResult("events", n, [f"{t}:{c}" for t, c, _, _ in failures], len(bad_events)))
    if bad_events:
        events = events.filter(pl.Series([i not in bad_events for i in range(events.height)]))

    rej = [
        Rejection(uri, "validate", "expectation_failed", " | ".join(details))
        for uri, details in sorted(rejections.items())
    ]
    return Validated(sources, events, actors, rej, results)
