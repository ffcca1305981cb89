"""Everyday use (issue 12): a fast start, an honest summary, `newsevents sql`, Data Docs that render offline,
a `serve` that behaves, the report's filter and charts, CLI polish.

Warehouses are the tiny one of test_views (no NLP) unless a test needs a real run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from test_export_report import chromium, dump_dom
from test_views import ARTICLES, build_warehouse
from typer.testing import CliRunner

from flows.cli import SETTING_DEFAULTS, app
from flows.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
N_EVENTS = sum(len(a[3]) for a in ARTICLES)
runner = CliRunner()


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "w.duckdb"
    build_warehouse(path)
    return path


# 1. start fast ---------------------------------------------------------------------------------------------

PROBE = """
import json, sys
from flows.cli import app
try:
    app(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
heavy = ("prefect", "great_expectations", "spacy")
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(heavy))))
"""


def _imports(*commands: list[str]) -> list[set[str]]:
    """The heavy libraries each command imported, each in a fresh process (run side by side)."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", PROBE, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for args in commands
    ]
    found = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err[-2000:]
        found.append(set(json.loads(out.strip().splitlines()[-1])))
    return found


@pytest.mark.slow
def test_help_export_report_and_sql_import_no_prefect_gx_or_spacy(db, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    helped, exported, reported, queried, noop = _imports(
        ["--help"],
        ["export", "--db", str(db), "--out", str(tmp_path / "x")],
        ["report", "--db", str(db), "--out", str(tmp_path / "r.html")],
        ["sql", "--db", str(db), "SELECT count(*) FROM events"],
        ["run", str(empty), "--db", str(db)],
    )
    assert helped == exported == reported == queried == set()
    # a run with nothing new starts no flow and parses nothing: none of the three is imported
    assert noop == set()


@pytest.mark.slow
def test_extractor_version_without_spacy_is_the_extractors(lex, tmp_path):
    from transforms.extract import extractor_version as coded_version
    from transforms.lexicon import DICTIONARY_DIR, load_lexicon
    from transforms.version import extractor_version

    assert extractor_version() == coded_version(lex)
    custom = tmp_path / "dicts"
    shutil.copytree(DICTIONARY_DIR, custom)
    with (custom / "verbs.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\n# a local edit\n")
    assert extractor_version(custom) == coded_version(load_lexicon(custom)) != extractor_version()


def test_uv_does_not_recompile_bytecode_on_every_run():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert not config.get("tool", {}).get("uv", {}).get("compile-bytecode", False)


# 2. an honest summary --------------------------------------------------------------------------------------


def test_summary_splits_wall_time_and_keeps_this_run_apart_from_the_warehouse(db, tmp_path):
    from flows.summary import RunSummary

    s = RunSummary(run_id="r", seconds=10.0)
    s.stage_seconds.update({"plan": 0.5, "read": 0.5, "nlp": 4.0, "extract": 1.0, "validate": 1.0, "load": 0.5})
    t = s.timing()
    assert t["read"] == 1.0 and t["NLP + extraction"] == 5.0 and t["validation"] == 1.0 and t["load"] == 0.5
    assert t["start-up"] == pytest.approx(2.5) and t["total"] == 10.0
    assert sum(v for k, v in t.items() if k != "total") == pytest.approx(10.0)

    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["run", str(empty), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "this run" in result.output and "warehouse total" in result.output
    events = next(line for line in result.output.splitlines() if line.strip("│ ").startswith("events"))
    cells = [c.strip() for c in events.strip("│ ").split("│")]
    assert cells == ["events", "0", str(N_EVENTS)]  # nothing coded now; the warehouse's events beside it
    assert "start-up" in result.output and "NLP + extraction" in result.output and "total" in result.output


# 3. newsevents sql -----------------------------------------------------------------------------------------


def test_sql_prints_a_table_of_the_views(db):
    result = runner.invoke(
        app,
        ["sql", "--db", str(db), "SELECT actor1_name, event_type FROM event_facts WHERE event_type = 'AID' LIMIT 1"],
    )
    assert result.exit_code == 0, result.output
    assert "North Korea" in result.output and "AID" in result.output


@pytest.mark.parametrize("fmt", ["csv", "CSV", "json", "parquet"])
def test_sql_writes_csv_json_and_parquet(db, tmp_path, fmt):
    out = tmp_path / f"r.{fmt.lower()}"
    sql = "SELECT event_type, count(*) AS n, min(event_date) AS first FROM events GROUP BY 1 ORDER BY 1"
    result = runner.invoke(app, ["sql", "--db", str(db), "--format", fmt, "--out", str(out), sql])
    assert result.exit_code == 0, result.output
    if fmt.lower() == "parquet":
        frame = pl.read_parquet(out)
    elif fmt.lower() == "json":
        frame = pl.DataFrame(json.loads(out.read_text()))
    else:
        frame = pl.read_csv(out)
    got = dict(zip(frame["event_type"], frame["n"], strict=True))
    assert got["ASSAULT"] == sum(1 for a in ARTICLES for r in a[3] if r[2] == "ASSAULT")
    if fmt == "json":
        assert "2024-03-04" in out.read_text()  # dates as ISO text


def test_sql_reads_standard_input_and_a_file(db, tmp_path):
    result = runner.invoke(app, ["sql", "--db", str(db), "--format", "json"], input="SELECT count(*) AS n FROM events")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"n": N_EVENTS}]
    query = tmp_path / "q.sql"
    query.write_text("SELECT name FROM actors WHERE country_code = 'PRK' ORDER BY name", encoding="utf-8")
    result = runner.invoke(app, ["sql", "--db", str(db), "--file", str(query), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["name", "Kim Jong Un", "North Korea"]


def test_sql_errors_are_one_line_and_nothing_is_written(db, tmp_path):
    before = duckdb.connect(str(db), read_only=True).execute("SELECT count(*) FROM events").fetchone()[0]
    for sql, words in (
        ("SELECT nope FROM events", 'column "nope" not found'),
        ("DELETE FROM events", "read-only"),
        ("SELEC 1", "syntax error"),
    ):
        result = runner.invoke(app, ["sql", "--db", str(db), sql])
        assert result.exit_code == 2, result.output
        assert result.output.strip().count("\n") == 0 and "Traceback" not in result.output
        assert result.output.startswith("newsevents: SQL error:") and words in result.output, result.output
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == before
    con.close()
    result = runner.invoke(app, ["sql", "--db", str(db), "--format", "parquet", "SELECT 1"])
    assert result.exit_code == 2 and "--format parquet needs --out FILE" in result.output


def test_sql_waits_for_a_runs_load_like_export(db):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(1.5)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        t0 = time.monotonic()
        result = runner.invoke(app, ["sql", "--db", str(db), "--lock-timeout", "20", "SELECT count(*) FROM sources"])
        assert result.exit_code == 0, result.output
        assert time.monotonic() - t0 > 0.5  # it waited for the writer to let go
    finally:
        holder.wait(timeout=30)


# 4. Data Docs offline --------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(chromium() is None, reason="no Chromium on this machine (apt-get install chromium)")
def test_data_docs_render_offline_in_headless_chromium(tmp_path):
    import re

    from expectations.docs import ValidationLog
    from expectations.validate import validate_batch
    from transforms.documents import RawInput
    from transforms.parse import parse_document
    from transforms.rows import actors_frame, events_frame, sources_frame

    doc = parse_document(
        RawInput("/in/strike.txt", "strike.txt", b"date 2024-05-02\nNurses in Nairobi went on strike.")
    )
    sentence = "Nurses in Nairobi went on strike."
    start = doc.text.index(sentence)
    event = {
        "event_id": "e1",
        "source_id": doc.source_id,
        "event_type": "PROTEST",
        "quad_class": 3,
        "cameo_root": "14",
        "actor1_id": "nurses",
        "status": "asserted",
        "sentence": sentence,
        "sentence_start": start,
        "sentence_end": start + len(sentence),
        "confidence": 3.5,  # out of [0, 1]: a row failure
        "country_code": "KEN",
        "event_date": date(2024, 5, 2),
        "date_precision": "day",
    }
    actors = actors_frame(
        [
            {
                "nurses": {
                    "actor_id": "nurses",
                    "name": "nurses",
                    "actor_type": "group",
                    "country_code": "KEN",
                    "aliases": ["Nurses"],
                    "sector": "HLH",
                }
            }
        ]
    )
    log = ValidationLog("offline-run")
    log.add(validate_batch(sources_frame([doc], "v1"), events_frame([event]), actors).results)
    index = log.build_data_docs(tmp_path / "docs")
    page = index.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)  # nothing loaded from the network
    assert (tmp_path / "docs" / "gx_index.html").exists()  # GX's own pages are kept beside it
    dom, _ = dump_dom(index.as_uri())  # the network is off (every host resolves to nothing)
    assert "Validation results" in dom and "newsevents_events" in dom
    rows = re.findall(r"<tr>(.*?)</tr>", dom, flags=re.S)
    row = next(r for r in rows if "<code>expect_column_values_to_be_between</code>" in r and "column=confidence" in r)
    assert "failed" in row and "3.5" in row


# 5. serve --------------------------------------------------------------------------------------------------


def test_serve_refuses_a_missing_inbox_like_run(tmp_path):
    missing = tmp_path / "no-such-inbox"
    result = runner.invoke(app, ["serve", "--cron", "* * * * *", "--inbox", str(missing), "--db", str(tmp_path / "w")])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and f"no such folder: {missing}" in result.output
    assert not missing.exists()


def test_a_quiet_tick_starts_no_flow_and_writes_a_heartbeat(prefect_harness, tmp_path):
    from flows.pipeline import run_pipeline
    from flows.serve import InboxWatch, heartbeat_path, trigger_hint, write_heartbeat

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "chile.txt").write_text(
        "date 2024-10-18\nStudents protested in Santiago against a fare rise on Friday.\n", encoding="utf-8"
    )
    settings = Settings(inputs=[str(inbox)], db=str(tmp_path / "w.duckdb"), data_docs=False)
    watch = InboxWatch(settings)
    assert watch.check() == ("new", 1)  # no warehouse yet
    assert run_pipeline(settings).error is None
    assert watch.check() == ("nothing new", 1)
    t0 = time.perf_counter()
    assert watch.check() == ("nothing new", 1)  # unchanged names, sizes and times: no file read
    assert time.perf_counter() - t0 < 0.5
    path = write_heartbeat(settings, "dep", 1, "nothing new", None, 0.01)
    assert path == heartbeat_path(settings.db_path)
    beat = json.loads(path.read_text())
    assert beat["result"] == "nothing new" and beat["files_seen"] == 1 and beat["pid"] == os.getpid()
    runs = duckdb.connect(str(settings.db_path), read_only=True).execute("SELECT count(*) FROM runs").fetchone()
    assert runs == (1,)  # the quiet ticks wrote no `runs` row
    from warehouse.connect import run_lock

    with run_lock(settings.db_path, 1.0):  # a run is coding: the tick starts nothing
        assert watch.check() == ("a run holds the warehouse: nothing started", None)
    (inbox / "kenya.txt").write_text("date 2024-06-25\nPolice in Nairobi arrested 40 protesters.\n", encoding="utf-8")
    assert watch.check() == ("new", 2)
    hint = trigger_hint("newsevents-inbox-abc", "http://127.0.0.1:4242/api")
    assert hint == (
        "PREFECT_API_URL=http://127.0.0.1:4242/api uv run prefect deployment run 'newsevents-run/newsevents-inbox-abc'"
    )


# SIGTERM and Ctrl-C: tests/test_reliability.py::test_sigterm_stops_serve_and_its_server_within_seconds (one line,
# exit 143, no traceback or warning, the Prefect server child gone within seconds).


# 7. the report ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_timeline_follows_the_data():
    from warehouse.report import timeline_chart

    def frame(days):
        return pl.DataFrame(
            {"event_date": days, "quad_class_name": ["material conflict"] * len(days), "events": [1] * len(days)}
        )

    months = [date(2023, 1, 10), date(2023, 6, 1), date(2024, 2, 3), date(2024, 11, 20), date(2025, 6, 30)]
    _, note = timeline_chart(frame(months))
    assert "by month" in note and "2023-01-10 to 2025-06-30" in note
    # one event recalled from 2014 among 2024's: the timeline spans 2024, and says what it left off
    _, note = timeline_chart(frame([date(2014, 3, 1), *months]))
    assert "by month" in note and "2023-01-10 to 2025-06-30" in note and "1 events dated outside" in note
    _, note = timeline_chart(frame([date(2010, 1, 1), date(2016, 1, 1), date(2022, 1, 1)]))
    assert "by year" in note


@pytest.mark.slow
def test_report_legends_list_only_the_quad_classes_shown(db, tmp_path):
    result = runner.invoke(app, ["report", "--db", str(db), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "(none)" not in page and "no quad class" not in page
    assert "material conflict" in page  # the shelling
    assert '<td class="type">CONSULT</td>' in page and "td.date, td.type { white-space: nowrap; }" in page


@pytest.mark.slow
@pytest.mark.skipif(chromium() is None, reason="no Chromium on this machine (apt-get install chromium)")
def test_report_filter_searches_the_event_not_the_source_title(db, tmp_path):
    runner.invoke(app, ["report", "--db", str(db), "--out", str(tmp_path / "r.html")])
    url = (tmp_path / "r.html").as_uri()
    dom, _ = dump_dom(url)
    assert f"All {N_EVENTS} events" in dom
    # "accused" is in one sentence; "monday" only in that article's title (its first sentence) and other rows
    dom, _ = dump_dom(url + "#q=accused+monday")
    assert 'data-shown="0"' in dom and f"0 of {N_EVENTS} events match" in dom
    dom, _ = dump_dom(url + "#q=accused")
    assert 'data-shown="1"' in dom and f"1 of {N_EVENTS} events match" in dom
    dom, _ = dump_dom(url + "#q=assault+kharkiv")  # type and place
    shelled = sum(1 for a in ARTICLES for r in a[3] if r[2] == "ASSAULT")
    assert f'data-shown="{shelled}"' in dom


# 8. CLI polish ---------------------------------------------------------------------------------------------


def test_version_and_case_insensitive_choices(db, tmp_path):
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("newsevents ")
    result = runner.invoke(app, ["export", "--format", "CSV", "--out", str(tmp_path / "x"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "x" / "events.csv").exists()


def test_every_help_shows_the_defaults():
    import typer.main

    command = typer.main.get_command(app)
    for name, sub in command.commands.items():
        for param in sub.params:
            if param.param_type_name != "option" or param.is_flag or param.required or param.name == "help":
                continue
            assert param.show_default not in (None, False) and (param.default is not None or param.show_default), (
                name,
                param.name,
            )
    fields = Settings.model_fields
    for key, shown in SETTING_DEFAULTS.items():
        default = fields[key].default
        assert shown == (f"{default:g}" if isinstance(default, float) else str(default)), key
    result = runner.invoke(app, ["run", "--help"], env={"COLUMNS": "200"})
    assert "200, or batch_size in [tool.newsevents]" in result.output
    assert "30, or lock_timeout in [tool.newsevents]" in result.output


@pytest.mark.slow
def test_a_run_shows_what_it_is_doing_from_the_start_on_a_terminal(db, tmp_path):
    """On a terminal the run shows a spinner with its current step at once (here: waiting for another run's
    lock, which it then gives up with one line), never a silent screen."""
    import pty

    from warehouse.connect import run_lock

    empty = tmp_path / "empty"
    empty.mkdir()
    with run_lock(db, 1.0):
        pid, fd = pty.fork()
        if pid == 0:  # the child: the CLI on a terminal
            os.chdir(ROOT)
            os.execv(
                sys.executable,
                [sys.executable, "-m", "flows.cli", "run", str(empty), "--db", str(db)] + ["--lock-timeout", "4"],
            )
        seen = b""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        os.waitpid(pid, 0)
    text = seen.decode("utf-8", "replace")
    assert "waiting for the warehouse's run lock" in text
    assert text.index("waiting for the warehouse's run lock") < text.index("newsevents: another newsevents run")
    assert f"(pid {os.getpid()}: " in text  # the lock message names the holder


class _FakeServer:
    """Stands for the temporary server's process in `run_api` tests."""

    def __init__(self) -> None:
        self.stopped = False

    def poll(self):
        return 0 if self.stopped else None

    def terminate(self) -> None:
        self.stopped = True

    def wait(self, timeout=None) -> int:
        return 0


def test_run_api_boots_the_server_first_and_stops_it_when_the_warm_up_fails(monkeypatch):
    """The server boots before the warm-up (they overlap); a warm-up that fails (a broken dictionary) leaves no
    server behind; with an API named in the environment none is booted."""
    from flows import server

    booted: list[_FakeServer] = []
    order: list[str] = []

    def boot(port):
        order.append("boot")
        booted.append(_FakeServer())
        return booted[-1]

    def broken() -> None:
        order.append("warm-up")
        raise ValueError("a broken dictionary")

    monkeypatch.setattr(server, "_boot_temporary_server", boot)
    monkeypatch.setattr(server, "_api_configured_cheaply", lambda: False)
    with pytest.raises(ValueError, match="broken"), server.run_api(broken):
        pass
    assert order == ["boot", "warm-up"] and booted[0].stopped

    monkeypatch.setattr(server, "_api_configured_cheaply", lambda: True)
    warmed: list[bool] = []
    with server.run_api(lambda: warmed.append(True)):
        pass
    assert warmed == [True] and len(booted) == 1
