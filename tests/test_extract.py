"""transforms/extract.py end to end on short real sentences: actors, types, roles, status, claimant, dates,
quantities (each stage's own rules are tested in its module: test_events_*.py, test_actors.py, test_dates.py, …)."""

from __future__ import annotations

from tests.conftest import one


def test_agree_chain_codes_agree_with_quantity_place_and_claimant(code):
    events = code(
        "Shoigu disclosed that the North Korean authorities had agreed to send 800 engineers "
        "to clear minefields in Kursk Oblast."
    )
    e = one(events, "AGREE")
    assert e["actor1"] == "North Korea" and e["actor1_country"] == "PRK"
    assert e["status"] == "planned"
    assert (e["quantity"], e["quantity_unit"]) == (800, "engineers")
    assert e["claimant"] == "Sergei Shoigu"
    assert e["location"] == "Kursk Oblast"


def test_active_voice_roles_and_person_countries(code):
    e = one(code("Russian leader Vladimir Putin persuaded DPRK leader Kim Jong Un to set up missions."), "REQUEST")
    assert (e["actor1"], e["actor2"]) == ("Vladimir Putin", "Kim Jong Un")
    assert (e["actor1_country"], e["actor2_country"]) == ("RUS", "PRK")


def test_passive_voice_by_agent_is_the_initiator(code):
    e = one(code("Two North Korean soldiers were captured by Ukrainian special forces in the Kursk region."), "COERCE")
    assert e["actor1"] == "Ukrainian special forces"
    assert e["actor2"] == "North Korean soldiers"


def test_denied_action(code):
    e = one(code("Pyongyang and Moscow deny arms deliveries."), "AID")
    assert e["status"] == "denied" and e["actor1"] == "North Korea"


def test_hypothetical_and_negated(code):
    assert one(code("North Korea could supply Russia with artillery shells."), "AID")["status"] == "hypothetical"
    assert one(code("The United States did not sanction China."), "SANCTION")["status"] == "negated"


def test_according_to_claimant(code):
    e = one(code("According to TASS, Russia sent 500 workers to North Korea."), "AID")
    assert e["claimant"] == "TASS"
    assert e["actor2"] == "North Korea"


def test_relative_date_resolved_against_publication(code):
    e = one(code("Vladimir Putin met Kim Jong Un at the cosmodrome this Wednesday.", published="2023-09-14"), "CONSULT")
    assert str(e["event_date"]) == "2023-09-13" and e["date_precision"] == "day"


def test_headlines_and_furniture_are_not_events(code):
    events = code("Putin persuades DPRK to send workers\n- News\nSign up for our newsletter.")
    assert events == []


def test_paragraph_break_ends_a_sentence_and_long_unpunctuated_leads_are_body(code):
    events = code("Russia attacks Ukraine\nUkraine sanctioned Russian banks.")
    assert [e["event_type"] for e in events] == ["SANCTION"]
    lead = (
        "“Military intelligence tells of Belarus's plans to recruit up to 3,000 welders from Vietnam by 2026 for "
        "shipyards in Gomel and along the western border”, — writes a Polish news portal"
    )
    assert any(e["event_type"] == "MOBILIZE" for e in code(lead))
