"""`newsevents sql`: an analyst's SQL run read-only against the warehouse.

In: a connection opened read-only with the analyst views (`export.open_for_reading`)
and SQL text (one or more statements; the last one's result is shown). Out:
`query()` → a `Result` (column names, the first rows, whether more exist) for a
terminal table; `write_result()` → the whole result in a file (csv, json or
parquet) or on standard output (csv, json). Any DuckDB error becomes a
`WarehouseError` carrying DuckDB's own first line.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import os
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.connect import WarehouseError, first_line

FORMATS = ("table", "csv", "json", "parquet")


@dataclass
class Result:
    columns: list[str]
    rows: list[tuple]
    more: bool  # rows beyond the ones fetched


def _relation(con: duckdb.DuckDBPyConnection, sql: str) -> duckdb.DuckDBPyRelation | None:
    if not sql.strip():
        raise WarehouseError("no SQL given: pass a query, --file FILE, or pipe it on standard input")
    try:
        return con.sql(sql)
    except duckdb.Error as exc:
        raise WarehouseError(f"SQL error: {first_line(exc)}") from None


def query(con: duckdb.DuckDBPyConnection, sql: str, max_rows: int) -> Result:
    rel = _relation(con, sql)
    if rel is None:  # a statement without a result (SET, PRAGMA …)
        return Result([], [], False)
    try:
        rows = rel.limit(max_rows + 1).fetchall()
    except duckdb.Error as exc:
        raise WarehouseError(f"SQL error: {first_line(exc)}") from None
    return Result(list(rel.columns), rows[:max_rows], len(rows) > max_rows)


def _plain(value):
    """A JSON-ready value: dates as ISO text, decimals as numbers, lists and structs kept."""
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID | bytes):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _text(columns: list[str], rows: list[tuple], fmt: str) -> str:
    if fmt == "json":
        records = [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in rows]
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buf.getvalue()


def write_result(con: duckdb.DuckDBPyConnection, sql: str, fmt: str, out: Path | None) -> int:
    """The whole result as `fmt` in `out` (replaced whole, never half-written) or on stdout; returns its rows."""
    if fmt not in FORMATS[1:]:
        raise WarehouseError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt == "parquet" and out is None:
        raise WarehouseError("--format parquet needs --out FILE")
    rel = _relation(con, sql)
    if rel is None:
        raise WarehouseError("the last statement returns no rows to write")
    try:
        if fmt == "parquet" and out is not None:
            return _replace(out, lambda tmp: rel.write_parquet(str(tmp), compression="zstd"), rel)
        rows = rel.fetchall()
        columns = list(rel.columns)
    except duckdb.Error as exc:
        raise WarehouseError(f"SQL error: {first_line(exc)}") from None
    text = _text(columns, rows, fmt)
    if out is None:
        sys.stdout.write(text)
    else:
        _replace(out, lambda tmp: tmp.write_text(text, encoding="utf-8"), None)
    return len(rows)


def _replace(out: Path, write, rel) -> int:
    out = Path(out)
    if out.is_dir():
        raise WarehouseError(f"{out} is a folder: give the file to write")
    if not out.parent.is_dir():
        raise WarehouseError(f"the folder {out.parent} does not exist")
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, out)
    except OSError as exc:
        raise WarehouseError(f"cannot write {out}: {exc.strerror}") from None
    finally:
        tmp.unlink(missing_ok=True)
    if rel is None:
        return 0
    counter = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        return int(counter.execute("SELECT count(*) FROM read_parquet(?)", [str(out)]).fetchall()[0][0])
    finally:
        counter.close()
