"""Validation step: run the Great Expectations suites, split good rows from bad.

In: a batch's frames (sources, events, actors). Out: `Validated`: the frames
without the rows that failed a row-level expectation, a `Rejection` per
(source uri) naming the failed expectations with the failed rows as JSON (so
they can be replayed), and a summary per suite. A failed table-level
expectation (unique keys, foreign keys) raises `ValidationAbort`: it is a bug,
and nothing of the batch may be written.

A table's suite is the column checks of the contract
(`transforms/contract.column_expectations`: keys, not null, allowed values,
patterns, ranges) followed by the YAML file `expectations/suites/<table>.yaml`
(rules across columns or tables), each expectation with the column, the rule,
its level and why.

The suites are evaluated on the polars frames by `expectations/native.py` (GX's semantics, held equal to
GX's own validation by tests/test_expectations.py): validation imports neither Great Expectations nor
pandas. The GX result objects the Data Docs need (`SuiteResult.gx_result`) are built from that evaluation
only when asked for; `run_suite_gx` validates through GX itself (the reference the tests compare with).
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
from expectations.native import Outcome, evaluate_suite, gx_suite_result
from transforms.contract import column_expectations
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
    rows_checked: int = 0
    outcomes: list[Outcome] | None = field(default=None, repr=False, compare=False)  # None: empty frame

    @property
    def gx_result(self):
        """GX's validation result for the Data Docs (expectations/docs.py), built on first use; None when the
        frame was empty."""
        if self.outcomes is None:
            return None
        if "_gx" not in self.__dict__:
            self.__dict__["_gx"] = gx_suite_result(self.table, self.outcomes)
        return self.__dict__["_gx"]


@dataclass
class Validated:
    sources: pl.DataFrame
    events: pl.DataFrame
    actors: pl.DataFrame
    rejections: list[Rejection]
    results: list[SuiteResult]


def load_suite(table: str) -> dict:
    """The suite of `table`: the contract's column checks, then the suite file's own expectations."""
    spec = yaml.safe_load((SUITES / f"{table}.yaml").read_text(encoding="utf-8"))
    spec["expectations"] = column_expectations(table) + list(spec.get("expectations") or [])
    return spec


def _class_name(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


@cache
def gx_context():
    """(the great_expectations module, the ephemeral context, its pandas data source): made once per process,
    shared by validation and the Data Docs (expectations/docs.py)."""
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


def warm_gx() -> None:
    """Import Great Expectations and build its context and every suite (seconds of CPU), for the Data Docs: the
    CLI does it while Prefect's server boots, so the docs at the end of the run do not pay it."""
    for path in sorted(SUITES.glob("*.yaml")):
        expectation_suite(path.stem)


def expectation_suite(table: str):
    """The Great Expectations suite of `table` (built once per process)."""
    return _suite(table)[0]


@cache
def _suite(table: str):
    """The suite of `table` and its whole-dataframe batch definition."""
    gx, context, source = gx_context()
    spec = load_suite(table)
    suite = gx.ExpectationSuite(name=f"newsevents_{table}")
    for exp in spec["expectations"]:
        kwargs = {k: v for k, v in exp.items() if k not in ("type", "level", "why")}
        cls = getattr(gx.expectations, _class_name(exp["type"]))
        suite.add_expectation(cls(**kwargs, meta={"why": exp.get("why"), "level": exp.get("level", "row")}))
    asset = source.add_dataframe_asset(name=table)
    batch_def = asset.add_batch_definition_whole_dataframe(f"{table}_batch")
    return suite, batch_def


@dataclass(frozen=True)
class Failure:
    """One failed expectation: its type, column, level (row/table), why, and the failing row positions."""

    type: str
    column: str | None
    level: str
    why: str | None
    rows: list[int]

    @property
    def name(self) -> str:
        return f"{self.type}({self.column})"


def run_suite(table: str, frame: pl.DataFrame) -> tuple[list[Failure], int, list[Outcome] | None]:
    """Every failed expectation, how many ran, and each expectation's outcome (None for an empty frame)."""
    spec = _spec(table)
    if frame.height == 0:
        return [], len(spec["expectations"]), None
    outcomes = evaluate_suite(spec, frame)
    failures = []
    for o in outcomes:
        if o.success:
            continue
        level = _level(o.spec.get("level", "row"), bool(o.exception), o.rows)
        failures.append(Failure(o.spec["type"], o.spec.get("column"), level, o.spec.get("why"), list(o.rows)))
    return failures, len(outcomes), outcomes


def _level(declared: str, raised: bool, rows: list[int]) -> str:
    """A failed expectation's level: as declared, but "table" when it could not run or failed without naming
    rows (nothing is then safe to load)."""
    return "table" if raised or (declared == "row" and not rows) else declared


@cache
def _spec(table: str) -> dict:
    return load_suite(table)


def run_suite_gx(table: str, frame: pl.DataFrame) -> tuple[list[Failure], int, object]:
    """`run_suite` through Great Expectations itself (its pandas engine): the reference the native evaluation
    is tested against."""
    suite, batch_def = _suite(table)
    if frame.height == 0:
        return [], len(suite.expectations), None
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
        meta = cfg.meta or {}
        idx = list((r.result or {}).get("unexpected_index_list") or [])
        rows = [int(i) for i in idx if isinstance(i, int | float)]
        raised = bool(r.exception_info and r.exception_info.get("raised_exception"))
        level = _level(meta.get("level", "row"), raised, rows)
        failures.append(Failure(cfg.type, cfg.kwargs.get("column"), level, meta.get("why"), rows))
    return failures, len(suite.expectations), result


def _plain(row: dict) -> dict:
    """A row as JSON-ready values, without derived `_` columns and without the (long) source text."""
    return {k: v for k, v in row.items() if not k.startswith("_") and k != "text"}


def rejection_detail(failures: list[tuple[str, Failure, dict]], source: dict) -> str:
    """One line naming the failed expectations, then the failed rows as JSON for a replay.

    The JSON (everything from the first `{`) holds `source` (id, uri, content hash) and `failures`:
    per failed row its table, expectation, column, why and the row itself.
    """
    names = sorted({f"{f.type} on {table}.{f.column}" for table, f, _ in failures})
    payload = {
        "source": source,
        "failures": [
            {"table": table, "expectation": f.type, "column": f.column, "why": f.why, "row": _plain(row)}
            for table, f, row in failures
        ],
    }
    n = len(failures)
    return f"{n} row{'s' if n != 1 else ''} failed {', '.join(names)}: " + json.dumps(
        payload, default=str, ensure_ascii=False
    )


def validate_batch(
    sources: pl.DataFrame, events: pl.DataFrame, actors: pl.DataFrame, known_actor_ids: set[str] | None = None
) -> Validated:
    results: list[SuiteResult] = []
    failed_rows: dict[str, list[tuple[str, Failure, dict]]] = {}  # uri → (table, failure, row)
    about: dict[str, dict] = {
        r["uri"]: {"source_id": r["source_id"], "uri": r["uri"], "content_sha256": r["content_sha256"]}
        for r in sources.select("source_id", "uri", "content_sha256").iter_rows(named=True)
    }
    uri_of = {v["source_id"]: u for u, v in about.items()}

    def check(table: str, frame: pl.DataFrame) -> tuple[list[Failure], set[int]]:
        failures, n, outcomes = run_suite(table, frame)
        bad = [f"{f.name} on {table}" for f in failures if f.level == "table"]
        if bad:
            raise ValidationAbort(f"table-level expectation failed, nothing loaded: {'; '.join(bad)}")
        rows = {i for f in failures for i in f.rows}
        results.append(SuiteResult(table, n, [f.name for f in failures], len(rows), frame.height, outcomes))
        return failures, rows

    # actors: every expectation is table-level (they come from dictionaries and code)
    check("actors", actors)

    checked_sources = sources_with_checks(sources)
    failures, bad_sources = check("sources", checked_sources)
    for f in failures:
        for i in f.rows:
            row = checked_sources.row(i, named=True)
            failed_rows.setdefault(row["uri"], []).append(("sources", f, row))
    if bad_sources:
        keep = pl.Series([i not in bad_sources for i in range(sources.height)])
        dropped = set(sources.filter(~keep)["source_id"].to_list())
        sources = sources.filter(keep)
        events = events.filter(~pl.col("source_id").is_in(list(dropped)))  # a failed source loads none of its rows

    checked = events_with_checks(events, sources, actors, known_actor_ids)
    failures, bad_events = check("events", checked)
    for f in failures:
        for i in f.rows:
            row = checked.row(i, named=True)
            uri = uri_of.get(row["source_id"], row["source_id"] or "unknown")
            failed_rows.setdefault(uri, []).append(("events", f, row))
    if bad_events:
        events = events.filter(pl.Series([i not in bad_events for i in range(events.height)]))

    rej = [
        Rejection(uri, "validate", "expectation_failed", rejection_detail(rows, about.get(uri, {"uri": uri})))
        for uri, rows in sorted(failed_rows.items())
    ]
    return Validated(sources, events, actors, rej, results)
