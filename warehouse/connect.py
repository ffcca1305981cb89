"""Open the DuckDB warehouse: run lock, lock waiting, schema creation and migrations.

In: a database path and a lock timeout. Out: an open connection on a
warehouse at the current `SCHEMA_VERSION` (`connect`), an exclusive lock a
whole run holds (`run_lock`), or a `WarehouseError` whose message is one line
a user can act on (locked by another run, directory missing or not writable,
disk full, not a DuckDB file, made by a newer newsevents).

Refused before anything is written: a target that is not a file path
(`:memory:`, `md:…`, `s3://…`: a run would keep nothing), a file that is not
DuckDB (checked by its header, so DuckDB never tries to load an extension for
it; extension auto-install and auto-load are off anyway), and a DuckDB file
that holds tables but no newsevents `schema_version` (someone else's data).
The lock file is opened without following a symlink planted at its name.

Schema versions: `schema.sql` is the current schema, generated from the
contract (`transforms/contract.py`; a new warehouse gets it whole);
`migrations/NNN.sql` takes a warehouse from version NNN-1 to NNN and runs,
with the version row, in one transaction when an older warehouse is opened
for writing. The current version is the latest migration's number. A
warehouse newer than this code is refused, never touched.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

HERE = Path(__file__).parent
MIGRATIONS = HERE / "migrations"
# the schema version is the number of the latest migration: adding one is the whole of a version bump
SCHEMA_VERSION = max(int(p.name[:3]) for p in MIGRATIONS.glob("[0-9][0-9][0-9]_*.sql"))


class WarehouseError(RuntimeError):
    """A warehouse problem with a one-line, user-facing message."""


class WarehouseLocked(WarehouseError):
    pass


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN … COMMIT around the block; on any exception (COMMIT's own included) ROLLBACK, its own failure
    ignored, and the exception goes on to the caller, which says what failed."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise


def read_sql(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def describe_error(db: Path | str, exc: BaseException, doing: str = "write") -> str:
    """One line for a DuckDB or OS error met while using the warehouse."""
    msg = first_line(exc)
    low = msg.lower()
    if "no space left" in low or getattr(exc, "errno", None) == errno.ENOSPC:
        return f"the disk holding {db} is full: could not {doing} the warehouse (nothing of this batch was written)"
    if "read-only file system" in low or getattr(exc, "errno", None) == errno.EROFS:
        return f"the warehouse {db} is on a read-only file system"
    return f"could not {doing} the warehouse {db}: {msg}"


DUCKDB_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    # No vacuum at checkpoints: since DuckDB 2.0 a checkpoint also compacts tables with ART indexes (events,
    # sources, actors: their primary keys), merging the partly filled row groups of the whole table and
    # remapping the index, so every few batches one batch's close rewrote most of the warehouse (74 MB
    # written, 3 s of CPU and +150 to +350 MB of RSS at 9,000 articles; benchmarks/memory.py): a batch's cost
    # grew with the warehouse. Without it a batch's rows are written as they are (a row group per batch and
    # table); row groups whose rows were all deleted (a re-coded source) are still dropped and their space
    # reused.
    "max_vacuum_tasks": 0,
}
_NOT_A_FILE = re.compile(r"^(?::memory:|(?:md|motherduck):|[a-z][a-z0-9+.-]*:/)", re.I)  # s3://, http://…


def check_target(db: Path | str) -> None:
    """Refuse a warehouse that is not a plain file path: `:memory:` (or md:, s3://…) would keep nothing."""
    text = str(db)
    if not text.strip() or _NOT_A_FILE.match(text):
        raise WarehouseError(
            f"the warehouse must be a file path, not {text!r}: an in-memory or remote database keeps nothing here"
        )


def check_header(db: Path) -> None:
    """An existing, non-empty file must be a DuckDB database (b"DUCK" at byte 8), whatever its name."""
    try:
        fd = os.open(db, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise WarehouseError(describe_error(db, exc, "open")) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise WarehouseError(f"the warehouse {db} is not a file")
        head = os.read(fd, 16)
    finally:
        os.close(fd)
    if head and head[8:12] != b"DUCK":
        kind = "an SQLite database" if head.startswith(b"SQLite format 3") else "not a DuckDB file or is corrupt"
        raise WarehouseError(f"the warehouse {db} is {kind}: give a new path or a newsevents DuckDB file")


def _check_dir(db: Path) -> None:
    """The warehouse's folder must exist (one missing level, like `data/`, is created) and be writable."""
    check_target(db)
    parent = db.parent
    if not parent.exists():
        if not parent.parent.is_dir():
            raise WarehouseError(f"the warehouse directory {parent} does not exist (nor does {parent.parent})")
        try:
            parent.mkdir()
        except FileExistsError:
            pass
        except OSError as exc:
            raise WarehouseError(f"cannot create the warehouse directory {parent}: {exc.strerror}") from None
    if not parent.is_dir():
        raise WarehouseError(f"the warehouse directory {parent} is not a directory")
    if not os.access(parent, os.W_OK):
        raise WarehouseError(f"the warehouse directory {parent} is not writable")
    if db.exists() and not db.is_file():
        raise WarehouseError(f"the warehouse {db} is not a file")
    check_header(db)


def lock_path(db: Path | str) -> Path:
    return Path(f"{db}.lock")


def _command_line(pid: int) -> str | None:
    """The command line of a process (Linux /proc), shortened to one readable line; None when unknown."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    words = [w.decode("utf-8", "replace") for w in raw.split(b"\0") if w]
    if not words:
        return None
    words[0] = Path(words[0]).name
    text = " ".join(words)
    return text if len(text) <= 160 else text[:157] + "..."


def is_newsevents(command: str) -> bool:
    return any(w in command for w in ("newsevents", "flows.cli", "flows/cli.py"))


def describe_holder(pid: int | None) -> str:
    """Who holds the warehouse: a newsevents command (named, with its pid) or, otherwise, a read-only client."""
    command = _command_line(pid) if pid else None
    if command and is_newsevents(command):
        return f"held by a newsevents process (pid {pid}: {command})"
    if command:
        return f"held by pid {pid} ({command}), a read-only client such as a BI tool or a notebook"
    if pid:
        return f"held by pid {pid}, a process this user cannot see (a BI tool or a notebook reading it?)"
    return "held by another process (a newsevents run, or a read-only client such as a BI tool or a notebook)"


_DUCKDB_PID = re.compile(r"\(PID (\d+)\)")


@contextlib.contextmanager
def run_lock(db: Path | str, timeout: float = 30.0) -> Iterator[None]:
    """Hold the warehouse for one whole run: a second run waits up to `timeout` s, then gives up.

    An advisory `flock` on `<db>.lock`: only newsevents runs take it (readers and BI tools open the
    DuckDB file directly, between the run's brief loads), and the kernel drops it when the process
    dies, even on `kill -9`, so a crashed run never leaves a stale lock behind.
    """
    db = Path(db)
    _check_dir(db)
    try:
        # never through a symlink planted at the lock's name, never a pipe or device (O_NOFOLLOW, then fstat)
        fd = os.open(lock_path(db), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise WarehouseError(f"the lock file {lock_path(db)} is a symlink: remove it (not followed)") from None
        raise WarehouseError(describe_error(db, exc, "lock")) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise WarehouseError(f"the lock file {lock_path(db)} is not a regular file: remove it")
    fh = os.fdopen(fd, "r+")
    try:
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseLocked(
                        f"another newsevents run is using the warehouse {db} ({_run_holder(fh)}); gave up after "
                        f"{timeout:g} s (raise --lock-timeout to wait longer)"
                    ) from None
                time.sleep(0.2)
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(f"{os.getpid()}\n")
            fh.flush()
        except OSError:
            pass  # the pid is informative only
        yield
    finally:
        fh.close()  # closing the file releases the lock


def run_lock_held(db: Path | str) -> bool:
    """Is a newsevents run holding the warehouse now? (A brief shared try on `<db>.lock`; creates nothing.)"""
    try:
        fd = os.open(lock_path(db), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _run_holder(fh) -> str:
    """The run lock's holder, from the pid it wrote into the lock file."""
    try:
        fh.seek(0)
        text = fh.read(32).strip()
    except OSError:
        text = ""
    pid = int(text) if text.isdigit() else None
    command = _command_line(pid) if pid else None
    if command:
        return f"pid {pid}: {command}"
    return f"pid {pid}" if pid else "its pid is unknown"


def connect(db: Path | str, lock_timeout: float = 30.0, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting up to `lock_timeout` seconds for another process to let go of the file."""
    db = Path(db)
    if not read_only:
        _check_dir(db)
    else:
        check_target(db)
        if not db.exists():
            raise WarehouseError(f"no warehouse at {db}: run `newsevents run` first")
        check_header(db)
    deadline = time.monotonic() + max(0.0, lock_timeout)
    delay = 0.1
    while True:
        try:
            con = duckdb.connect(str(db), read_only=read_only, config=DUCKDB_CONFIG)
            break
        except duckdb.IOException as exc:
            msg = first_line(exc)
            low = msg.lower()
            if "lock" in low:
                if time.monotonic() >= deadline:
                    found = _DUCKDB_PID.search(msg)
                    holder = describe_holder(int(found.group(1)) if found else None)
                    raise WarehouseLocked(
                        f"the warehouse {db} is in use, {holder}; gave up after {lock_timeout:g} s "
                        "(raise --lock-timeout to wait longer)"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            if "not a valid duckdb" in low or "corrupt" in low or "checksum" in low or "magic" in low:
                raise WarehouseError(f"the warehouse {db} is not a DuckDB file or is corrupt: {msg}") from None
            raise WarehouseError(describe_error(db, exc, "open")) from None
        except duckdb.Error as exc:
            raise WarehouseError(
                f"cannot open the warehouse {db}: {first_line(exc)} (not a DuckDB file, or corrupt?)"
            ) from None
    if not read_only:
        try:
            migrate(con)
        except WarehouseError:
            con.close()
            raise
        except duckdb.Error as exc:
            con.close()
            raise WarehouseError(
                f"cannot use the warehouse {db}: {first_line(exc)} (not a newsevents warehouse, or corrupt?)"
            ) from None
    return con


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchall()[0]
    return int(row[0] or 0)


def _db_name(con: duckdb.DuckDBPyConnection) -> str:
    with contextlib.suppress(duckdb.Error, IndexError):
        return str(
            con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()[0][0]
        )
    return "the database"


def migrations() -> dict[int, Path]:
    """The upgrade steps: version → the SQL file that takes a warehouse from version-1 to version."""
    return {int(p.stem.split("_")[0]): p for p in sorted(MIGRATIONS.glob("[0-9][0-9][0-9]_*.sql"))}


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Create the schema on a new warehouse; upgrade an older one; refuse a newer one."""
    version = current_version(con)
    if version == 0:
        tables = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database()"
        ).fetchall()
        if tables:  # someone else's data: never add our tables to it
            names = ", ".join(sorted(t for (t,) in tables)[:5])
            raise WarehouseError(
                f"{_db_name(con)} is not a newsevents warehouse (it holds {names}): nothing was written; "
                "give another --db"
            )
    if version > SCHEMA_VERSION:
        raise WarehouseError(
            f"this warehouse has schema version {version}, newer than this newsevents ({SCHEMA_VERSION}): "
            "upgrade newsevents to use it"
        )
    if version < SCHEMA_VERSION:
        steps = migrations()
        try:
            with transaction(con):
                if version == 0:  # a new warehouse: the current schema in one go
                    con.execute(read_sql("schema.sql"))
                else:
                    for step in range(version + 1, SCHEMA_VERSION + 1):
                        if step not in steps:
                            raise WarehouseError(f"no migration from schema version {step - 1} to {step}")
                        con.execute(steps[step].read_text(encoding="utf-8"))
                con.execute("INSERT INTO schema_version (version) VALUES (?)", [SCHEMA_VERSION])
        except (duckdb.Error, WarehouseError) as exc:
            if isinstance(exc, WarehouseError):
                raise
            raise WarehouseError(
                f"could not upgrade the warehouse schema from version {version}: {first_line(exc)}"
            ) from None
    try:
        apply_views(con)
    except duckdb.Error as exc:
        raise WarehouseError(f"could not create the warehouse views: {first_line(exc)}") from None


def apply_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the analyst views of views.sql: they hold no data, so every writable open refreshes them.
    First the derived tables they read (derived.sql; the cluster index rebuilt when it does not match)."""
    from warehouse.clusters import ensure_index  # clusters.py reads its SQL through this module

    ensure_index(con)
    views = HERE / "views.sql"
    if views.exists():
        con.execute(views.read_text(encoding="utf-8"))
