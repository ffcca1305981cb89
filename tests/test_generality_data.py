"""The held-out evaluation data under benchmarks/generality/ is well-formed (no pipeline run).

Stories: 12 per PLOVER type, 6 dev + 6 test, unique ids, ISO 3166-1 alpha-3 codes, 2–4 sentence texts.
Articles: every gold line has the seed gold's fields, its sentence occurs verbatim in its article, its
trigger is a span of its sentence, and each article has a split.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "generality"
TYPES = {
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
}  # fmt: skip
ISO3 = re.compile(r"^[A-Z]{3}$")
STATUSES = {"asserted", "planned", "denied", "negated", "hypothetical"}
GOLD_FIELDS = {
    "doc", "sentence", "trigger", "event_type", "mode", "actor1", "actor2", "date", "location",
    "quantity", "quantity_unit", "claimant", "status", "optional",
}  # fmt: skip
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def stories() -> list[dict]:
    return load_jsonl(DATA / "stories.jsonl")


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    return load_jsonl(DATA / "articles.jsonl")


def test_every_type_has_six_dev_and_six_test_stories(stories):
    counts = Counter((s["event_type"], s["split"]) for s in stories)
    assert {t for t, _ in counts} == TYPES
    assert all(counts[(t, split)] == 6 for t in TYPES for split in ("dev", "test")), counts


def test_story_ids_unique_and_fields_present(stories):
    ids = [s["id"] for s in stories]
    assert len(ids) == len(set(ids))
    for s in stories:
        assert {"id", "split", "event_type", "actor1_country", "actor2_country", "country", "title", "text"} <= set(s)
        assert s["title"].strip() and "\n" not in s["title"]


def test_story_country_codes_are_iso3(stories):
    for s in stories:
        for key in ("actor1_country", "actor2_country", "country"):
            assert s[key] is None or ISO3.match(s[key]), (s["id"], key, s[key])
        assert s["country"] is not None, s["id"]


def test_stories_are_short_wire_copy_from_many_countries(stories):
    for s in stories:
        words = len(s["text"].split())
        assert 40 <= words <= 110, (s["id"], words)
        sentences = re.findall(r"[.!?][\"”]?(?=\s+[A-Z\"“]|\s*$)", s["text"])
        assert 2 <= len(sentences) <= 4, (s["id"], len(sentences))
    assert len({s["country"] for s in stories}) >= 50


def test_gold_lines_have_the_seed_gold_fields(gold):
    for g in gold:
        assert set(g) >= GOLD_FIELDS, sorted(GOLD_FIELDS - set(g))
        assert g["event_type"] in TYPES
        assert g["status"] in STATUSES
        assert isinstance(g["optional"], bool)
        assert g["date"] is None or DATE.match(g["date"]), g["date"]
        for role in ("actor1", "actor2", "claimant"):
            actor = g[role]
            if actor is not None:
                assert {"name", "country", "type", "aliases"} <= set(actor), (role, actor)
                assert actor["country"] is None or ISO3.match(actor["country"]), actor
                assert actor["type"] in {"person", "state", "organization", "group"}, actor
                assert isinstance(actor["aliases"], list)


def test_gold_sentences_occur_verbatim_and_triggers_are_spans(gold):
    texts = {p.name: p.read_text(encoding="utf-8") for p in (DATA / "articles").glob("*.txt")}
    for g in gold:
        assert g["doc"] in texts, g["doc"]
        assert g["sentence"] in texts[g["doc"]], (g["doc"], g["sentence"][:60])
        assert g["trigger"] in g["sentence"], (g["doc"], g["trigger"])


def test_articles_have_a_date_line_a_split_and_gold(gold):
    split = json.loads((DATA / "articles_split.json").read_text(encoding="utf-8"))
    files = sorted(p.name for p in (DATA / "articles").glob("*.txt"))
    assert sorted(split) == files
    assert Counter(split.values()) == {"dev": 4, "test": 4}
    coded = Counter(g["doc"] for g in gold if not g["optional"])
    for name in files:
        first = (DATA / "articles" / name).read_text(encoding="utf-8").splitlines()[0]
        assert re.match(r"^(date \d{4}-\d{2}-\d{2}|Published: .+)$", first), (name, first)
        assert coded[name] >= 5, (name, coded[name])


def _generality():
    import importlib.util

    spec = importlib.util.spec_from_file_location("generality", DATA.parent / "generality.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_story_scores_follow_their_definitions():
    g = _generality()
    stories = [
        {"id": "a", "event_type": "PROTEST", "actor1_country": "KEN"},  # found, top, right country
        {"id": "b", "event_type": "COERCE", "actor1_country": "UGA"},  # found, not top (ASSAULT is earlier in a tie)
        {"id": "c", "event_type": "AID", "actor1_country": None},  # silent
        {"id": "d", "event_type": "SANCTION", "actor1_country": "USA"},  # found with the wrong country
    ]
    coded = {
        "a": [("PROTEST", "KEN"), ("COERCE", "KEN")],
        "b": [("ASSAULT", "UGA"), ("COERCE", "UGA")],
        "d": [("SANCTION", None)],
    }
    scores = g.story_scores(stories, coded)
    assert scores["type_found"] == 0.75
    assert scores["top_type"] == 0.5
    assert scores["silent"] == 0.25
    assert scores["actor1_country"] == round(2 / 3, 3)
    assert scores["by_type"]["AID"] == 0.0 and scores["by_type"]["PROTEST"] == 1.0


def test_story_files_hold_title_blank_line_and_text_without_date_line(stories, tmp_path):
    g = _generality()
    g.write_stories(stories[:2], tmp_path)
    lines = (tmp_path / f"{stories[0]['id']}.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == stories[0]["title"] and lines[1] == ""
    assert not any(line.lower().startswith(("date ", "published")) for line in lines)
