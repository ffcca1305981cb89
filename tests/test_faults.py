"""Faults: kill -9 mid-load, two runs at once, bad DB locations (missing, read-only, full disk, corrupt),
and schema versions (an older warehouse is upgraded, a newer one refused).

Subprocess runs of `newsevents run` cost seconds each (Python, spaCy; they report to the test session's Prefect
server rather than start their own), so there are few: one run killed inside a load transaction, one that
finishes the rest while a second run waits for the lock, one that gives up waiting. Everything else runs
in-process (the CLI through typer's runner).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tests.conftest import ROOT, SEEDS, cli_env
from warehouse.connect import (
    MIGRATIONS,
    SCHEMA_VERSION,
    WarehouseError,
    WarehouseLocked,
    connect,
    lock_path,
    run_lock,
)

runner = CliRunner()

pytestmark = pytest.mark.slow  # the fault tests: out of the fast loop (`-m "not slow"`), run by CI


def snapshot(db: Path) -> dict:
    """The warehouse's content, without what differs between runs by design (run ids, load times)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "events": sorted(con.sql("SELECT * EXCLUDE (run_id) FROM events").fetchall(), key=str),
            "actors": sorted(con.sql("SELECT * FROM actors").fetchall(), key=str),
            "sources": sorted(con.sql("SELECT * EXCLUDE (run_id, loaded_at) FROM sources").fetchall(), key=str),
            "quarantine": sorted(con.sql("SELECT uri, stage, reason, detail FROM quarantine").fetchall()),
        }
    finally:
        con.close()


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def cli(*args: str):
    from flows.cli import app

    result = runner.invoke(app, list(args))
    return result.exit_code, (result.stdout or "") + (result.stderr or "")


def one_line_error(output: str) -> str:
    lines = [ln for ln in output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("newsevents: "), output
    assert "Traceback" not in output
    return lines[0]


# --- DB locations ---------------------------------------------------------------------------------------


def test_missing_db_directory_is_one_clear_line(tmp_path, seeds_copy):
    before = tree(seeds_copy)
    code, out = cli("run", str(seeds_copy), "--db", str(tmp_path / "no" / "such" / "w.duckdb"))
    assert code != 0
    assert "does not exist" in one_line_error(out)
    assert tree(seeds_copy) == before and not (tmp_path / "no").exists()


def test_one_missing_level_is_created(tmp_path):
    connect(tmp_path / "data" / "w.duckdb").close()  # like the default data/ folder on a fresh clone
    assert (tmp_path / "data" / "w.duckdb").exists()


def _mount_tmpfs(path: Path, options: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    return done.returncode == 0


@pytest.fixture()
def mounts():
    mounted: list[Path] = []

    def mount(path: Path, options: str) -> None:
        if not _mount_tmpfs(path, options):
            pytest.skip("cannot mount a tmpfs here (needs root and mount rights)")
        mounted.append(path)

    yield mount
    for path in reversed(mounted):
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def test_read_only_db_directory_is_one_clear_line(tmp_path, seeds_copy, mounts):
    """Tests run as root, which ignores chmod: a read-only file system is the real thing."""
    ro = tmp_path / "ro"
    mounts(ro, "ro,size=1m")
    before = tree(seeds_copy)
    code, out = cli("run", str(seeds_copy), "--db", str(ro / "w.duckdb"))
    assert code != 0 and "not writable" in one_line_error(out)
    assert tree(seeds_copy) == before


def test_full_disk_is_one_clear_line_and_leaves_whole_documents(prefect_harness, tmp_path, mounts):
    disk = tmp_path / "disk"
    mounts(disk, "size=2m")
    db = disk / "w.duckdb"
    connect(db).close()
    free = shutil.disk_usage(disk).free
    (disk / "filler").write_bytes(b"\0" * max(0, free - 40 * 1024))  # a little room: the load runs out of it
    inputs = tmp_path / "in"
    inputs.mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(seed, inputs)
    before = tree(inputs)
    code, out = cli("run", str(inputs), "--db", str(db))
    assert code != 0, out
    line = [ln for ln in out.splitlines() if ln.startswith("newsevents: ")]
    assert line and "full" in line[-1], out
    assert "Traceback" not in out
    assert tree(inputs) == before
    (disk / "filler").unlink()
    con = duckdb.connect(str(db), read_only=True)  # still a sound warehouse, holding whole documents only
    try:
        partial = con.sql(
            "SELECT count(*) FROM sources s WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.source_id = s.source_id)"
        ).fetchall()
        assert partial == [(0,)]
    finally:
        con.close()


def test_corrupt_db_file_is_one_clear_line(tmp_path, seeds_copy):
    db = tmp_path / "w.duckdb"
    db.write_bytes(b"this is not a database\n" * 500)
    before, content = tree(seeds_copy), db.read_bytes()
    code, out = cli("run", str(seeds_copy), "--db", str(db))
    assert code != 0 and "not a DuckDB file or is corrupt" in one_line_error(out)
    assert tree(seeds_copy) == before and db.read_bytes() == content  # input and the file untouched


def test_truncated_db_file_is_refused(tmp_path):
    db = tmp_path / "w.duckdb"
    connect(db).close()
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])
    with pytest.raises(WarehouseError) as err:
        connect(db).close()
    assert "\n" not in str(err.value)


# --- schema versions ------------------------------------------------------------------------------------


def _schema(db: Path) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cols = con.sql(
            "SELECT table_name, column_name, data_type FROM information_schema.columns ORDER BY ALL"
        ).fetchall()
        idx = con.sql("SELECT index_name, table_name FROM duckdb_indexes() ORDER BY ALL").fetchall()
        return cols, idx
    finally:
        con.close()


def test_older_warehouse_is_upgraded_on_open(tmp_path):
    old = tmp_path / "v1.duckdb"
    con = duckdb.connect(str(old))
    con.execute((MIGRATIONS / "001_initial.sql").read_text())
    con.execute("INSERT INTO schema_version (version) VALUES (1)")
    con.execute(
        "INSERT INTO sources (source_id, uri, file_name, content_sha256, text) VALUES (?, ?, ?, ?, ?)",
        ["abc", "/in/a.txt", "a.txt", "0" * 64, "Kim met Putin."],
    )
    con.close()
    connect(old).close()
    fresh = tmp_path / "fresh.duckdb"
    connect(fresh).close()
    assert _schema(old) == _schema(fresh)  # the upgrade path ends where a new warehouse starts
    con = duckdb.connect(str(old), read_only=True)
    try:
        assert con.sql("SELECT max(version) FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
        assert con.sql("SELECT source_id, text FROM sources").fetchall() == [("abc", "Kim met Putin.")]
    finally:
        con.close()


def test_newer_warehouse_is_refused_untouched(tmp_path, seeds_copy):
    db = tmp_path / "w.duckdb"
    connect(db).close()
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO schema_version (version) VALUES (?)", [SCHEMA_VERSION + 1])
    con.close()
    content = db.read_bytes()
    code, out = cli("run", str(seeds_copy), "--db", str(db))
    assert code != 0 and "newer than this newsevents" in one_line_error(out)
    assert db.read_bytes() == content


def test_every_migration_step_exists():
    from warehouse.connect import migrations

    assert sorted(migrations()) == list(range(1, SCHEMA_VERSION + 1))


# --- locks ----------------------------------------------------------------------------------------------


def test_run_lock_waits_then_gives_up_with_one_line(tmp_path):
    db = tmp_path / "w.duckdb"
    with run_lock(db, 1.0):
        t0 = time.monotonic()
        with pytest.raises(WarehouseLocked) as err, run_lock(db, 0.6):
            pass
        assert time.monotonic() - t0 >= 0.6
        assert "--lock-timeout" in str(err.value) and "\n" not in str(err.value)
    with run_lock(db, 0):  # released when the first run ends
        pass


# --- kill -9 mid-load, and two runs at once (subprocesses) ----------------------------------------------


def _newsevents(api_url: str, *args: str, **env: str) -> subprocess.Popen:
    """`newsevents run` in its own process and process group, reporting to the test session's Prefect server
    (`api_url`): a temporary server per run would cost each ~5 s of CPU on a 2-core machine, and the server is
    not what these tests are about (tests/test_reliability.py runs the CLI with its own server)."""
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "run", *args],
        cwd=ROOT,
        env=cli_env(api_url, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: kill -9 reaches all of it
    )


def _try_read(db: Path) -> int | None:
    """Committed sources, or None while a run holds the DuckDB file (it does so only to load)."""
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return None
    try:
        return con.sql("SELECT count(*) FROM sources").fetchall()[0][0]
    except duckdb.Error:
        return 0
    finally:
        con.close()


def _lock_held(db: Path) -> bool:
    import fcntl

    if not lock_path(db).exists():
        return False
    with open(lock_path(db), "a") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        return False


@pytest.fixture(scope="module")
def clean_reference(seeds_run):
    """A clean, uninterrupted run over a copy of the seeds (the session's `seeds_run`; the fault runs read the
    same folder): the folder and the warehouse's content."""
    settings, db, summary = seeds_run
    assert summary.error is None and summary.loaded == len(list(SEEDS.glob("*.txt")))
    return Path(settings.inputs[0]), snapshot(db)


def test_kill_mid_load_then_concurrent_runs_end_equal_to_a_clean_run(prefect_harness, clean_reference, tmp_path):
    inputs, clean = clean_reference
    before = tree(inputs)
    db = tmp_path / "w.duckdb"
    total = len(clean["sources"])

    # 1. a run that loads one document per transaction, each held open 2 s before COMMIT; kill -9 it while
    #    it holds a transaction after at least one document is committed
    victim = _newsevents(prefect_harness, str(inputs), "--db", str(db), "--batch-size", "1", NEWSEVENTS_LOAD_PAUSE="2")
    committed, held_since, deadline = 0, None, time.monotonic() + 240
    try:
        while time.monotonic() < deadline and victim.poll() is None:
            n = _try_read(db)
            if n is None:  # the writer holds the file: a load transaction (its pause) or a brief open
                held_since = held_since or time.monotonic()
                if committed >= 1 and time.monotonic() - held_since > 0.7:
                    break
            else:
                committed, held_since = n, None
            time.sleep(0.1)
        assert victim.poll() is None, "the run ended before it could be killed: " + victim.stderr.read()
        os.killpg(victim.pid, signal.SIGKILL)
    finally:
        if victim.poll() is None:
            os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()

    # whole documents only: every loaded source has exactly the events and quarantine rows of the clean run
    killed = snapshot(db)
    assert 1 <= len(killed["sources"]) < total
    kept = {row[0] for row in killed["sources"]}
    assert killed["sources"] == [r for r in clean["sources"] if r[0] in kept]
    assert killed["events"] == [e for e in clean["events"] if e[1] in kept]
    assert not _lock_held(db)  # the kernel dropped the dead run's lock

    # 2. the next run completes the rest; meanwhile a run with a short --lock-timeout gives up with one
    #    line, and one with a long timeout waits for the lock, then finds nothing left to do
    #    (the finisher holds the run lock from its start to its end, several seconds: no load pause needed)
    finisher = _newsevents(prefect_harness, str(inputs), "--db", str(db), "--batch-size", "2")
    try:
        deadline = time.monotonic() + 60
        while not _lock_held(db) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _lock_held(db)
        impatient = _newsevents(prefect_harness, str(inputs), "--db", str(db), "--lock-timeout", "0.5")
        patient = _newsevents(prefect_harness, str(inputs), "--db", str(db), "--lock-timeout", "240")
        out, err = impatient.communicate(timeout=120)
        assert impatient.returncode != 0
        [line] = err.strip().splitlines()
        # the message names the holding run: its pid and command line
        assert line.startswith(f"newsevents: another newsevents run is using the warehouse {db} (pid {finisher.pid}: ")
        assert "flows.cli run" in line
        assert line.endswith("; gave up after 0.5 s (raise --lock-timeout to wait longer)")
        assert finisher.wait(timeout=240) == 0, finisher.stderr.read()
        p_out, p_err = patient.communicate(timeout=240)
        assert patient.returncode == 0, p_err
        assert "nothing new or changed" in p_out
    finally:
        for p in (finisher,):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
    assert snapshot(db) == clean
    assert tree(inputs) == before
