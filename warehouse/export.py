"""Warehouse → one Parquet or CSV file per table and view.

In: a warehouse path (opened read-only), a format (`parquet` or `csv`) and an output folder. Out: a file
`<name>.<format>` per table and view of the warehouse (`events.parquet`, `event_clusters.parquet`, …)
and a list of what was written with row counts. Every file is first written into a fresh hidden folder
inside OUT (`.newsevents-export-<pid>-…`, created exclusively: no planted link is followed); only when all
are complete are they renamed into place, one rename each, so a kill during the writing leaves the old
files whole and never a mix. The folder is removed afterwards, and the leftovers of a killed export (its
process gone) are removed by the next one. DuckDB writes the files itself (streaming, nested columns kept
in Parquet; in CSV a list such as `aliases` is written as its text form `[a, b]`). Problems raise
`WarehouseError` with a one-line message.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.connect import HERE, WarehouseError, connect

FORMATS = ("parquet", "csv")


@dataclass(frozen=True)
class Exported:
    name: str
    kind: str  # "table" or "view"
    path: Path
    rows: int


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def view_names() -> list[str]:
    """The views views.sql defines, in order."""
    sql = (HERE / "views.sql").read_text(encoding="utf-8")
    return re.findall(r"CREATE OR REPLACE VIEW (\w+)", sql)


def relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(name, kind) of every user table and view the connection sees, tables first, each name once."""
    rows = con.execute(
        """SELECT table_name, CASE WHEN table_type = 'VIEW' THEN 'view' ELSE 'table' END AS kind
           FROM information_schema.tables
           WHERE table_schema = 'main' AND table_catalog IN (current_database(), 'temp')
           ORDER BY kind, table_name"""
    ).fetchall()
    seen: dict[str, str] = {}
    for name, kind in rows:
        seen.setdefault(name, kind)
    return list(seen.items())


def ensure_views(con: duckdb.DuckDBPyConnection) -> None:
    """On a read-only warehouse made before views.sql (or before one of its views), add them as temp views."""
    have = {name for name, _ in relations(con)}
    if all(v in have for v in view_names()):
        return
    sql = (HERE / "views.sql").read_text(encoding="utf-8")
    try:
        con.execute(sql.replace("CREATE OR REPLACE VIEW", "CREATE OR REPLACE TEMP VIEW"))
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot create the analyst views: {str(exc).splitlines()[0]}") from None


def open_for_reading(db: Path | str, lock_timeout: float = 10.0) -> duckdb.DuckDBPyConnection:
    """The warehouse opened read-only, with the analyst views available."""
    con = connect(db, lock_timeout=lock_timeout, read_only=True)
    try:
        con.execute("SET enable_progress_bar = false")
        if "events" not in {name for name, _ in relations(con)}:
            raise WarehouseError(f"{db} is not a newsevents warehouse (no events table): run `newsevents run` first")
        ensure_views(con)
    except BaseException:
        con.close()
        raise
    return con


def export(con: duckdb.DuckDBPyConnection, out_dir: Path | str, fmt: str = "parquet") -> list[Exported]:
    """Write every table and view to `out_dir/<name>.<fmt>`; return what was written."""
    if fmt not in FORMATS:
        raise WarehouseError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise WarehouseError(f"{out} exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WarehouseError(f"cannot create the export folder {out}: {exc.strerror}") from None
    if not os.access(out, os.W_OK):
        raise WarehouseError(f"the export folder {out} is not writable")
    remove_leftovers(out)
    try:
        work = Path(tempfile.mkdtemp(prefix=f"{LEFTOVER_PREFIX}{os.getpid()}-", dir=out))
    except OSError as exc:
        raise WarehouseError(f"cannot write in the export folder {out}: {exc.strerror}") from None
    written = []
    try:
        for name, kind in relations(con):
            path = out / f"{name}.{fmt}"
            tmp = work / f"{name}.{fmt}"
            rel = con.sql(f"SELECT * FROM {quote_ident(name)}")
            try:
                if fmt == "parquet":
                    rel.write_parquet(str(tmp), compression="zstd")
                else:
                    rel.write_csv(str(tmp), header=True)
                rows = con.sql(f"SELECT count(*) FROM {quote_ident(name)}").fetchall()[0][0]
            except (duckdb.Error, OSError) as exc:
                raise WarehouseError(f"cannot export {name} to {path}: {str(exc).splitlines()[0]}") from None
            written.append(Exported(name, kind, path, int(rows)))
        for e in written:  # everything is complete: swap the files in
            try:
                os.replace(work / e.path.name, e.path)
            except OSError as exc:
                raise WarehouseError(f"cannot move {e.path.name} into {out}: {exc.strerror}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return written


LEFTOVER_PREFIX = ".newsevents-export-"


def remove_leftovers(out: Path) -> None:
    """Remove the working folders of exports into `out` that were killed (their process is gone)."""
    for entry in out.glob(f"{LEFTOVER_PREFIX}*"):
        pid = entry.name.removeprefix(LEFTOVER_PREFIX).split("-", 1)[0]
        if not pid.isdigit() or entry.is_symlink() or not entry.is_dir():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # still running: another export's folder
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        shutil.rmtree(entry, ignore_errors=True)
