"""Nothing one input can do stops the run (issue 15).

A hostile folder holding every kind of input that used to stop a run (a name that is not UTF-8, JSON lines
with broken characters, nested 100,000 deep or holding a 5,000-digit number, a symlink loop, a path longer
than the OS allows, a pipe, a text over the size limit, a text the extractor runs out of time on, a feed
line claiming another file's uri, two texts under one url, the warehouse and its Data Docs inside the
input folder) plus good files: the good ones load, every bad one is one quarantine row with its reason, and
a second run changes nothing. Then the warehouse refusals (not a file, not DuckDB, someone else's DuckDB),
writes that never follow a planted link, export's swap, and SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flows.discover import Found, discover, read_input
from flows.feeds import read_inputs
from tests.conftest import ROOT, sabotage_extraction, snapshot
from tests.conftest import query as q
from warehouse.connect import WarehouseError, connect, run_lock

KENYA = (
    "Kenya and Ethiopia sign trade deal\n"
    "Kenya signed a trade agreement with Ethiopia on Friday, the two governments said in a joint statement."
)
PERU = (
    "Police arrest protesters in Lima\n"
    "Peruvian police arrested dozens of protesters in Lima on Tuesday, officials said after the march."
)
GHANA = "Ghana and Togo signed a border accord in Accra on Monday, officials said."
NIGERIA = "Nigeria imposed sanctions on three oil firms on Tuesday, the ministry said in Abuja."
CHILE = "Protesters marched through Santiago on Sunday, Chilean police said."
MALI = "French troops left Mali on Monday, the army said in a statement."
SLOW = "Iran condemned the strike on Damascus on Monday, officials said."


def _deep_path(root: Path) -> None:
    """A file under folders whose path is longer than PATH_MAX (made with dir_fd, one level at a time)."""
    fd = os.open(root, os.O_RDONLY)
    try:
        for i in range(18):
            name = f"d{i:02d}" + "x" * 240
            os.mkdir(name, dir_fd=fd)
            nfd = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nfd
        f = os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(f, KENYA.encode())
        os.close(f)
    finally:
        os.close(fd)


def build(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "kenya.txt").write_text(KENYA)
    (root / "peru.txt").write_text(PERU)
    (root / "slow.txt").write_text(SLOW)
    (root / "big.txt").write_text((PERU.split("\n")[1] + " ") * 60)  # over the test's max_chars
    with open(os.fsencode(root) + b"/caf\xe9.txt", "wb") as fh:  # a Latin-1 name
        fh.write(KENYA.replace("Friday", "Monday").encode())
    lines = [
        '{"text": "' + CHILE[:-1] + ' \\ud83d.", "url": "https://news.example/chile"}',  # half an emoji
        '{"text": "' + NIGERIA + '", "url": "https://news.example/\\ud83d"}',  # … in the url
        '{"text": "' + MALI + '", "title": "Troops leave \\ud83d"}',  # … in the title
        "[" * 100_000 + "]" * 100_000,
        '{"text": "Fighting in Sudan.", "n": ' + "9" * 5000 + "}",
        json.dumps({"text": GHANA, "url": "https://news.example/same"}),
        json.dumps({"text": NIGERIA, "url": "https://news.example/same"}),  # the same url, another text
        json.dumps({"text": GHANA.replace("Monday", "Friday"), "url": str(root / "kenya.txt")}),  # a file's uri
    ]
    (root / "feed.jsonl").write_text("\n".join(lines) + "\n")
    os.symlink("loop_b", root / "loop_a")
    os.symlink("loop_a", root / "loop_b")
    os.mkfifo(root / "pipe.txt")
    _deep_path(root)
    return root


@pytest.fixture(scope="module")
def hostile(prefect_harness, tmp_path_factory):
    import flows.pipeline as pipeline
    from flows.settings import Settings

    base = tmp_path_factory.mktemp("rel")
    folder = build(base / "in")
    db = folder / "warehouse" / "w.duckdb"  # the warehouse (and its Data Docs) inside its own input folder
    # the never-ending extractor waits the budget out once (and burns it on a core); the matchers are warmed
    # before any budget starts (pipeline._ready) and the other texts extract in milliseconds
    settings = Settings(inputs=[str(folder)], db=str(db), batch_size=2, max_chars=3000, extract_timeout=2.0)

    def forever() -> None:  # an extractor that never ends on one text (pure Python, like ours)
        while True:
            sum(range(1000))

    mp = pytest.MonkeyPatch()
    sabotage_extraction(mp, lambda doc: doc.file_name == "slow.txt", forever)
    try:
        first = pipeline.run_pipeline(settings)
        after_first = snapshot(db, "run_id, quarantined_at")
        second = pipeline.run_pipeline(settings)
    finally:
        mp.undo()
    return folder, db, first, second, after_first


def test_good_inputs_load_and_each_bad_one_is_quarantined_with_its_reason(hostile):
    folder, db, first, *_ = hostile
    assert first.error is None
    loaded = {u for (u,) in q(db, "SELECT uri FROM sources")}
    assert loaded == {
        str(folder / "kenya.txt"),
        str(folder / "peru.txt"),
        "https://news.example/chile",  # its text without the half emoji
        f"{folder}/feed.jsonl#L3",  # its title without the half emoji
        "https://news.example/same",  # the last of the two lines under one url
    }
    reasons = {u.removeprefix(str(folder) + "/"): r for u, r in q(db, "SELECT uri, reason FROM quarantine")}
    deep = next(u for u in reasons if u.startswith("d00"))
    assert reasons == {
        "caf\\xe9.txt": "bad_name",
        "feed.jsonl#L2": "bad_json",
        "feed.jsonl#L4": "bad_json",
        "feed.jsonl#L5": "bad_json",
        "feed.jsonl#L6": "uri_conflict",
        "feed.jsonl#L8": "uri_conflict",
        "loop_a": "unreadable",
        "loop_b": "unreadable",
        "pipe.txt": "not_a_file",
        "big.txt": "too_large",
        "slow.txt": "extract_timeout",
        deep: "unreadable",
    }
    # the warehouse, its lock and its Data Docs were never read as input
    assert not [u for u in loaded | set(reasons) if "warehouse" in u]
    assert first.loaded == len(loaded)  # the summary's count is what the warehouse holds


def test_stored_text_and_title_lose_only_the_broken_character(hostile):
    folder, db, *_ = hostile
    texts = dict(q(db, "SELECT uri, text FROM sources"))
    chile = texts["https://news.example/chile"]
    assert chile.startswith(CHILE[:-1]) and "\ud83d" not in chile
    assert q(db, "SELECT title FROM sources WHERE uri = ?", [f"{folder}/feed.jsonl#L3"]) == [("Troops leave",)]
    assert texts["https://news.example/same"] == NIGERIA


def test_a_feed_line_never_replaces_a_source_it_does_not_own(hostile):
    folder, db, *_ = hostile
    [(detail,)] = q(db, "SELECT detail FROM quarantine WHERE uri = ?", [f"{folder}/feed.jsonl#L8"])
    assert str(folder / "kenya.txt") in detail and "feed.jsonl#L8" in detail
    # the file's own article and its events are intact
    assert q(db, "SELECT text FROM sources WHERE uri = ?", [str(folder / "kenya.txt")]) == [(KENYA,)]
    sql = "SELECT e.event_type FROM events e JOIN sources s USING (source_id) WHERE s.uri = ?"
    kenya_events = q(db, sql, [str(folder / "kenya.txt")])
    assert ("AGREE",) in kenya_events


def test_second_run_changes_nothing(hostile):
    _, db, first, second, after_first = hostile
    assert second.error is None and second.loaded == 0
    assert snapshot(db, "run_id, quarantined_at") == after_first


def test_same_url_keeps_the_last_line_whatever_the_batch(tmp_path):
    feed = tmp_path / "f.jsonl"
    lines = [{"text": t, "url": "https://n.example/x"} for t in (GHANA, NIGERIA, CHILE)]
    feed.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    [found] = discover([str(tmp_path)])
    got = read_inputs(found)
    assert [(r.uri, r.error) for r in got] == [
        (f"{feed}#L1", "uri_conflict"),
        (f"{feed}#L2", "uri_conflict"),
        ("https://n.example/x", None),
    ]
    assert got[2].data.decode() == CHILE and f"{feed}#L3" in got[0].error_detail


def test_a_file_swapped_for_a_pipe_after_planning_does_not_block(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(KENYA)
    [found] = discover([str(tmp_path)])
    assert found.problem is None
    path.unlink()
    os.mkfifo(path)  # nobody will ever write to it: a blocking open() would hang here
    t0 = time.monotonic()
    raw = read_input(found)
    assert raw.error == "not_a_file" and time.monotonic() - t0 < 2


def test_time_budget_stops_python_code_and_leaves_quick_code_alone():
    from flows.budget import BudgetExceeded, time_budget

    t0 = time.monotonic()
    with pytest.raises(BudgetExceeded), time_budget(0.3):
        while True:
            sum(range(100))
    assert time.monotonic() - t0 < 2
    with time_budget(5):
        x = sum(range(1000))
    time.sleep(0.1)  # nothing pending lands later
    assert x == 499500


def test_inputs_from_the_environment_as_json_or_os_paths(monkeypatch):
    from flows.settings import load_settings

    monkeypatch.setenv("NEWSEVENTS_INPUTS", json.dumps(["/data/a:b", "/data/c d"]))
    assert load_settings().inputs == ["/data/a:b", "/data/c d"]
    monkeypatch.setenv("NEWSEVENTS_INPUTS", os.pathsep.join(["/data/x", "/data/y"]))
    assert load_settings().inputs == ["/data/x", "/data/y"]


# --- the warehouse: refuse what is not ours, write through no planted link -------------------------------


@pytest.mark.parametrize("target", [":memory:", ":memory:x", "md:shared", "s3://bucket/w.duckdb"])
def test_non_file_targets_are_refused(tmp_path, target, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WarehouseError, match="must be a file path"), run_lock(target, 0):
        pass
    with pytest.raises(WarehouseError, match="must be a file path"):
        connect(target, 0)
    assert list(tmp_path.iterdir()) == []  # no `:memory:.lock`, no Data Docs folder


def test_someone_elses_duckdb_is_refused_before_anything_is_written(tmp_path):
    db = tmp_path / "theirs.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE events (x INTEGER)")
    con.close()
    with pytest.raises(WarehouseError, match="not a newsevents warehouse"):
        connect(db, 0)
    assert q(db, "SELECT table_name FROM information_schema.tables") == [("events",)]


def test_sqlite_and_other_files_are_refused_by_their_header(tmp_path):
    import sqlite3

    lite = tmp_path / "w.duckdb"
    sqlite3.connect(lite).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(WarehouseError, match="SQLite"):
        connect(lite, 0)
    text = tmp_path / "notes.duckdb"
    text.write_text("hello, this is not a database at all")
    with pytest.raises(WarehouseError, match="not a DuckDB file"):
        connect(text, 0, read_only=True)


def test_the_lock_file_is_never_written_through_a_symlink(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    os.symlink(victim, tmp_path / "w.duckdb.lock")
    with pytest.raises(WarehouseError, match="symlink"), run_lock(tmp_path / "w.duckdb", 0):
        pass
    assert victim.read_text() == "precious"


def test_report_is_never_written_through_a_planted_part_file(tmp_path):
    from warehouse.connect import connect as open_wh
    from warehouse.export import open_for_reading
    from warehouse.report import write_report

    db = tmp_path / "w.duckdb"
    open_wh(db, 0).close()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    os.symlink(victim, tmp_path / ".report.html.part")
    con = open_for_reading(db)
    try:
        write_report(con, tmp_path / "report.html", str(db))
    finally:
        con.close()
    assert victim.read_text() == "precious" and (tmp_path / "report.html").stat().st_size > 1000
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".report")) == [".report.html.part"]


def test_export_swaps_complete_files_in_and_removes_a_killed_exports_leftovers(tmp_path):
    from warehouse.connect import connect as open_wh
    from warehouse.export import LEFTOVER_PREFIX, export, open_for_reading

    db = tmp_path / "w.duckdb"
    open_wh(db, 0).close()
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = out / f"{LEFTOVER_PREFIX}{dead.stdout.strip()}-abc"
    stale.mkdir()
    (stale / "events.parquet").write_bytes(b"x" * 1000)  # what a kill -9 mid-export leaves
    con = open_for_reading(db)
    try:
        written = export(con, out, "parquet")
    finally:
        con.close()
    assert {e.path.name for e in written} == {p.name for p in out.iterdir()}  # nothing hidden is left
    assert "events.parquet" in {e.path.name for e in written}


# --- SIGTERM ----------------------------------------------------------------------------------------------


def _cli_in_own_session(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    """`python -m flows.cli ARGS` in a new session (so a test can signal or kill its whole process group)."""
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


@pytest.mark.slow
def test_sigterm_stops_a_run_within_seconds_with_one_line(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(150):  # enough work that the run is still coding when the signal comes
        (folder / f"a{i}.txt").write_text(f"{KENYA}\nTalks resumed in Nairobi on day {i}, officials said.")
    db = tmp_path / "w.duckdb"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = _cli_in_own_session(["run", str(folder), "--db", str(db), "--batch-size", "2"], env)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and not Path(f"{db}.lock").exists():
            time.sleep(0.2)
        time.sleep(3)  # planning or coding: either way the run is under way
        assert proc.poll() is None, proc.stderr.read()
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
        took = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 128 + signal.SIGTERM
    assert took < 5
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert "stopped by SIGTERM" in lines[-1], err
    assert "Traceback" not in err and "ConnectError" not in err
    with run_lock(db, 0):  # nothing is held
        pass
    time.sleep(1)
    assert subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True).stdout == b""  # no child left


def test_found_names_are_storable(tmp_path):
    with open(os.fsencode(tmp_path) + b"/na\xefve.txt", "wb") as fh:
        fh.write(KENYA.encode())
    [found] = discover([str(tmp_path)])
    raw = read_input(Found(found.path, found.root, found.problem, found.detail))
    assert raw.error == "bad_name" and raw.uri.endswith("na\\xefve.txt")
    raw.uri.encode("utf-8")  # no lone surrogate: storable


@pytest.mark.slow
def test_sigterm_stops_serve_and_its_server_within_seconds(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ghana.txt").write_text(GHANA)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PYTHONPATH"] = str(ROOT)
    port = str(4300 + os.getpid() % 500)
    proc = _cli_in_own_session(
        ["serve", "--cron", "* * * * *", "--inbox", str(inbox), "--db", str(tmp_path / "w.duckdb"), "--port", port],
        env,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if subprocess.run(["pgrep", "-s", str(proc.pid), "-f", "prefect server start"], capture_output=True).stdout:
                break  # our Prefect server is starting: the runner follows
            time.sleep(0.5)
        time.sleep(5)
        assert proc.poll() is None, proc.stderr.read()
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        took = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert took < 5, err
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "stopped by SIGTERM" in err and "Traceback" not in err
    assert "Warning" not in err and "never awaited" not in err, err  # e.g. Runner.astop's RuntimeWarning
    deadline, left = time.monotonic() + 10, "?"
    while left and time.monotonic() < deadline:  # the Prefect server child shuts down on its own SIGTERM
        time.sleep(0.5)
        left = subprocess.run(["pgrep", "-a", "-s", str(proc.pid)], capture_output=True, text=True).stdout
        left = "\n".join(ln for ln in left.splitlines() if "<defunct>" not in ln)
    assert left == "", left  # no child left within seconds
