"""transforms/attribution.py: who the text says reported an event (the claimant, guideline rule 5) —
"X said", "according to X", a lead source for its paragraph, an observer; never the outlet or the actor."""

from __future__ import annotations

import pytest

from tests.conftest import one


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lloyd Austin said that Iran supplied drones to Russia.", "Lloyd Austin"),
        ("The Pentagon announced that Iran had supplied drones to Russia.", "Pentagon"),
        ("TASS reported that Belarus sent 300 soldiers to Russia.", "TASS"),
        ("Ukraine claimed that Iran supplied drones to Russia.", "Ukraine"),
        ("According to Reuters, Iran supplied drones to Russia.", "Reuters"),
        (
            "Iran has supplied drones to Russia, the Institute for the Study of War said.",
            "Institute for the Study of War",
        ),
        ("Iran supplied drones to Russia, according to a statement by NATO.", "NATO"),
    ],
)
def test_claimant_patterns(code, text, expected):
    e = one(code(text), "AID")
    assert e["actor1"] in ("Iran", "Belarus")
    assert e["claimant"] == expected


def test_claimant_is_the_reporter_not_the_actor_and_per_is_a_word(code):
    e = one(code("Kim Jong Un persuaded Russia to perform joint drills."), "REQUEST")
    assert e["claimant"] is None
    e = one(code("The Kremlin announced new sanctions against Japan."), "SANCTION")
    assert e["actor1"] == "Russia" and e["claimant"] is None  # the announcer is the actor, not a reporter


def test_according_to_him_is_the_last_speaker(code):
    events = code(
        "Analyst Oleksandr Kraiev said that Russia is buying shells from Iran.\n"
        "According to him, Iran will also send drones to Russia."
    )
    assert one(events, "AID")["claimant"] == "Oleksandr Kraiev"


def test_lead_sentence_attributes_the_next_paragraph_only(code):
    events = code(
        "The National Resistance Center reported the information.\n"
        "Russia recruited 500 workers from Central Asia to rebuild Mariupol.\n"
        "Belarus sent 200 engineers to Russia last year."
    )
    assert one(events, "MOBILIZE")["claimant"] == "National Resistance Center"
    assert one(events, "AID")["claimant"] is None


def test_observer_is_the_claimant_not_the_actor(code):
    events = code("South Korean intelligence saw North Korea sending shells to Russia.")
    e = one(events, "AID")
    assert (e["actor1"], e["actor2"]) == ("North Korea", "Russia")
    assert e["claimant"] is not None and e["claimant"] != "North Korea"
    assert "saw" not in e["trigger"]


def test_intelligence_of_no_country_is_no_claimant_but_a_countrys_is(code):
    unplaced = code("Since October, according to intelligence, Belarus has sent 2,000 soldiers to Russia.")
    assert [(e["event_type"], e["claimant"]) for e in unplaced] == [("AID", None)]
    placed = code("According to Lithuanian intelligence, Belarus has sent 2,000 soldiers to Russia.")
    assert [(e["event_type"], e["claimant_country"]) for e in placed] == [("AID", "LTU")]


def test_mediators_and_negotiators_of_a_state_are_claimants(code):
    events = code(
        "DOHA, Qatar — Israel and Hamas agreed to extend the truce by two days, Qatari mediators said on Monday.\n\n"
        "Sudan's army and the RSF agreed to a three-day ceasefire in Jeddah, Saudi negotiators said."
    )
    agree = [e for e in events if e["event_type"] == "AGREE"]
    assert [(e["claimant"], e["claimant_country"]) for e in agree][:1] == [("Qatari mediators", "QAT")]
    assert ("Saudi negotiators", "SAU") in [(e["claimant"], e["claimant_country"]) for e in agree]
