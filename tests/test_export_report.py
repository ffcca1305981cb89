"""`newsevents export` and `newsevents report` on the tiny warehouse of test_views (no NLP).

Export writes one readable file per table and view with the warehouse's row counts; the report is one
self-contained HTML page (no network references) that renders in headless Chromium without script
errors (skipped where no Chromium is installed); both fail with one line on a missing or locked DB.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import tempfile

import duckdb
import polars as pl
import pytest
from test_views import ARTICLES, build_batch, build_warehouse
from typer.testing import CliRunner

from flows.cli import app
from transforms.documents import Rejection
from transforms.rows import quarantine_frame
from warehouse.connect import connect
from warehouse.export import view_names
from warehouse.load import Batch, load_batch

runner = CliRunner()
N_EVENTS = sum(len(a[3]) for a in ARTICLES)


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "w.duckdb"
    build_warehouse(path)
    con = connect(path)
    empty = build_batch()
    bad = [Rejection("/data/news/g.bin", "read", "binary", "the file holds <b>binary</b> data")]
    load_batch(con, Batch(empty.sources.clear(), empty.events.clear(), empty.actors.clear(), quarantine_frame(bad)))
    con.close()
    return path


def catalog(path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        ]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchall()[0][0] for n in names}
    finally:
        con.close()


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_writes_one_readable_file_per_table_and_view(db, tmp_path, fmt):
    out = tmp_path / "export"
    result = runner.invoke(app, ["export", "--format", fmt, "--out", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    expected = catalog(db)
    assert {"events", "actors", "sources", "quarantine", *view_names()} <= set(expected)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.{fmt}" for n in expected)
    for name, rows in expected.items():
        path = out / f"{name}.{fmt}"
        frame = pl.read_parquet(path) if fmt == "parquet" else pl.read_csv(path, infer_schema_length=0)
        assert frame.height == rows, name
    events = pl.read_parquet(out / "events.parquet") if fmt == "parquet" else None
    if events is not None:  # Parquet keeps types: the evidence sentences come back exactly
        assert events.height == N_EVENTS
        assert set(events["sentence"]) == {r[0] for a in ARTICLES for r in a[3]}
    texts = pl.read_csv(out / f"sources.{fmt}") if fmt == "csv" else pl.read_parquet(out / "sources.parquet")
    assert texts.height == len(ARTICLES)


def test_export_refuses_a_file_as_folder(db, tmp_path):
    target = tmp_path / "not_a_dir"
    target.write_text("x")
    result = runner.invoke(app, ["export", "--out", str(target), "--db", str(db)])
    assert result.exit_code != 0
    assert "not a folder" in result.output


@pytest.mark.parametrize("command", ["export", "report"])
def test_missing_db_gives_one_line(tmp_path, command):
    missing = tmp_path / "none.duckdb"
    result = runner.invoke(app, [command, "--out", str(tmp_path / "out"), "--db", str(missing)])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "no warehouse at" in result.output
    assert not missing.exists()  # read-only: nothing created


@pytest.mark.parametrize("command", ["export", "report"])
def test_locked_db_gives_one_line(db, tmp_path, command):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); sys.stdin.read()",
            str(db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        args = [command, "--out", str(tmp_path / "out.html"), "--db", str(db), "--lock-timeout", "0.3"]
        result = runner.invoke(app, args)
    finally:
        holder.communicate("", timeout=30)
    assert result.exit_code == 2
    assert f"held by pid {holder.pid}" in result.output  # names the holder: not a newsevents run,
    assert "a read-only client such as a BI tool or a notebook" in result.output  # so a reading client
    assert result.output.strip().count("\n") == 0


def make_report(db, tmp_path) -> str:
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_report_is_self_contained_and_complete(db, tmp_path):
    page = make_report(db, tmp_path)
    # nothing fetched: no external script, stylesheet, image or frame; no link to the web
    assert not re.search(r"<(script|img|iframe|link)[^>]*\s(src|href)=", page, re.IGNORECASE)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert "@import" not in page
    assert not re.search(r"""url\(\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert page.count("<svg") == 4  # timeline, dyads, types, countries
    # every event is listed with its evidence sentence (escaped as HTML)
    assert page.count('data-event-id="') == N_EVENTS
    for _, _, _, reports in ARTICLES:
        for sentence, trigger, *_ in reports:
            i = sentence.find(trigger)
            j = i + len(trigger)
            assert f"{html.escape(sentence[:i])}<mark>{html.escape(trigger)}</mark>{html.escape(sentence[j:])}" in page
    # the quarantine summary shows the reason, and its detail is escaped, not markup
    assert "binary" in page and "&lt;b&gt;binary&lt;/b&gt;" in page
    assert "Russia → Ukraine" in page  # a top dyad
    assert 'data-report-ready", "1"' in page  # the marker the script sets


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def dump_dom(url: str) -> tuple[str, str]:
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--host-resolver-rules=MAP * ~NOTFOUND",
                f"--user-data-dir={profile}",
                "--enable-logging=stderr",
                "--v=0",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=90,
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout, proc.stderr


@pytest.mark.slow
@pytest.mark.skipif(chromium() is None, reason="no Chromium on this machine (apt-get install chromium)")
def test_report_renders_in_headless_chromium_without_script_errors(db, tmp_path):
    make_report(db, tmp_path)
    url = (tmp_path / "report.html").as_uri()
    dom, log = dump_dom(url)
    root = re.search(r"<html[^>]*>", dom).group(0)
    assert 'data-report-ready="1"' in root, root
    assert 'data-script-errors="0"' in root, root
    assert "Uncaught" not in log
    assert f'data-shown="{N_EVENTS}"' in dom
    # the filter works: words select exactly the rows that hold them all
    dom, _ = dump_dom(url + "#q=shelled+kharkiv")
    # rows whose event (actors, type, place, status, sentence; not the source's title) holds both terms
    shelling = sum(1 for a in ARTICLES for r in a[3] if all(w in r[0].lower() for w in ("shelled", "kharkiv")))
    assert f'data-shown="{shelling}"' in dom
    assert dom.count('hidden=""') == N_EVENTS - shelling


def test_warehouse_without_views_still_exports_them(db, tmp_path):
    """A warehouse written before views.sql had a view (opened read-only, so not migrated) gets temp views."""
    con = duckdb.connect(str(db))
    for name in reversed(view_names()):  # dependents first
        con.execute(f"DROP VIEW {name}")
    con.close()
    out = tmp_path / "export"
    result = runner.invoke(app, ["export", "--out", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert {f"{n}.parquet" for n in view_names()} <= {p.name for p in out.iterdir()}
    assert pl.read_parquet(out / "event_facts.parquet").height == N_EVENTS
    assert "event_facts" not in catalog(db)  # the file itself was not changed
