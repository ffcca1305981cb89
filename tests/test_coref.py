"""transforms/coref.py: pronoun subjects across sentences and paragraphs resolved to their actors."""

from __future__ import annotations


def test_pronoun_subjects_resolve_to_the_previous_sentence(code):
    events = code(
        "Nigeria has sent 800 of its soldiers to Gambia. They took part in clashes with rebels near the border.\n"
        "Emmanuel Macron travelled to Rabat on Monday. He met King Mohammed VI.\n"
        "Officials said the visit went well. They praised the agreement."
    )
    fight = [e for e in events if e["event_type"] == "ASSAULT"]
    assert fight and (fight[0]["actor1"], fight[0]["actor1_country"]) == ("Nigerian soldiers", "NGA")
    meet = [e for e in events if e["trigger"] == "met"]
    assert meet and meet[0]["actor1"] == "Emmanuel Macron"
    # "they" = the officials (a generic actor, GOV), never the persons of the sentence before
    assert [e["actor1"] for e in events if e["event_type"] == "SUPPORT"] in ([], ["officials"])


def test_pronoun_across_paragraphs_only_from_the_last_sentence(code):
    events = code(
        "Emmanuel Macron travelled to Rabat on Monday.\n\n"
        "The weather was warm and the streets were full.\n\n"
        "He met King Mohammed VI."
    )
    assert not [e for e in events if e["trigger"] == "met"]
