"""Event confidence (`transforms/confidence.py`): evidence features, the weights file, the fitting helpers."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from tests.conftest import code_article
from transforms import confidence as conf
from transforms import extract

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def coded(nlp, lex, monkeypatch):
    """Code a text: its events, each with the evidence its confidence was computed from."""

    def run(text: str) -> list[dict]:
        seen: list[list[str]] = []
        real = extract.confidence

        def recording(ev, claimant=None, n_events=1):
            seen.append(conf.evidence(ev, claimant, n_events))
            return real(ev, claimant, n_events)

        monkeypatch.setattr(extract, "confidence", recording)
        events, _ = code_article(nlp, lex, text)
        monkeypatch.setattr(extract, "confidence", real)
        return [{**e, "evidence": set(f)} for e, f in zip(events, seen, strict=True)]

    return run


def one(events: list[dict], event_type: str) -> dict:
    found = [e for e in events if e["event_type"] == event_type]
    assert len(found) == 1, events
    return found[0]


@pytest.mark.parametrize(
    ("sure", "sure_type", "unsure", "unsure_type"),
    [
        (
            "Brazil accused Argentina of dumping cheap steel.",
            "ACCUSE",
            "Marta Kowalczyk took part in talks.",
            "CONSULT",
        ),
        (
            "Kenya threatened Uganda on Friday.",
            "THREATEN",
            "Tomasz Wrona took part in the protests.",
            "PROTEST",
        ),
    ],
)
def test_dictionary_actor_verb_and_counterpart_beat_ner_actor_light_verb_alone(
    coded, sure, sure_type, unsure, unsure_type
):
    good, weak = one(coded(sure), sure_type), one(coded(unsure), unsure_type)
    assert {"a1=dictionary", "how=verb", "a2=dictionary"} <= good["evidence"]
    assert {"a1=ner", "a2=none"} <= weak["evidence"]
    assert {"how=light", "how=light_noun"} & weak["evidence"]  # read off the trigger, or named by the rule
    assert 0.0 <= weak["confidence"] < good["confidence"] <= 1.0


@pytest.mark.parametrize(
    ("asserted", "hypothetical", "event_type"),
    [
        ("Nigeria sent troops to Niger.", "Nigeria could send troops to Niger.", "AID"),
        ("Indonesia imposed sanctions on Malaysia.", "Indonesia may impose sanctions on Malaysia.", "SANCTION"),
    ],
)
def test_a_hypothetical_event_scores_below_its_asserted_twin(coded, asserted, hypothetical, event_type):
    real, maybe = one(coded(asserted), event_type), one(coded(hypothetical), event_type)
    assert (real["status"], maybe["status"]) == ("asserted", "hypothetical")
    # the status, and the verb form that carries it ("could send": an infinitive, not a reported past)
    assert maybe["evidence"] - real["evidence"] == {"status=hypothetical", "tag=VB"}
    assert maybe["confidence"] < real["confidence"]


def test_evidence_says_whether_actor1_has_a_country_and_how_the_claimant_was_found(coded):
    placed = one(coded("Police in Chile arrested 40 students, the Interior Ministry of Chile said."), "COERCE")
    assert {"a1country=yes", "tag=VBD"} <= placed["evidence"]
    unplaced = one(coded("Marta Kowalczyk took part in the protests."), "PROTEST")
    assert "a1country=no" in unplaced["evidence"] and "cl=none" in unplaced["evidence"]
    claimed = one(coded("Kenya has sent troops to Somalia, according to the African Union."), "AID")
    assert "cl=dictionary" in claimed["evidence"]


def test_the_model_uses_only_the_families_its_file_lists(tmp_path):
    weights = conf.load_weights()
    assert set(weights.families) <= set(conf.FAMILIES)
    assert all(name.partition("=")[0] in weights.families for name in weights.weights)
    path = tmp_path / "confidence.yaml"
    path.write_text("families: [status, mood]\nintercept: 0.1\nweights: {}\n")
    with pytest.raises(ValueError, match="unknown confidence families"):
        conf.load_weights(path)


def test_scores_are_shares_in_0_1_and_every_feature_is_known(coded):
    text = (
        "Thousands of teachers went on strike in Nairobi on Monday. Police in Chile arrested 40 students. "
        "A court in Lahore sentenced the former minister to five years. Ethiopia and Eritrea agreed to a ceasefire. "
        "Japan sent food aid to Myanmar. Rioters burned a police station in Dakar after the election."
    )
    events = coded(text)
    assert len({e["event_type"] for e in events}) >= 3
    for e in events:
        assert 0.0 <= e["confidence"] <= 1.0
        for name in e["evidence"]:
            conf.check_feature(name)
    extreme = conf.Weights(intercept=0.0, weights={"status=asserted": 1e4, "status=hypothetical": -1e4})
    assert extreme.score(["status=asserted"]) == 1.0 and extreme.score(["status=hypothetical"]) == 0.0


def test_the_rule_that_named_itself_is_the_evidence_else_the_trigger_tells():
    trigger = SimpleNamespace(i=3, pos_="VERB", dep_="ROOT")
    light = SimpleNamespace(trigger=trigger, trigger_tokens=[trigger], light=True, owner=None)
    assert conf.how_found(light) == "light"
    assert conf.how_found(SimpleNamespace(**vars(light), how="verb")) == "light"  # the field's default
    assert conf.how_found(SimpleNamespace(**vars(light), how="relative_clause")) == "relative_clause"
    plain = SimpleNamespace(trigger=trigger, trigger_tokens=[trigger], light=False, owner=trigger)
    assert conf.how_found(plain) == "verb"


def test_the_weights_file_loads_and_rejects_unknown_names(tmp_path):
    weights = conf.load_weights()
    assert weights.weights and all(conf.check_feature(name) for name in weights.weights)
    assert weights.fitted.get("events", 0) > 0
    for bad, why in [
        ("intercept: 0.1\nweights: {mood=angry: 0.5}\n", "unknown confidence feature"),
        ("intercept: 0.1\nweights: {status=maybe: 0.5}\n", "unknown value"),
        ("intercept: 0.1\nweights: {}\nbias: 2\n", "bias"),
        ("intercept: high\nweights: {}\n", "intercept"),
    ]:
        path = tmp_path / "confidence.yaml"
        path.write_text(bad)
        with pytest.raises(ValueError, match=why):
            conf.load_weights(path)
    with pytest.raises(ValueError, match="missing.yaml"):
        conf.load_weights(tmp_path / "missing.yaml")


def _calibrate():
    spec = importlib.util.spec_from_file_location("calibrate", ROOT / "benchmarks" / "calibrate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_fitting_finds_the_evidence_that_predicts_right_and_writes_the_same_bytes(tmp_path):
    cal = _calibrate()
    # 200 events in 40 groups: asserted ones right 4 times in 5, hypothetical ones 1 time in 5; `how` is noise
    rng = np.random.default_rng(7)
    feats, labels, groups = [], [], []
    for g in range(40):
        for _ in range(5):
            status = "asserted" if rng.random() < 0.6 else "hypothetical"
            feats.append([f"status={status}", f"how={'verb' if rng.random() < 0.5 else 'light'}"])
            labels.append(float(rng.random() < (0.8 if status == "asserted" else 0.2)))
            groups.append(f"doc{g}")
    vocab = sorted({f for fs in feats for f in fs})
    x, y = cal.design(feats, vocab), np.array(labels)
    model = cal.fit_all(x, y, cal.folds_of(groups, 5))
    w = dict(zip(vocab, model["weights"], strict=True))
    assert w["status=asserted"] > 0 > w["status=hypothetical"]
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for path in (first, second):
        model = cal.fit_all(x, y, cal.folds_of(groups, 5))
        cal.write_weights(path, model, vocab, {"events": len(y)}, ("status", "how"))
    assert first.read_bytes() == second.read_bytes()
    loaded = conf.load_weights(first)
    assert 0.65 < loaded.score(["status=asserted", "how=verb"]) < 0.95
    assert 0.05 < loaded.score(["status=hypothetical", "how=light"]) < 0.35


def test_confidence_is_higher_for_named_actors_and_plain_assertions(code):
    sure = one(code("Russia imposed sanctions on Japan."), "SANCTION")
    unsure = one(code("Japan could impose sanctions on Russia."), "SANCTION")
    assert 0 < unsure["confidence"] < sure["confidence"] <= 1


def _where(events: list[dict], *evidence: str) -> dict:
    """The one event whose evidence holds every name given."""
    found = [e for e in events if set(evidence) <= e["evidence"]]
    assert len(found) == 1, [(e["event_type"], sorted(e["evidence"])) for e in events]
    return found[0]


@pytest.mark.parametrize(
    ("sure", "sure_type", "weak"),
    [
        (
            "Kenya accused Uganda of smuggling weapons across the border.",
            "ACCUSE",
            "Police in Lima detained 30 miners on Monday. They later fought back.",
        ),
        (
            "Kenya accused Uganda of smuggling weapons across the border.",
            "ACCUSE",
            "Soldiers in Myanmar attacked a village on Friday. Later they attacked again.",
        ),
    ],
)
def test_named_actor_dictionary_verb_and_actor2_beat_a_coreferenced_generic_actor_alone(coded, sure, sure_type, weak):
    good = one(coded(sure), sure_type)
    assert {"a1=dictionary", "a2=dictionary", "a2role=object", "a1gen=named"} <= good["evidence"]
    poor = _where(coded(weak), "a1=coref", "a2=none")
    assert {"a1gen=pronoun", "a2role=none", "a2gap=yes"} <= poor["evidence"]  # an attack names whom it hit
    assert 0.0 <= poor["confidence"] < good["confidence"] <= 1.0


def test_a_missing_actor2_is_a_gap_only_where_the_type_names_a_counterpart(coded):
    strike = one(coded("Teachers in Harare went on strike on Monday."), "PROTEST")
    assert {"a2=none", "a2gap=na"} <= strike["evidence"]  # a strike stands alone
    attack = _where(coded("Rebels attacked a convoy in Mali on Tuesday."), "a2=none")
    assert "a2gap=yes" in attack["evidence"]
    sanction = one(coded("Indonesia imposed sanctions on Malaysia."), "SANCTION")
    assert {"a2gap=no", "a2role=prep"} <= sanction["evidence"]  # "sanctions on X": through the object


def test_an_event_in_a_relative_clause_says_so_and_scores_below_the_main_clause(coded):
    events = coded("Rebels who attacked a convoy in Mali were arrested by the army.")
    relative = _where(events, "clause=relative")
    main = _where(events, "clause=main")
    assert relative["confidence"] < main["confidence"]
    assert {"dep=relcl", "a1gen=generic"} <= relative["evidence"]


def test_confidence_is_deterministic(coded):
    text = "Japan sent food aid to Myanmar. Protesters in Dakar burned tyres after the election."
    first, second = coded(text), coded(text)
    assert [(e["event_type"], e["confidence"]) for e in first] == [(e["event_type"], e["confidence"]) for e in second]


def test_the_stored_intercept_carries_the_runtime_labels_offset(tmp_path):
    cal = _calibrate()
    # two data sets of the same evidence: strict labels ("triple") right less often than lenient ones ("gsr")
    feats, labels, groups = [], [], []
    for g in range(60):
        label = "triple" if g % 2 else "gsr"
        for k in range(5):
            feats.append(["status=asserted", f"label={label}"])
            labels.append(float(k < (2 if label == "triple" else 4)))
            groups.append(f"doc{g}")
    vocab = sorted({f for fs in feats for f in fs})
    x, y = cal.design(feats, vocab), np.array(labels)
    model = cal.fit_all(x, y, cal.folds_of(groups, 5))
    path = tmp_path / "w.yaml"
    cal.write_weights(path, model, vocab, {"events": len(y)}, ("status",))
    stored = conf.load_weights(path)
    assert not any(name.startswith("label=") for name in stored.weights)
    assert 0.3 < stored.score(["status=asserted"]) < 0.5  # the strict share, 2 in 5
    runtime = cal.as_runtime(x, vocab)
    scores = cal.oof_scores(x, y, cal.folds_of(groups, 5), runtime)
    assert np.all(scores < 0.5)  # out of fold, every event is judged by the strict label too
