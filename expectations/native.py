"""The suites' expectations evaluated on a polars frame, as Great Expectations evaluates them, without importing it.

In: a table's suite (`expectations.validate.load_suite`: the contract's column checks, then the suite file's
own) and the batch frame. Out: one `Outcome` per expectation, in the suite's order: whether it held, the
failing row positions and values, and the result dictionary Great Expectations writes for it (element and
unexpected counts, the unexpected values and their positions), from which `gx_suite_result` builds, only
when the Data Docs are written, the `ExpectationSuiteValidationResult` GX itself would have made.

Why: importing Great Expectations costs seconds of CPU (scipy, pandas, altair, sqlalchemy) and each batch's
GX validation converts the frame to pandas; a run that codes five files paid both before it wrote a row.
The expectations stay declared once (the suite files and the contract); this module only evaluates the six
kinds the suites use, with GX's semantics: null values are outside the domain of every kind except
`not_be_null` (a NaN counts as null, as in pandas), `unique` flags every row of a repeated value, a regex
is `re.search` on the value as text, bounds are inclusive. A kind not listed here, or a column the frame
lacks, is an exception (as in GX): the caller treats it as a table-level failure (nothing is loaded).
tests/test_expectations.py holds this evaluation equal to GX's on frames that break every expectation.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import polars as pl

PARTIAL = 20  # GX's partial_unexpected_list length


@dataclass
class Outcome:
    """One expectation evaluated on one frame."""

    spec: dict  # the suite entry (type, column, arguments, level, why)
    success: bool
    rows: list[int] = field(default_factory=list)  # positions of the unexpected rows
    values: list = field(default_factory=list)  # their values, in the same order
    element_count: int = 0
    missing_count: int | None = None  # None for not_be_null (GX reports no missing count there)
    exception: str | None = None

    def result(self) -> dict:
        """The `result` dictionary of GX's COMPLETE result format."""
        if self.exception:
            return {}
        n = self.element_count
        out: dict = {
            "element_count": n,
            "unexpected_count": len(self.rows),
            "unexpected_percent": 100.0 * len(self.rows) / n if n else None,
            "partial_unexpected_list": self.values[:PARTIAL],
        }
        if self.missing_count is not None:
            nonmissing = n - self.missing_count
            out.update(
                missing_count=self.missing_count,
                missing_percent=100.0 * self.missing_count / n if n else None,
                unexpected_percent_total=100.0 * len(self.rows) / n if n else None,
                unexpected_percent_nonmissing=100.0 * len(self.rows) / nonmissing if nonmissing else None,
            )
        counts = Counter(_hashable(v) for v in self.values)
        out.update(
            partial_unexpected_counts=[{"value": v, "count": c} for v, c in counts.most_common(PARTIAL)],
            partial_unexpected_index_list=self.rows[:PARTIAL],
            unexpected_list=self.values,
            unexpected_index_list=self.rows,
            unexpected_index_query=f"df.filter(items={self.rows}, axis=0)",
        )
        return out


def _hashable(v):
    return v if not isinstance(v, list | dict) else str(v)


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _args(spec: dict) -> dict:
    return {k: v for k, v in spec.items() if k not in ("type", "column", "level", "why")}


def _unexpected(kind: str, values: list, args: dict) -> list[bool]:
    """For each non-missing value, whether it breaks the expectation."""
    if kind == "expect_column_values_to_be_in_set":
        allowed = list(args["value_set"])
        return [v not in allowed for v in values]
    if kind == "expect_column_values_to_match_regex":
        pattern = re.compile(args["regex"])
        return [pattern.search(str(v)) is None for v in values]
    if kind == "expect_column_values_to_be_unique":
        seen = Counter(_hashable(v) for v in values)
        return [seen[_hashable(v)] > 1 for v in values]
    if kind == "expect_column_values_to_be_between":
        return [not _between(v, args) for v in values]
    if kind == "expect_column_value_lengths_to_be_between":
        return [not _between(len(v), args) for v in values]
    raise ValueError(f"no native evaluation for {kind}")


def _between(v, args: dict) -> bool:
    lo, hi = args.get("min_value"), args.get("max_value")
    if lo is not None and (v < lo if not args.get("strict_min") else v <= lo):
        return False
    return not (hi is not None and (v > hi if not args.get("strict_max") else v >= hi))


_INTEGERS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)
_FLOATS = (pl.Float32, pl.Float64)


def _present(series: pl.Series) -> pl.Series:
    """The values that are not missing (null, or NaN in a float column)."""
    series = series.drop_nulls()
    return series.filter(~series.is_nan()) if series.dtype in _FLOATS else series


def _same_kind(series: pl.Series, items: list) -> bool:
    """Whether Python compares `items` with the column's values as polars does (bools with a boolean column,
    strings with a text one, integers with an integer one)."""
    if series.dtype == pl.Boolean:
        return all(type(x) is bool for x in items)
    if series.dtype == pl.String:
        return all(type(x) is str for x in items)
    return series.dtype in _INTEGERS and all(type(x) is int for x in items)


def _all_good(kind: str, series: pl.Series, args: dict) -> bool:
    """True when polars shows, column-wise, that no value breaks the expectation (the common case); False when
    one might, or the kind or types are not ones polars judges exactly as Python does: then every value is
    checked one by one (`_unexpected`), which also finds the failing rows and values."""
    if kind == "expect_column_values_to_not_be_null":
        return series.null_count() == 0 and (series.dtype not in _FLOATS or not series.is_nan().any())
    present = _present(series)
    if kind == "expect_column_values_to_be_in_set":
        allowed = list(args["value_set"])
        return _same_kind(series, allowed) and bool(present.is_in(allowed).all())
    if kind == "expect_column_values_to_be_unique":
        return _same_kind(series, []) and not present.is_duplicated().any()
    if kind in ("expect_column_values_to_be_between", "expect_column_value_lengths_to_be_between"):
        if kind == "expect_column_value_lengths_to_be_between":
            if series.dtype != pl.String:
                return False
            present = present.str.len_chars()
        elif not (series.dtype in _INTEGERS or series.dtype in _FLOATS):
            return False
        bounds = [args.get("min_value"), args.get("max_value")]
        if any(b is not None and type(b) not in (int, float) for b in bounds):
            return False
        lo, hi = bounds
        ok = pl.Series([True] * present.len(), dtype=pl.Boolean)
        if lo is not None:
            ok &= present > lo if args.get("strict_min") else present >= lo
        if hi is not None:
            ok &= present < hi if args.get("strict_max") else present <= hi
        return bool(ok.all())
    if kind == "expect_column_values_to_match_regex" and series.dtype == pl.String:
        pattern = re.compile(args["regex"])  # Python's regex, as below: polars' has other rules
        return all(pattern.search(v) is not None for v in present.to_list())
    return False


def evaluate(spec: dict, frame: pl.DataFrame) -> Outcome:
    """One suite entry on `frame` (an exception becomes an unsuccessful outcome with its message)."""
    kind, column = spec["type"], spec.get("column")
    n = frame.height
    try:
        if column not in frame.columns:
            raise KeyError(f"the frame has no column {column!r}")
        series = frame[column]
        if _all_good(kind, series, _args(spec)):  # as the value-by-value check below would find it
            if kind == "expect_column_values_to_not_be_null":
                return Outcome(spec, True, element_count=n)
            return Outcome(spec, True, element_count=n, missing_count=n - _present(series).len())
        values = series.to_list()
        if kind == "expect_column_values_to_not_be_null":
            rows = [i for i, v in enumerate(values) if _missing(v)]
            return Outcome(spec, not rows, rows, [None] * len(rows), n)
        present = [i for i, v in enumerate(values) if not _missing(v)]
        bad = _unexpected(kind, [values[i] for i in present], _args(spec))
        rows = [i for i, b in zip(present, bad, strict=True) if b]
        return Outcome(spec, not rows, rows, [values[i] for i in rows], n, n - len(present))
    except Exception as exc:  # noqa: BLE001 - as in GX: the expectation could not run, which the caller aborts on
        return Outcome(spec, False, element_count=n, exception=f"{type(exc).__name__}: {exc}")


def evaluate_suite(spec: dict, frame: pl.DataFrame) -> list[Outcome]:
    """Every expectation of the suite `spec` on `frame`, in the suite's order."""
    return [evaluate(exp, frame) for exp in spec["expectations"]]


def gx_suite_result(table: str, outcomes: list[Outcome]):
    """The `ExpectationSuiteValidationResult` Great Expectations would have made (imports GX: Data Docs only)."""
    from great_expectations.core import ExpectationSuiteValidationResult, ExpectationValidationResult
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    results = []
    for o in outcomes:
        kwargs = {"batch_id": f"newsevents-{table}", "column": o.spec.get("column"), **_args(o.spec)}
        config = ExpectationConfiguration(
            type=o.spec["type"], kwargs=kwargs, meta={"why": o.spec.get("why"), "level": o.spec.get("level", "row")}
        )
        info = {"raised_exception": bool(o.exception), "exception_traceback": None, "exception_message": o.exception}
        results.append(
            ExpectationValidationResult(
                success=o.success, expectation_config=config, result=o.result(), exception_info=info
            )
        )
    good = sum(o.success for o in outcomes)
    stats = {
        "evaluated_expectations": len(outcomes),
        "successful_expectations": good,
        "unsuccessful_expectations": len(outcomes) - good,
        "success_percent": 100.0 * good / len(outcomes) if outcomes else None,
    }
    meta = {"active_batch_definition": {"datasource_name": "newsevents", "data_asset_name": table}}
    return ExpectationSuiteValidationResult(
        success=good == len(outcomes),
        results=results,
        suite_name=f"newsevents_{table}",
        statistics=stats,
        meta=meta,
    )
