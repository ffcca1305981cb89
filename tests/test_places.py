"""Places: the gazetteer of places imported from the Phoenix state records (cities, provinces) gives a
country; a place name inside a person's name stays the person's; an event's place is the one tied to its action."""

from __future__ import annotations

import pytest

from tests.conftest import one
from transforms.places import find_places


@pytest.mark.parametrize(
    ("text", "place", "country"),
    [
        ("Thousands rallied in Auckland on Saturday.", "Auckland", "NZL"),
        ("A bomb exploded in a market in Ramadi on Sunday.", "Ramadi", "IRQ"),
        ("Workers blocked the port of Chittagong on Monday.", "Chittagong", "BGD"),
        ("Farmers marched through Bucaramanga against the new tax.", "Bucaramanga", "COL"),
    ],
)
def test_imported_places_have_a_country(nlp, lex, text, place, country):
    found = {p.name: p.country for p in find_places(nlp(text), lex)}
    assert found.get(place) == country


def test_an_imported_place_name_inside_a_persons_name_is_no_place(nlp, lex):
    doc = nlp("Police questioned the activist Anna Bergen in Oslo on Monday.")
    assert "Bergen" not in {p.name for p in find_places(doc, lex)}
    doc = nlp("Fishermen protested in Bergen on Monday.")
    assert ("Bergen", "NOR") in {(p.name, p.country) for p in find_places(doc, lex)}


def test_place_tied_to_the_action(code):
    e = one(code("North Korea agreed to send 1,000 engineers to demine territory in Kursk Oblast."), "AGREE")
    assert (e["location"], e["country_code"]) == ("Kursk Oblast", "RUS")
    e = one(code("Sergei Shoigu arrived in Pyongyang, where he met Kim Jong Un."), "CONSULT")
    assert e["location"] == "Pyongyang"
    e = one(code("North Korea has sent 5,000 workers to Russia."), "AID")
    assert e["location"] is None and e["actor2"] == "Russia"
