"""Data-quality suites (expectations/): row failures → quarantine with a replayable detail, table failures abort,
Data Docs are written."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from expectations.checks import events_with_checks
from expectations.docs import ValidationLog
from expectations.validate import SUITES, ValidationAbort, load_suite, validate_batch
from transforms.documents import RawInput, stable_id
from transforms.parse import parse_document
from transforms.rows import actors_frame, events_frame, sources_frame

TEXT = (
    "date 2024-03-01\n"
    "Russia and North Korea signed a treaty in Pyongyang. "
    "Ukraine accused Russia of shelling Kharkiv, officials said."
)


@pytest.fixture()
def batch():
    doc = parse_document(RawInput("/in/a.txt", "a.txt", TEXT.encode()))
    sources = sources_frame([doc], "v1")
    first = "Russia and North Korea signed a treaty in Pyongyang."
    second = "Ukraine accused Russia of shelling Kharkiv, officials said."
    s1, s2 = doc.text.index(first), doc.text.index(second)
    actors = {
        "rus": {
            "actor_id": "rus",
            "name": "Russia",
            "actor_type": "state",
            "country_code": "RUS",
            "aliases": ["Russia"],
        },
        "ukr": {"actor_id": "ukr", "name": "Ukraine", "actor_type": "state", "country_code": "UKR", "aliases": []},
    }

    def event(sentence, start, **kw):
        row = {
            "event_id": stable_id(doc.source_id, start, kw.get("event_type", "AGREE")),
            "source_id": doc.source_id,
            "event_type": "AGREE",
            "quad_class": 1,
            "cameo_root": "05",
            "actor1_id": "rus",
            "status": "asserted",
            "sentence": sentence,
            "sentence_start": start,
            "sentence_end": start + len(sentence),
            "confidence": 0.8,
            "country_code": "PRK",
            "event_date": date(2024, 2, 28),
            "date_precision": "day",
        }
        row.update(kw)
        return row

    good = event(first, s1)
    accuse = event(second, s2, event_type="ACCUSE", quad_class=3, cameo_root="11", actor1_id="ukr", actor2_id="rus")
    return doc, sources, [good, accuse], actors_frame([actors])


def test_every_suite_entry_names_column_rule_level_and_why():
    for path in sorted(SUITES.glob("*.yaml")):
        spec = load_suite(path.stem)
        assert spec["table"] == path.stem
        for exp in spec["expectations"]:
            assert exp["column"] and exp["type"].startswith("expect_")
            assert exp["level"] in ("row", "table") and exp["why"], exp


def test_clean_batch_passes_whole(batch):
    doc, sources, events, actors = batch
    v = validate_batch(sources, events_frame(events), actors)
    assert v.rejections == [] and v.events.height == 2 and v.sources.height == 1
    assert {r.table for r in v.results} == {"actors", "sources", "events"}


@pytest.mark.parametrize(
    ("change", "expectation"),
    [
        ({"event_type": "INVADE"}, "expect_column_values_to_be_in_set on events.event_type"),
        ({"status": "rumoured"}, "expect_column_values_to_be_in_set on events.status"),
        ({"date_precision": "week"}, "expect_column_values_to_be_in_set on events.date_precision"),
        ({"country_code": "UK"}, "expect_column_values_to_match_regex on events.country_code"),
        ({"confidence": 1.5}, "expect_column_values_to_be_between on events.confidence"),
        ({"sentence_start": 3}, "expect_column_values_to_be_in_set on events._offsets_point_at_sentence"),
        ({"sentence_end": 10_000}, "expect_column_values_to_be_in_set on events._offsets_point_at_sentence"),
        ({"event_date": None}, "expect_column_values_to_be_in_set on events._date_consistent"),
        (
            {"trigger": "zzz", "trigger_start": 0, "trigger_end": 3},
            "expect_column_values_to_be_in_set on events._trigger_in_sentence",
        ),
        (
            {"trigger": "a", "trigger_start": None, "trigger_end": None},
            "expect_column_values_to_be_in_set on events._trigger_in_sentence",
        ),
        ({"event_date": date(2024, 3, 9)}, "expect_column_values_to_be_in_set on events._not_after_publication"),
    ],
)
def test_row_failure_quarantines_that_row_only_with_a_replayable_detail(batch, change, expectation):
    doc, sources, events, actors = batch
    events[1] = {**events[1], **change}
    v = validate_batch(sources, events_frame(events), actors)
    assert v.events["event_id"].to_list() == [events[0]["event_id"]]  # the good row still loads
    assert v.sources.height == 1
    (rej,) = v.rejections
    assert (rej.uri, rej.stage, rej.reason) == ("/in/a.txt", "validate", "expectation_failed")
    assert expectation in rej.detail
    payload = json.loads(rej.detail[rej.detail.index("{") :])
    assert payload["source"] == {"source_id": doc.source_id, "uri": "/in/a.txt", "content_sha256": doc.content_sha256}
    (failure,) = payload["failures"]
    assert failure["row"]["event_id"] == events[1]["event_id"] and failure["why"]
    # the row can be replayed: it holds every events column
    assert set(failure["row"]) == set(events_frame([]).columns)


def test_planned_event_may_be_dated_after_publication(batch):
    _, sources, events, actors = batch
    events[1] = {**events[1], "status": "planned", "event_date": date(2024, 6, 1)}
    assert validate_batch(sources, events_frame(events), actors).rejections == []


def test_source_failing_a_row_rule_is_quarantined_with_all_its_events(batch):
    _, sources, events, actors = batch
    bad = sources.with_columns(pl.lit("0" * 64).alias("content_sha256"))
    v = validate_batch(bad, events_frame(events), actors)
    assert v.sources.height == 0 and v.events.height == 0
    assert "_id_matches_content" in v.rejections[0].detail


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"event_id": "same"}, "expect_column_values_to_be_unique(event_id) on events"),
        ({"actor2_id": "nobody"}, "(_actors_exist) on events"),
        ({"source_id": "elsewhere"}, "(_source_exists) on events"),
    ],
)
def test_table_failure_aborts_with_one_line(batch, change, message):
    _, sources, events, actors = batch
    events = [{**e, **change} for e in events]
    frame = pl.DataFrame(
        [{k: e.get(k) for k in events_frame([]).columns} for e in events], schema=events_frame([]).schema
    )
    with pytest.raises(ValidationAbort) as err:
        validate_batch(sources, frame, actors)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_bad_actor_type_aborts(batch):
    _, sources, events, actors = batch
    with pytest.raises(ValidationAbort, match="actor_type"):
        validate_batch(sources, events_frame(events), actors.with_columns(pl.lit("tribe").alias("actor_type")))


def test_checks_stay_aligned_with_their_rows(batch):
    """Many sources and shuffled events: every derived check belongs to its own row."""
    doc, sources, events, actors = batch
    more = [sources]
    rows = []
    for k in range(30):
        text = f"{doc.text}\nItem {k}."
        d = parse_document(RawInput(f"/in/{k}.txt", f"{k}.txt", text.encode()))
        more.append(sources_frame([d], "v1"))
        sent = f"Item {k}."
        start = d.text.index(sent) + (1 if k % 3 == 0 else 0)  # every third offset is wrong
        rows.append(
            {
                **events[0],
                "event_id": f"e{k}",
                "source_id": d.source_id,
                "sentence": sent,
                "sentence_start": start,
                "sentence_end": start + len(sent),
            }
        )
    checked = events_with_checks(events_frame(rows[::-1]), pl.concat(more), actors)
    for row in checked.iter_rows(named=True):
        k = int(row["event_id"][1:])
        assert row["_offsets_point_at_sentence"] is (k % 3 != 0)


def test_offsets_check_counts_characters_and_refuses_impossible_spans():
    """The offsets check counts characters (accented text from Dakar), and a missing, reversed, negative or
    out-of-range span never points at the sentence (and never raises)."""
    text = "Émeutes à Dakar après l'élection. Police arrested 12 protesters in Senegal."
    sent = "Police arrested 12 protesters in Senegal."
    at = text.index(sent)
    sources = pl.DataFrame({"source_id": ["sn"], "text": [text], "published_date": [None]})
    spans = {
        "right": (at, at + len(sent), True),
        "one off": (at + 1, at + 1 + len(sent), False),
        "reversed": (at + len(sent), at, False),
        "negative": (-5, 3, False),
        "past the end": (at, len(text) + 4, False),
        "missing": (None, at, False),
    }
    events = events_frame(
        [
            {"event_id": k, "source_id": "sn", "sentence": sent, "sentence_start": s, "sentence_end": e}
            for k, (s, e, _) in spans.items()
        ]
    )
    checked = events_with_checks(events, sources, pl.DataFrame({"actor_id": ["x"]}))
    got = dict(zip(checked["event_id"], checked["_offsets_point_at_sentence"], strict=True))
    assert got == {k: ok for k, (_, _, ok) in spans.items()}


@pytest.mark.slow
def test_data_docs_are_built(batch, tmp_path):
    _, sources, events, actors = batch
    events[1] = {**events[1], "confidence": 7.0}
    log = ValidationLog("run1")
    log.add(validate_batch(sources, events_frame(events), actors).results)
    index = log.build_data_docs(tmp_path / "docs")
    assert index == tmp_path / "docs" / "index.html" and index.exists()
    pages = list((tmp_path / "docs" / "validations").rglob("*.html"))
    assert len(pages) == 3  # one per suite
    assert "newsevents_events" in index.read_text(encoding="utf-8")
    md = log.markdown(index)
    assert "| events | " in md and "expect_column_values_to_be_between(confidence)" in md
    # a second run of the same process lists only its own validations
    log2 = ValidationLog("run2")
    log2.add(validate_batch(sources, events_frame(events[:1]), actors).results)
    log2.build_data_docs(tmp_path / "docs")
    pages = list((tmp_path / "docs" / "validations").rglob("*.html"))
    assert len(pages) == 3 and all("run2" in str(p) for p in pages)


def _broken_frames(batch):
    """The batch with rows that break every kind of expectation the suites use (nulls, repeats, values outside
    the set, the pattern and the bounds, an empty text), as the frames validation sees (with the checks)."""
    from expectations.checks import sources_with_checks

    doc, sources, events, actors = batch
    bad_events = [
        *events,
        {
            **events[1],
            "event_id": "e1",
            "event_type": "INVADE",
            "status": None,
            "country_code": "UK",
            "confidence": 2.0,
        },
        {**events[1], "event_id": "e2", "quantity": -3.0, "cameo_root": "7", "date_precision": "week"},
        {**events[1], "event_id": None, "sentence_start": 3, "event_date": None, "actor1_id": "nobody"},
    ]
    frame = events_frame(bad_events)
    frame = pl.concat([frame, frame.head(1)])  # a repeated key
    srcs = pl.concat([sources, sources.with_columns(pl.lit("").alias("text"), pl.lit("XYZ").alias("content_sha256"))])
    srcs = pl.concat([srcs, srcs.head(1).with_columns(pl.lit(None, dtype=pl.String).alias("uri"))])
    acts = pl.concat([actors, actors.head(1).with_columns(pl.lit("pirate").alias("actor_type"))])
    acts = pl.concat([acts, acts.head(1).with_columns(pl.lit("Atlantis").alias("country_code"))])
    return {
        "actors": acts,
        "sources": sources_with_checks(srcs),
        "events": events_with_checks(frame, srcs, actors),
    }


def test_native_evaluation_equals_great_expectations(batch):
    """The polars evaluation (expectations/native.py) fails the same expectations on the same rows, at the same
    level, with the same counts, as Great Expectations' own validation of the same suites."""
    from expectations.validate import run_suite, run_suite_gx

    for table, frame in _broken_frames(batch).items():
        ours, n, outcomes = run_suite(table, frame)
        theirs, m, result = run_suite_gx(table, frame)
        assert n == m and sorted(ours, key=repr) == sorted(theirs, key=repr), table
        assert len({f.type for f in ours}) >= (1 if table == "actors" else 3), table  # the frames break many kinds
        by_key = {(r.expectation_config.type, r.expectation_config.kwargs.get("column")): r for r in result.results}
        assert len(by_key) == len(outcomes) == n
        for o in outcomes:
            r = by_key[(o.spec["type"], o.spec.get("column"))]
            assert o.success == r.success
            mine, gx = o.result(), r.result
            for key in ("element_count", "unexpected_count", "unexpected_index_list", "missing_count"):
                assert mine.get(key) == gx.get(key), (table, o.spec["type"], o.spec["column"], key)


def test_a_missing_column_is_a_table_failure():
    from expectations.validate import run_suite

    failures, _, _ = run_suite("sources", pl.DataFrame({"source_id": ["a" * 16]}))
    assert any(f.level == "table" and f.column == "uri" for f in failures)


def test_validation_does_not_import_great_expectations(batch):
    """A batch is validated without Great Expectations (its import costs seconds); Data Docs still use it."""
    import subprocess
    import sys

    code = (
        "import sys, polars as pl\n"
        "from expectations.validate import validate_batch\n"
        "from transforms.rows import actors_frame, events_frame, sources_frame\n"
        "v = validate_batch(sources_frame([], 'v'), events_frame([]), actors_frame([]))\n"
        "assert 'great_expectations' not in sys.modules and 'pandas' not in sys.modules, 'imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-400:]


def test_data_docs_built_by_the_helper_process_equal_the_ones_built_here(batch, tmp_path):
    """The helper that loads GX while a run works writes the same Data Docs; without one they are built here."""
    from expectations import docs_worker
    from flows.helpers import start_docs_helper

    _, sources, events, actors = batch
    events[1] = {**events[1], "country_code": "Narnia"}
    log = ValidationLog("run-helper")
    log.add(validate_batch(sources, events_frame(events), actors).results)
    start_docs_helper()
    index = docs_worker.build(log, tmp_path / "helper")
    assert index == tmp_path / "helper" / "index.html" and index.exists()
    here = docs_worker.build(log, tmp_path / "here")  # no helper any more: built in this process
    assert here == tmp_path / "here" / "index.html"
    for folder in ("helper", "here"):
        pages = list((tmp_path / folder / "validations").rglob("*.html"))
        assert len(pages) == 3 and all("run-helper" in str(p) for p in pages)
        assert "expect_column_values_to_match_regex" in (tmp_path / folder / "index.html").read_text(encoding="utf-8")
