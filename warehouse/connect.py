"""Open the DuckDB warehouse: lock waiting, schema creation and migrations.

In: a database path and a lock timeout. Out: an open connection on a
warehouse at the current `SCHEMA_VERSION`, or a `WarehouseError` whose message
is one line a user can act on (locked by another run, directory not writable,
not a DuckDB file, made by a newer newsevents).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).parent
SCHEMA_VERSION = 1


class WarehouseError(RuntimeError):
    """A warehouse problem with a one-line, user-facing message."""


class WarehouseLocked(WarehouseError):
    pass


def read_sql(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def _check_dir(db: Path) -> None:
    parent = db.parent
    if not parent.exists():
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(f"cannot create the warehouse directory {parent}: {exc.strerror}") from None
    if not os.access(parent, os.W_OK):
        raise WarehouseError(f"the warehouse directory {parent} is not writable")


def connect(db: Path | str, lock_timeout: float = 30.0, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting up to `lock_timeout` seconds for another process to let go."""
    db = Path(db)
    if not read_only:
        _check_dir(db)
    elif not db.exists():
        raise WarehouseError(f"no warehouse at {db}: run `newsevents run` first")
    deadline = time.monotonic() + max(0.0, lock_timeout)
    delay = 0.1
    while True:
        try:
            con = duckdb.connect(str(db), read_only=read_only)
            break
        except duckdb.IOException as exc:
            msg = str(exc)
            if "lock" in msg.lower():
                if time.monotonic() >= deadline:
                    raise WarehouseLocked(
                        f"the warehouse {db} is in use by another process; gave up after {lock_timeout:g} s "
                        "(raise --lock-timeout to wait longer)"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            raise WarehouseError(f"cannot open the warehouse {db}: {msg.splitlines()[0]}") from None
        except duckdb.Error as exc:
            raise WarehouseError(
                f"cannot open the warehouse {db}: {str(exc).splitlines()[0]} (not a DuckDB file, or corrupt?)"
            ) from None
    if not read_only:
        try:
            migrate(con)
        except WarehouseError:
            con.close()
            raise
    return con


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchall()[0]
    return int(row[0] or 0)


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Create the schema on a new warehouse; upgrade an older one; refuse a newer one."""
    version = current_version(con)
    if version > SCHEMA_VERSION:
        raise WarehouseError(
            f"this warehouse has schema version {version}, newer than this newsevents ({SCHEMA_VERSION}): "
            "upgrade newsevents"
        )
    if version == SCHEMA_VERSION:
        try:
            apply_views(con)
        except duckdb.Error as exc:
            raise WarehouseError(f"could not create the warehouse views: {str(exc).splitlines()[0]}") from None
        return
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(read_sql("schema.sql"))
        for step in range(version + 1, SCHEMA_VERSION + 1):
            path = HERE / "migrations" / f"{step:03d}.sql"
            if path.exists():
                con.execute(path.read_text(encoding="utf-8"))
        apply_views(con)
        con.execute("INSERT INTO schema_version (version) VALUES (?)", [SCHEMA_VERSION])
        con.execute("COMMIT")
    except duckdb.Error as exc:
        con.execute("ROLLBACK")
        raise WarehouseError(f"could not prepare the warehouse schema: {str(exc).splitlines()[0]}") from None


def apply_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the analyst views of views.sql: they hold no data, so every writable open refreshes them."""
    views = HERE / "views.sql"
    if views.exists():
        con.execute(views.read_text(encoding="utf-8"))
