"""Orchestration: incremental runs, corrections, dictionary changes, lineage, feeds through the flow, serve, CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from flows.settings import Settings
from tests.conftest import query as q

ROOT = Path(__file__).resolve().parent.parent

FIRST = (
    "Germany pledges air defence to Ukraine\n"
    "date 2024-05-06\n"
    "Germany sent three air defence systems to Ukraine on Monday, the defence ministry said. "
    "Vladimir Putin accused Germany of escalating the war.\n"
)
CORRECTED = (
    "Germany pledges air defence to Ukraine\n"
    "date 2024-05-06\n"
    "Germany sent two air defence systems to Ukraine on Monday, the defence ministry said in a correction. "
    "Russia condemned the delivery.\n"
)
VISIT = (
    "Envoy visits Moscow\n"
    "date 2024-06-11\n"
    "Aldric Venn met Vladimir Putin in Moscow on Tuesday to discuss grain exports, the Kremlin said.\n"
)


@pytest.fixture()
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "germany.txt").write_text(FIRST, encoding="utf-8")
    (folder / "visit.txt").write_text(VISIT, encoding="utf-8")
    return folder


def run(settings):
    """One flow run without Data Docs (~1 s of CPU each; tests/test_flow_e2e.py checks the seeds run's)."""
    from flows.pipeline import run_pipeline

    summary = run_pipeline(settings.model_copy(update={"data_docs": False}))
    assert summary.error is None, summary.error
    return summary


def test_unchanged_skipped_correction_replaces_and_lineage(prefect_harness, inbox, tmp_path):
    db = tmp_path / "wh.duckdb"
    settings = Settings(inputs=[str(inbox)], db=str(db))
    first = run(settings)
    assert (first.loaded, first.skipped) == (2, 0) and first.events > 0
    uri = str(inbox / "germany.txt")
    (old_id,) = q(db, "SELECT source_id FROM sources WHERE uri = ?", [uri])[0]
    assert q(db, "SELECT count(*) FROM events WHERE source_id = ?", [old_id])[0][0] > 0

    again = run(settings)  # nothing changed: nothing coded
    assert (again.loaded, again.skipped, again.events) == (0, 2, 0)

    (inbox / "germany.txt").write_text(CORRECTED, encoding="utf-8")
    fixed = run(settings)
    assert (fixed.loaded, fixed.skipped) == (1, 1)
    rows = q(db, "SELECT source_id, text FROM sources WHERE uri = ?", [uri])
    assert len(rows) == 1 and rows[0][0] != old_id and "two air defence systems" in rows[0][1]
    assert q(db, "SELECT count(*) FROM events WHERE source_id = ?", [old_id])[0][0] == 0
    sentences = [r[0] for r in q(db, "SELECT sentence FROM events WHERE source_id = ?", [rows[0][0]])]
    assert sentences and not any("three air defence" in s for s in sentences)

    # lineage: every source and event names the run that wrote it; runs hold the flow run and counts
    runs = {
        r[0]: r[1:]
        for r in q(
            db,
            "SELECT run_id, flow_run_id, extractor_version, sources_loaded, "
            "sources_skipped, started_at <= finished_at FROM runs",
        )
    }
    assert set(runs) == {first.run_id, again.run_id, fixed.run_id}
    assert runs[fixed.run_id][0] == fixed.flow_run_id and fixed.flow_run_id
    assert runs[fixed.run_id][1] == fixed.extractor_version
    assert runs[fixed.run_id][2:] == (1, 1, True)
    by_run = dict(q(db, "SELECT uri, run_id FROM sources"))
    assert by_run == {uri: fixed.run_id, str(inbox / "visit.txt"): first.run_id}
    assert (
        q(db, "SELECT count(*) FROM events WHERE run_id IS NULL OR run_id NOT IN (SELECT run_id FROM runs)")[0][0] == 0
    )
    assert q(db, "SELECT DISTINCT run_id FROM events WHERE source_id = ?", [rows[0][0]]) == [(fixed.run_id,)]


def test_correction_is_one_transaction(prefect_harness, inbox, tmp_path):
    """A replacement that fails half-way leaves the old source and its events whole."""
    from flows.discover import discover
    from flows.incremental import read_documents
    from flows.pipeline import extract_task
    from transforms.rows import quarantine_frame
    from warehouse.connect import WarehouseError, connect
    from warehouse.load import Batch, load_batch

    db = tmp_path / "wh.duckdb"
    settings = Settings(inputs=[str(inbox)], db=str(db))
    run(settings)
    before = q(
        db,
        "SELECT source_id, (SELECT count(*) FROM events e WHERE e.source_id = s.source_id) FROM sources s ORDER BY 1",
    )
    (inbox / "germany.txt").write_text(CORRECTED, encoding="utf-8")
    docs, _ = read_documents(discover([str(inbox / "germany.txt")]))
    extracted = extract_task.fn(docs, settings)
    sources, events, actors = extracted.sources, extracted.events, extracted.actors
    assert events.height > 0
    broken = events.with_columns(pl.lit(None, pl.Utf8).alias("sentence"))  # violates NOT NULL at insert
    con = connect(db)
    try:
        with pytest.raises((duckdb.Error, WarehouseError)):
            load_batch(con, Batch(sources, broken, actors, quarantine_frame([]), "broken-run"))
    finally:
        con.close()
    after = q(
        db,
        "SELECT source_id, (SELECT count(*) FROM events e WHERE e.source_id = s.source_id) FROM sources s ORDER BY 1",
    )
    assert after == before


def test_dictionary_change_redoes_sources(prefect_harness, inbox, tmp_path):
    db = tmp_path / "wh.duckdb"
    plain = ROOT / "transforms" / "dictionaries"  # the project's own: its lexicon is loaded once per process
    richer = tmp_path / "dict-b"
    shutil.copytree(plain, richer)
    with open(richer / "persons.yaml", "a", encoding="utf-8") as fh:
        fh.write("- {name: Aldric Venn, country: FRA, title: envoy, aliases: [Venn]}\n")

    first = run(Settings(inputs=[str(inbox)], db=str(db), dictionaries=str(plain)))
    assert first.loaded == 2
    assert run(Settings(inputs=[str(inbox)], db=str(db), dictionaries=str(plain))).skipped == 2
    redo = run(Settings(inputs=[str(inbox)], db=str(db), dictionaries=str(richer)))
    assert redo.extractor_version != first.extractor_version
    assert (redo.loaded, redo.skipped) == (2, 0)
    assert q(db, "SELECT DISTINCT extractor_version FROM sources") == [(redo.extractor_version,)]
    venn = q(db, "SELECT country_code FROM actors WHERE name = 'Aldric Venn'")
    assert venn == [("FRA",)]
    assert (
        q(
            db,
            """SELECT count(*) FROM events e JOIN actors a ON a.actor_id IN (e.actor1_id, e.actor2_id)
                    WHERE a.name = 'Aldric Venn'""",
        )[0][0]
        >= 1
    )


def test_feed_through_the_flow(prefect_harness, tmp_path):
    feed = tmp_path / "feeds" / "wire.jsonl"
    feed.parent.mkdir()
    lines = [
        json.dumps(
            {
                "text": FIRST,
                "url": "https://news.example.org/a",
                "title": "Air defence for Ukraine",
                "published": "2024-05-07",
                "outlet": "Example Wire",
            }
        ),
        "{broken",
        json.dumps({"text": VISIT}),
        json.dumps({"url": "https://news.example.org/b"}),
    ]
    feed.write_text("\n".join(lines), encoding="utf-8")
    db = tmp_path / "wh.duckdb"
    settings = Settings(inputs=[str(feed.parent)], db=str(db))
    summary = run(settings)
    assert summary.files_seen == 1 and summary.loaded == 2
    assert summary.quarantine_reasons == {"bad_json": 1, "no_text": 1}
    src = {r[0]: r[1:] for r in q(db, "SELECT uri, file_name, title, outlet, published_date::VARCHAR FROM sources")}
    assert src["https://news.example.org/a"] == ("wire.jsonl", "Air defence for Ukraine", "Example Wire", "2024-05-07")
    assert f"{feed}#L3" in src
    quarantine = set(q(db, "SELECT uri, stage, reason FROM quarantine"))
    assert quarantine == {(f"{feed}#L2", "read", "bad_json"), ("https://news.example.org/b", "read", "no_text")}

    # the same feed again: nothing new, known bad lines not re-counted as new work
    from flows.discover import discover
    from flows.incremental import plan_run
    from warehouse.connect import connect
    from warehouse.known import read_known

    con = connect(db)
    try:
        known = read_known(con)
    finally:
        con.close()
    plan = plan_run(discover(settings.inputs), known, summary.extractor_version)
    assert plan.nothing_to_do and plan.skipped == 2 and sum(plan.quarantined_before.values()) == 2


def test_serve_builds_a_cron_deployment_over_the_inbox(tmp_path):
    from flows.errors import ServeError
    from flows.pipeline import flow_for, run_pipeline
    from flows.serve import check_cron, deployment_options

    settings = Settings(inputs=[str(tmp_path / "inbox")], db=str(tmp_path / "wh.duckdb"))
    deployment = run_pipeline.to_deployment(**deployment_options(settings, "*/15 * * * *"))
    assert deployment.name.startswith("newsevents-inbox-")
    # two inboxes (or one inbox into two warehouses) never share a deployment, its schedule or its backlog
    other_inbox = Settings(inputs=[str(tmp_path / "inbox2")], db=str(tmp_path / "wh.duckdb"))
    other_db = Settings(inputs=[str(tmp_path / "inbox")], db=str(tmp_path / "wh2.duckdb"))
    names = {deployment_options(s, "* * * * *")["name"] for s in (settings, other_inbox, other_db)}
    assert len(names) == 3 and deployment_options(settings, "* * * * *")["name"] == deployment.name
    # one flow run at a time: a tick that comes while one runs is cancelled, not queued
    assert deployment.concurrency_options.collision_strategy.value == "CANCEL_NEW"
    (schedule,) = deployment.schedules
    assert schedule.schedule.cron == "*/15 * * * *"
    restored = Settings.model_validate(deployment.parameters["settings"])
    assert restored.inputs == settings.inputs and restored.db == settings.db
    check_cron("0 6 * * 1-5")
    with pytest.raises(ServeError):
        check_cron("every monday")
    dask_flow = flow_for(settings.model_copy(update={"workers": 2}))
    assert type(dask_flow.task_runner).__name__ == "DaskTaskRunner"
    assert flow_for(settings) is run_pipeline


def test_cli_run_then_noop_needs_no_flow(prefect_harness, inbox, tmp_path):
    from flows.cli import app

    db = tmp_path / "cli.duckdb"
    runner = CliRunner(env={"NEWSEVENTS_DATA_DOCS": "false"})  # the runs, not their Data Docs (test_readme's run)
    first = runner.invoke(app, ["run", str(inbox), "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert "files seen" in first.output and "events by type" in first.output
    second = runner.invoke(app, ["run", str(inbox), "--db", str(db)])
    assert second.exit_code == 0, second.output
    assert "no flow started" in second.output
    runs = q(db, "SELECT flow_run_id, sources_loaded, sources_skipped FROM runs ORDER BY started_at")
    assert len(runs) == 2 and runs[0][0] is not None and runs[0][1] == 2
    assert runs[1] == (None, 0, 2)
    # one new file: only its source is coded, by a flow run that publishes its run summary
    (inbox / "lagos.txt").write_text(
        "date 2024-05-06\nDock workers in Lagos went on strike on Monday, the Nigeria Labour Congress said.",
        encoding="utf-8",
    )
    third = runner.invoke(app, ["run", str(inbox), "--db", str(db)])
    assert third.exit_code == 0, third.output
    last = "SELECT flow_run_id, sources_loaded, sources_skipped FROM runs ORDER BY started_at DESC LIMIT 1"
    flow_run_id, loaded, skipped = q(db, last)[0]
    assert (loaded, skipped) == (1, 2) and flow_run_id
    assert q(db, "SELECT count(*) FROM sources")[0][0] == 3
    coded = "SELECT DISTINCT s.uri FROM events e JOIN sources s USING (source_id) JOIN runs r ON e.run_id = r.run_id"
    assert q(db, coded + " WHERE r.flow_run_id = ?", [flow_run_id]) == [(str(inbox / "lagos.txt"),)]
    from prefect.artifacts import Artifact

    artifact = Artifact.get("newsevents-run-summary")
    assert artifact is not None and str(artifact.flow_run_id) == flow_run_id
    (tmp_path / "in2").mkdir()
    bad = runner.invoke(app, ["serve", "--cron", "not a cron", "--inbox", str(tmp_path / "in2"), "--db", str(db)])
    assert bad.exit_code != 0 and "not a valid cron expression" in bad.output


def test_load_retries_while_another_process_holds_the_warehouse(prefect_harness, tmp_path):
    """Lock contention is retried (a BI tool holding the DuckDB file), a real error is not."""
    import subprocess
    import sys
    import time

    from prefect import flow

    from flows.pipeline import load_task
    from transforms.documents import Rejection
    from transforms.rows import actors_frame, events_frame, quarantine_frame, sources_frame
    from warehouse.connect import connect

    db = tmp_path / "held.duckdb"
    connect(db).close()
    settings = Settings(inputs=[str(tmp_path)], db=str(db), lock_timeout=0.5)
    row = Rejection(str(tmp_path / "x.txt"), "read", "empty", "no text")
    batch_args = (sources_frame([], "v"), events_frame([]), actors_frame([]), quarantine_frame([row]), "r1")

    @flow
    def load_once():
        from warehouse.load import Batch

        load_task(settings, Batch(*batch_args))

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('held', flush=True); "
            "time.sleep(3); c.close()",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    t = time.monotonic()
    load_once()  # first attempt gives up after 0.5 s; the retry 5 s later finds the file free
    assert time.monotonic() - t >= 3
    holder.wait()
    assert q(db, "SELECT uri, reason FROM quarantine") == [(row.uri, "empty")]

    bad = Settings(inputs=[str(tmp_path)], db=str(tmp_path / "no-such-dir" / "x" / "w.duckdb"), lock_timeout=0.5)
    (tmp_path / "no-such-dir").write_text("a file, not a folder")

    @flow
    def load_bad():
        from warehouse.load import Batch

        return load_task(bad, Batch(*batch_args)).problem

    t = time.monotonic()
    problem = load_bad()  # a result with the one line, not a task failure (no Prefect traceback for the user)
    assert "no-such-dir" in problem and "\n" not in problem
    assert time.monotonic() - t < 4  # not retried


def test_crawler_feed_metadata_lands_and_a_rerun_skips_or_replaces(prefect_harness, tmp_path):
    """A news-please line: title, outlet, date, date_source, author reach `sources`; the same line again is
    skipped, a new text under the same url replaces the old source (issue 11)."""
    feed = tmp_path / "in" / "crawl.jsonl"
    feed.parent.mkdir()
    line = {
        "title": "Dockers strike in Lagos",
        "maintext": "Dock workers in Lagos went on strike on Tuesday over unpaid wages, the union said.",
        "date_publish": "2024-05-02 09:15:00",
        "url": "https://www.premiumtimesng.com/news/strike",
        "authors": ["Ada Obi"],
    }
    feed.write_text(json.dumps(line) + "\n", encoding="utf-8")
    db = tmp_path / "wh.duckdb"
    settings = Settings(inputs=[str(feed.parent)], db=str(db))
    run(settings)
    cols = "uri, title, outlet, published_date::VARCHAR, date_source, author"
    assert q(db, f"SELECT {cols} FROM sources") == [
        (line["url"], "Dockers strike in Lagos", "premiumtimesng.com", "2024-05-02", "metadata", "Ada Obi")
    ]
    again = run(settings)
    assert (again.loaded, again.skipped) == (0, 1)
    line["maintext"] = line["maintext"].replace("Tuesday", "Wednesday")
    feed.write_text(json.dumps(line) + "\n", encoding="utf-8")
    fixed = run(settings)
    assert fixed.loaded == 1
    assert [r[0] for r in q(db, "SELECT text FROM sources")] == [line["maintext"]]


def test_the_plan_handed_to_the_flow_stays_in_this_process(tmp_path):
    """The CLI passes its plan to the flow as an argument; Prefect records flow parameters with the run, and
    must store a placeholder for the plan (it can hold every source id of the warehouse), not the plan."""
    from flows.incremental import Plan
    from flows.pipeline import Prepared, run_pipeline
    from warehouse.known import Known

    settings = Settings(inputs=[str(tmp_path)], db=str(tmp_path / "w.duckdb"))
    known = Known({f"{i:016x}": (f"/in/{i}.txt", "v1") for i in range(1000)})
    prepared = Prepared(settings, "v1", [], known, Plan())
    stored = run_pipeline.serialize_parameters({"settings": settings, "prepared": prepared, "progress": print})
    assert stored["prepared"] == "<Prepared>"
    assert stored["settings"]["db"] == str(tmp_path / "w.duckdb")
    assert prepared.fits(settings, "v1") and not prepared.fits(settings, "v2")


@pytest.mark.slow
def test_one_pool_for_a_run_codes_overlapping_batches_like_one_process(nlp, lex, monkeypatch):
    """The run's pool codes the next batch while the first one's rows are taken: each batch's rows equal
    coding it here, in order; a worker killed (SIGKILL, as the OOM killer) on a document of the second
    batch while both are in flight costs that document alone, and the pool goes on for a third batch."""
    import os
    import signal

    from flows import workers
    from tests.conftest import sabotage_extraction
    from transforms.documents import RawInput
    from transforms.parse import parse_document

    texts = BATCH_TEXTS[:6] * 4
    docs = [parse_document(RawInput(f"mem://{i}", f"{i}.txt", t.encode())) for i, t in enumerate(texts)]
    batches = [docs[:8], docs[8:16], docs[16:]]
    killer = "mem://13"
    here = [workers.code_here([d for d in b if d.uri != killer], nlp, lex, 0) for b in batches]
    # only ever in a forked worker: the test process codes nothing
    sabotage_extraction(monkeypatch, lambda doc: doc.uri == killer, lambda: os.kill(os.getpid(), signal.SIGKILL))
    monkeypatch.setattr(workers, "SHARES_PER_PROCESS", 2)
    monkeypatch.setattr(workers, "processes", lambda n, k=None: 2)
    with workers.Workers(nlp, lex, 2, 0) as pool:
        first, second = pool.submit(batches[0]), pool.submit(batches[1])  # both in flight
        coded = [pool.result(first), pool.result(second)]
        coded.append(pool.result(pool.submit(batches[2])))
    assert [(r.uri, r.reason) for c in coded for r in c.failed] == [(killer, "extract_error")]
    assert "SIGKILL" in coded[1].failed[0].detail
    for got, want, batch in zip(coded, here, batches, strict=True):
        assert [d.uri for d in got.kept] == [d.uri for d in batch if d.uri != killer]
        assert got.events == want.events and got.actors == want.actors
    assert {e["event_type"] for c in coded for e in c.events} >= {"PROTEST", "COERCE", "AID"}


def test_a_few_documents_sent_ahead_are_coded_on_forked_workers_with_the_same_rows(nlp, lex):
    """A small batch is coded in this process when its result is asked for, unless it is sent `ahead` (the
    CLI's head: the flow has its own start to do meanwhile): then it goes to forked workers, same rows."""
    from flows import workers
    from transforms.documents import RawInput
    from transforms.parse import parse_document

    texts = [
        "Police in Lima detained 14 protesters outside the Congress on Monday.",
        "Kenya's foreign minister met his Ugandan counterpart in Kampala on Friday.",
        "Rebels shelled the town of Goma on Saturday, killing three civilians, the army said.",
    ]
    docs = [parse_document(RawInput(f"mem://a{i}", f"a{i}.txt", t.encode())) for i, t in enumerate(texts)]
    here = workers.code_here(docs, nlp, lex, 0)
    with workers.Workers(nlp, lex, 2, 0) as pool:
        assert pool.submit(docs).parts is None  # not worth a fork when the caller waits at once
        ticket = pool.submit(docs, ahead=True)
        assert ticket.parts is not None and pool.n == 2
        got = pool.result(ticket)
    assert [d.uri for d in got.kept] == [d.uri for d in docs]
    assert got.events == here.events and got.actors == here.actors
    assert {e["event_type"] for e in got.events} >= {"COERCE", "CONSULT"}


def test_a_long_run_renders_its_data_docs_in_the_helper_and_a_short_one_here(monkeypatch):
    import sys

    from flows import pipeline
    from flows.incremental import Plan

    started: list[bool] = []
    monkeypatch.setattr(pipeline, "start_docs_helper", lambda: started.append(True))
    monkeypatch.delitem(sys.modules, "great_expectations", raising=False)
    pipeline._docs_helper(Settings(), Plan(todo_documents=3))
    pipeline._docs_helper(Settings(data_docs=False), Plan(todo_documents=800))
    assert started == []
    pipeline._docs_helper(Settings(), Plan(todo_documents=800))
    assert started == [True]


def test_a_run_ends_in_halving_batches():
    """Full batches while more than one batch is left, then halving ones down to the floor, no runt at the end;
    every document goes in exactly one batch."""
    from flows.pipeline import next_batch_size

    def cut(total: int, batch_size: int, floor: int) -> list[int]:
        sizes, left = [], total
        while left:
            sizes.append(next_batch_size(left, batch_size, floor))
            left -= sizes[-1]
        return sizes

    assert cut(800, 200, 25) == [200, 200, 200, 100, 50, 25, 25]
    assert cut(5, 200, 25) == [5]  # a small run: one batch
    assert cut(7, 2, 1) == [2, 2, 2, 1]  # batches never exceed the batch size
    for total in (1, 26, 199, 201, 437, 1000):
        sizes = cut(total, 200, 25)
        assert sum(sizes) == total and max(sizes) <= 200
        assert sizes == sorted(sizes, reverse=True)  # the tail shrinks
        assert len(sizes) == 1 or sizes[-1] >= 12  # no runt after the floor


BATCH_TEXTS = [
    "Nurses went on strike in Lima on Monday over unpaid wages, their union said.",
    "Police detained 12 students in Tehran on Wednesday after a protest, a rights group said.",
    "The African Union suspended Niger on Saturday after the coup, officials said.",
    "India sent 20 tonnes of medical aid to Sri Lanka on Thursday.",
    "The President of Ghana visited Abuja on Tuesday for talks on trade.",
    "Gunmen attacked a polling station in Kinshasa during the election on Sunday, police said.",
    "Rioters set fire to shops in Dhaka on Friday; police arrested 40 people, officials said.",
]


def test_rows_do_not_depend_on_how_a_run_is_cut_into_batches(prefect_harness, tmp_path, monkeypatch):
    """The same inbox (with a duplicate and an empty file) loaded as one batch and as many small ones, the
    tail cut down to one document: the same sources, events, actors, quarantine and clusters."""
    from flows import pipeline
    from tests.conftest import snapshot

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i, text in enumerate(BATCH_TEXTS):
        (inbox / f"{i}.txt").write_text(f"News {i}\ndate 2024-03-0{i + 1}\n{text}\n", encoding="utf-8")
    shutil.copy(inbox / "3.txt", inbox / "3-copy.txt")
    (inbox / "empty.txt").write_text("", encoding="utf-8")

    def tables(db: Path) -> dict:
        out = snapshot(db, quarantine_volatile="run_id, quarantined_at")
        out["clusters"] = sorted(q(db, "SELECT * EXCLUDE (first_loaded_at) FROM derived.cluster_rows"), key=str)
        out["dyads"] = sorted(q(db, "SELECT * FROM derived.dyad_rows"), key=str)
        return out

    run(Settings(inputs=[str(inbox)], db=str(tmp_path / "one.duckdb"), batch_size=50))
    monkeypatch.setattr(pipeline, "TAIL_BATCH", 1)
    sizes: list[int] = []
    send = pipeline._Coder.send
    monkeypatch.setattr(
        pipeline._Coder, "send", lambda self, docs, rej: (sizes.append(len(docs)), send(self, docs, rej))
    )
    summary = run(Settings(inputs=[str(inbox)], db=str(tmp_path / "many.duckdb"), batch_size=4))
    coded = [n for n in sizes if n]  # a batch of rejections alone codes nothing
    assert coded[0] == 4 and coded[-1] == 1 and len(coded) >= 3 and sum(coded) == len(BATCH_TEXTS)
    assert summary.loaded == len(BATCH_TEXTS)
    one, many = tables(tmp_path / "one.duckdb"), tables(tmp_path / "many.duckdb")
    assert one == many
    assert {r[0] for r in q(tmp_path / "many.duckdb", "SELECT event_type FROM events")} >= {"PROTEST", "AID"}
    assert len(one["quarantine"]) >= 2  # the duplicate and the empty file

    # as `newsevents run` does: the plan made and the first batches queued on the pool before the flow starts
    from flows import workers
    from flows.discover import discover
    from flows.incremental import plan_run, read_known
    from transforms.version import extractor_version
    from warehouse.connect import connect

    monkeypatch.setattr(workers, "processes", lambda n, k=None: 2)  # a real pool even for batches of two
    settings = Settings(inputs=[str(inbox)], db=str(tmp_path / "head.duckdb"), batch_size=2, data_docs=False)
    con = connect(settings.db_path, settings.lock_timeout)
    known = read_known(con)
    con.close()
    found = discover(settings.inputs)
    version = extractor_version(settings.dictionaries)
    plan = plan_run(found, known, version, settings.max_chars)
    head = pipeline.start_head(settings, version, found, known, plan)
    assert head is not None and len(head.queued) >= 2 and head.pool is not None and head.pool.pool is not None
    prepared = pipeline.Prepared(settings, version, found, known, plan, head=head)
    summary = pipeline.run_pipeline(settings, prepared=prepared)
    assert summary.error is None and summary.loaded == len(BATCH_TEXTS)
    assert head.pool is None  # the flow took the pool over (and ended it)
    assert tables(tmp_path / "head.duckdb") == one

    # a head the flow never takes over (the run stopped before its flow) ends its workers at once
    plan = plan_run(found, known, version, settings.max_chars)
    spare = pipeline.start_head(settings, version, found, known, plan)
    assert spare is not None and spare.pool is not None and spare.pool.pool is not None
    forked = list(spare.pool.pool._processes.values())
    spare.close()
    assert spare.pool is None and forked and not any(proc.is_alive() for proc in forked)
