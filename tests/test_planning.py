"""Planning by stat (`input_files`) and corrections across feed files, through the flow and without it."""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest

import flows.incremental as incremental
from flows.discover import discover
from flows.incremental import plan_run
from flows.settings import Settings
from tests.conftest import query
from transforms.extract import extractor_version
from transforms.lexicon import load_lexicon
from warehouse.connect import connect
from warehouse.files import FileRow, known_files, record_files
from warehouse.known import Known, read_known

URL = "https://wire.example.com/lagos-protest"
FIRST = "Police in Lagos arrested 40 protesters on Monday during a march against fuel prices, witnesses said."
CORRECTED = (
    "Nigerian police in Lagos fired tear gas at protesters on Monday during a march against fuel prices, "
    "witnesses said."
)
OTHER = "Kenya signed a trade agreement with Ethiopia on Friday, the two governments said."
STRIKE = "Dock workers in Santiago went on strike on Tuesday over unpaid wages, their union said."


def feed(path, items, mtime_ns):
    path.write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def run(folder, db):
    from flows.pipeline import run_pipeline

    summary = run_pipeline(Settings(inputs=[str(folder)], db=str(db), data_docs=False))
    assert summary.error is None
    return summary


def texts_and_sentences(db):
    [(text,)] = query(db, "SELECT text FROM sources WHERE uri = ?", [URL])
    sql = "SELECT e.sentence FROM events e JOIN sources s USING (source_id) WHERE s.uri = ?"
    return text, [s for (s,) in query(db, sql, [URL])]


def test_a_newer_feed_file_corrects_an_item_of_an_older_one(prefect_harness, tmp_path):
    inbox, db = tmp_path / "in", tmp_path / "w.duckdb"
    inbox.mkdir()
    t = 1_700_000_000 * 10**9
    feed(inbox / "monday.jsonl", [{"url": URL, "text": FIRST}, {"url": "https://wire.example.com/k", "text": OTHER}], t)
    run(inbox, db)
    text, sentences = texts_and_sentences(db)
    assert text == FIRST and any("arrested" in s for s in sentences)
    # the feed fetched again into a new file: the item has a new text
    feed(
        inbox / "tuesday.jsonl",
        [{"url": URL, "text": CORRECTED}, {"url": "https://wire.example.com/k", "text": OTHER}],
        t + 10**9,
    )
    second = run(inbox, db)
    assert second.loaded == 1  # the corrected item only; the Kenya item is the same text at the same url
    text, sentences = texts_and_sentences(db)
    assert text == CORRECTED and sentences and all("arrested" not in s for s in sentences)
    assert query(db, "SELECT count(*) FROM sources WHERE uri = ?", [URL]) == [(1,)]
    assert query(db, "SELECT reason FROM quarantine") == []  # no uri_conflict: a correction is not a conflict
    # nothing changed: a third run reads no file and changes nothing
    before = query(db, "SELECT source_id FROM sources ORDER BY 1")
    third = run(inbox, db)
    assert third.loaded == 0 and query(db, "SELECT source_id FROM sources ORDER BY 1") == before


def test_within_one_run_the_more_recently_modified_file_wins(prefect_harness, tmp_path):
    inbox, db = tmp_path / "in", tmp_path / "w.duckdb"
    inbox.mkdir()
    t = 1_700_000_000 * 10**9
    # alphabetical order and modification order disagree: the name does not decide, the mtime does
    feed(inbox / "a_newer.jsonl", [{"url": URL, "text": CORRECTED}], t + 10**9)
    old = feed(
        inbox / "b_older.jsonl", [{"url": URL, "text": FIRST}, {"url": "https://w.example.cl/s", "text": STRIKE}], t
    )
    run(inbox, db)
    text, _ = texts_and_sentences(db)
    assert text == CORRECTED
    [(uri, detail)] = query(db, "SELECT uri, detail FROM quarantine WHERE reason = 'superseded'")
    assert uri == f"{old}#L1" and "a_newer.jsonl#L1" in detail
    assert query(db, "SELECT count(*) FROM sources WHERE uri = 'https://w.example.cl/s'") == [(1,)]
    # again: the superseded line stays quarantined and is counted as before, without reading either file
    again = run(inbox, db)
    assert again.loaded == 0 and again.quarantine_reasons == Counter({"superseded": 1})


# --- planning without the flow ----------------------------------------------------------------------


@pytest.fixture()
def reads(monkeypatch):
    """The files whose articles planning reads (not a stat, not a digest)."""
    seen: list[str] = []
    real = incremental.iter_inputs

    def counting(found):
        seen.append(found.path.name)
        return real(found)

    monkeypatch.setattr(incremental, "iter_inputs", counting)
    return seen


def plan(folder, db, version=None):
    version = version or extractor_version(load_lexicon())
    con = connect(db)
    try:
        known = read_known(con)
    finally:
        con.close()
    return plan_run(discover([str(folder)]), known, version)


def test_unchanged_files_cost_a_stat_and_changed_ones_are_read(prefect_harness, tmp_path, reads):
    inbox, db = tmp_path / "in", tmp_path / "w.duckdb"
    inbox.mkdir()
    (inbox / "kenya.txt").write_text(OTHER)
    (inbox / "chile.txt").write_text(STRIKE)
    (inbox / "empty.txt").write_text("   \n")
    run(inbox, db)
    reads.clear()
    p = plan(inbox, db)
    assert reads == [] and p.nothing_to_do and p.files_unread == 3
    assert p.skipped == 2 and p.quarantined_before == Counter({"empty": 1})  # counted as before
    # touched, same bytes: hashed, not read
    os.utime(inbox / "kenya.txt")
    p = plan(inbox, db)
    assert reads == [] and p.nothing_to_do and [f.path for f in p.files] == [str(inbox / "kenya.txt")]
    # new bytes: read, and to code
    (inbox / "chile.txt").write_text(STRIKE.replace("Tuesday", "Wednesday"))
    p = plan(inbox, db)
    assert reads == ["chile.txt"] and p.todo_documents == 1
    # another extractor version: every file is read again (it must be re-coded)
    reads.clear()
    p = plan(inbox, db, version="another-version")
    assert sorted(reads) == ["chile.txt", "empty.txt", "kenya.txt"] and p.todo_documents == 2


def test_a_file_is_recorded_only_when_its_documents_are_loaded(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    try:
        loaded_nothing = FileRow("/in/a.jsonl", 10, 1, "0" * 64, "v1", 1, source_ids=("abcdef0123456789",))
        only_quarantine = FileRow("/in/b.txt", 3, 1, "1" * 64, "v1", 0, quarantined=Counter({"empty": 1}))
        own = con.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchone()
        assert record_files(con, [loaded_nothing, only_quarantine], "v1", "run") == 1
        assert set(known_files(con)) == {"/in/b.txt"}
        assert known_files(con)["/in/b.txt"].quarantined == Counter({"empty": 1})
        # recorded under a small buffer pool and one thread, then the connection's own settings are back
        assert con.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchone() == own
    finally:
        con.close()


def test_the_plan_reads_each_file_once_and_the_flow_codes_what_it_read(tmp_path, reads):
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "kenya.txt").write_text(OTHER)
    (inbox / "chile.txt").write_text(STRIKE)
    (inbox / "empty.txt").write_text("   \n")
    p = plan_run(discover([str(inbox)]), Known({}), "v1")
    assert sorted(reads) == ["chile.txt", "empty.txt", "kenya.txt"]
    (inbox / "kenya.txt").write_text(FIRST)  # changed after the plan: the run codes what the plan read
    chunks = list(incremental.read_chunks(p.todo_files, 10, kept=p.kept))
    assert sorted(reads) == ["chile.txt", "empty.txt", "kenya.txt"]  # not read again
    docs = [d for ds, _ in chunks for d in ds]
    assert sorted(d.text for d in docs) == sorted([OTHER, STRIKE])
    assert [r.reason for _, rs in chunks for r in rs] == ["empty"]
    assert p.kept == {}  # let go of as coded


def test_past_its_budget_the_plan_keeps_nothing_and_the_flow_reads_again(tmp_path, reads):
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "a_kenya.txt").write_text(OTHER)
    (inbox / "b_chile.txt").write_text(STRIKE)
    p = plan_run(discover([str(inbox)]), Known({}), "v1", keep_chars=len(OTHER) + 10)
    assert [f.path.name for f in p.kept] == ["a_kenya.txt"]
    reads.clear()
    docs = [d for ds, _ in incremental.read_chunks(p.todo_files, 10, kept=p.kept) for d in ds]
    assert reads == ["b_chile.txt"] and [d.text for d in docs] == [OTHER, STRIKE]
