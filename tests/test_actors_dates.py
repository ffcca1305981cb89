"""Actors, claimants, dates, places and quantities on short real-world sentences.

Each test codes a short text as an article (the `code` fixture, or `article` below when the actors
table matters) and asserts what an analyst would read from it.
"""

from __future__ import annotations

from datetime import date

import pytest

from transforms.dates import resolve_date


def one(events, event_type):
    hits = [e for e in events if e["event_type"] == event_type]
    assert hits, f"no {event_type} in {[(e['event_type'], e['trigger']) for e in events]}"
    return hits[0]


# --- actors ---------------------------------------------------------------------------------------


def test_person_spellings_and_role_reference_are_one_actor_with_every_alias(article):
    events, actors = article(
        "North Korean leader Kim Jong-un arrived in Russia on Tuesday.\n"
        "Kim met Russian President Vladimir Putin at a cosmodrome.\n"
        "The North Korean leader also visited an aircraft factory.\n"
        "Jong-un later praised the Russian army."
    )
    kim = actors["Kim Jong Un"]
    assert kim["country_code"] == "PRK" and kim["actor_type"] == "person"
    assert {"Kim Jong-un", "Kim", "North Korean leader", "Jong-un"} <= kim["aliases"]
    assert not any(name in actors for name in ("Kim", "Jong-un"))
    assert one(events, "CONSULT")["actor1"] == "Kim Jong Un"


def test_unknown_person_gets_country_from_title_and_later_surname_joins_them(article):
    events, actors = article(
        "French Foreign Minister Jean-Noël Barrot visited Kyiv on Monday.\nBarrot urged Russia to accept a ceasefire."
    )
    assert actors["Jean-Noël Barrot"]["country_code"] == "FRA"
    assert one(events, "REQUEST")["actor1"] == "Jean-Noël Barrot"


def test_role_reference_before_the_name_is_resolved_from_the_whole_article(article):
    events, _ = article(
        "A Donetsk separatist leader sent a letter asking Russia for more weapons.\n"
        "In the letter, Donetsk separatist leader Denis Pushilin thanked the Kremlin."
    )
    assert one(events, "REQUEST")["actor1"] == "Denis Pushilin"


def test_state_metonyms_and_curly_apostrophes(article):
    events, actors = article(
        "The Kremlin condemned the Democratic People’s Republic of Korea’s missile launch.\n"
        "Pyongyang rejected the criticism."
    )
    e = one(events, "ACCUSE")
    assert (e["actor1"], e["actor2"]) == ("Russia", "North Korea")
    assert one(events, "REJECT")["actor1"] == "North Korea"
    assert "Democratic People’s Republic of Korea" in actors["North Korea"]["aliases"]


def test_plural_demonyms_the_state_with_article_a_group_without(article):
    events, _ = article(
        "The Russians shelled Kharkiv overnight.\nSeveral Ukrainians were detained by Russian police in Moscow."
    )
    e = one(events, "ASSAULT")
    assert (e["actor1"], e["actor1_type"]) == ("Russia", "state")
    c = one(events, "COERCE")
    assert (c["actor2"], c["actor2_type"], c["actor2_country"]) == ("Ukrainians", "group", "UKR")


def test_group_actor_from_demonym_and_group_noun(article):
    events, _ = article(
        "North Korean soldiers attacked the Ukrainian positions near the border.\n"
        "Russian local officials met with a Chinese delegation in the city."
    )
    e = one(events, "ASSAULT")
    assert (e["actor1"], e["actor1_type"], e["actor1_country"]) == ("North Korean soldiers", "group", "PRK")
    c = one(events, "CONSULT")
    assert c["actor1_country"] == "RUS" and c["actor1_type"] == "group"


def test_group_with_common_noun_modifiers_and_coordinated_demonyms(article):
    events, actors = article(
        "Striking Italian steel workers blocked the main road to the port.\n"
        "Polish and Czech negotiators met in Prague on Monday.\n"
        "Russian T-90 crews shelled the village."
    )
    e = one(events, "PROTEST")
    assert (e["actor1"], e["actor1_type"], e["actor1_country"]) == ("Italian steel workers", "group", "ITA")
    c = one(events, "CONSULT")
    assert {(c["actor1"], c["actor1_country"]), (c["actor2"], c["actor2_country"])} == {
        ("Polish negotiators", "POL"),
        ("Czech negotiators", "CZE"),
    }
    assert not any("T-90" in n for n in actors)  # a model name between: no group


def test_group_placed_by_a_state_after_it_takes_its_country(article):
    events, _ = article(
        "Police in Kenya arrested three opposition activists.\n"
        "Militants based in Somalia attacked a convoy.\n"
        "Nurses from Filipino aid groups treated the wounded."
    )
    c = one(events, "COERCE")
    assert (c["actor1"], c["actor1_type"], c["actor1_country"]) == ("Kenyan police", "group", "KEN")
    a = one(events, "ASSAULT")
    assert (a["actor1"], a["actor1_country"]) == ("Somali militants", "SOM")


def test_demonym_institution_is_an_organisation(article):
    events, _ = article("The Peruvian parliament rejected the budget on Tuesday.")
    e = one(events, "REJECT")
    assert (e["actor1"], e["actor1_type"], e["actor1_country"]) == ("Peruvian parliament", "organization", "PER")


def test_aircraft_are_not_a_group_and_places_are_not_actors(article):
    _, actors = article(
        "Russia deployed Russian Su-35 fighters near the border.\n"
        "North Korea fired a missile into the Sea of Japan.\n"
        "The governor of New Jersey criticized the plan.\n"
        "A Donbas militia commander attacked the town."
    )
    names = set(actors)
    assert "Russian Su-35 fighters" not in names
    assert "Japan" not in names and "Jersey" not in names and "Donbas" not in names


def test_treaty_named_by_ner_is_not_an_actor(article):
    events, actors = article("Russia and Belarus signed the Union State Treaty in Minsk.")
    assert not any("Treaty" in n for n in actors)


# --- claimant -------------------------------------------------------------------------------------


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


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "published", "future", "expected"),
    [
        ("last Tuesday", date(2024, 3, 14), False, (date(2024, 3, 12), "day")),
        ("on Monday", date(2024, 3, 14), False, (date(2024, 3, 11), "day")),
        ("this Thursday", date(2023, 9, 14), True, (date(2023, 9, 14), "day")),
        ("next Monday", date(2023, 9, 14), True, (date(2023, 9, 18), "day")),
        ("in December", date(2024, 3, 14), False, (date(2023, 12, 1), "month")),
        ("in December", date(2024, 3, 14), True, (date(2024, 12, 1), "month")),
        ("last year", date(2024, 3, 14), False, (date(2023, 1, 1), "year")),
        ("next month", date(2024, 12, 5), True, (date(2025, 1, 1), "month")),
        ("on 24 February 2022", None, False, (date(2022, 2, 24), "day")),
        ("last Tuesday", None, False, None),
    ],
)
def test_relative_dates_resolve_against_the_publication_date(expr, published, future, expected):
    assert resolve_date(expr, published, future=future) == expected


def test_date_of_the_action_and_carried_through_the_narrative(code):
    events = code(
        "Chinese President Xi Jinping met Vladimir Putin in Moscow on Tuesday.\n"
        "Xi and Putin signed a statement on economic cooperation.\n"
        "Xi will visit Kazakhstan next month.",
        published="2023-03-23",
    )
    assert str(one(events, "CONSULT")["event_date"]) == "2023-03-21"
    assert str(one(events, "AGREE")["event_date"]) == "2023-03-21"  # carried: same summit
    later = [e for e in events if e["trigger"].endswith("visit") or e["trigger"] == "visit"]
    assert all(str(e["event_date"]) != "2023-03-21" for e in later)


def test_year_only_background_dates_are_not_carried_and_date_lines_are_not_dates(code):
    events = code(
        "In 2014, Russia annexed Crimea.\nOn Friday, Ukraine struck a Russian airbase in Crimea.",
        published="2024-05-20",
    )
    assert str(one(events, "ASSAULT")["event_date"]) == "2024-05-17"
    events = code("Russia attacked Kharkiv.\nUkraine sanctioned Russian banks.", published="2024-05-20")
    assert all(e["event_date"] is None for e in events)


def test_no_year_no_date(code):
    e = one(code("On September 13, Kim Jong Un met Vladimir Putin at the Vostochny Cosmodrome."), "CONSULT")
    assert e["event_date"] is None


def test_asserted_action_is_never_dated_after_publication(code):
    events = code(
        "Russia launched drones at Kyiv on Saturday.\nThe United States warned that Russia could attack again.",
        published="2024-06-03",
    )
    for e in events:
        if e["event_date"] is not None and e["status"] == "asserted":
            assert e["event_date"] <= date(2024, 6, 3)


# --- places and quantities ------------------------------------------------------------------------


def test_place_tied_to_the_action(code):
    e = one(code("North Korea agreed to send 1,000 engineers to demine territory in Kursk Oblast."), "AGREE")
    assert (e["location"], e["country_code"]) == ("Kursk Oblast", "RUS")
    e = one(code("Sergei Shoigu arrived in Pyongyang, where he met Kim Jong Un."), "CONSULT")
    assert e["location"] == "Pyongyang"
    e = one(code("North Korea has sent 5,000 workers to Russia."), "AID")
    assert e["location"] is None and e["actor2"] == "Russia"


@pytest.mark.parametrize(
    ("text", "event_type", "quantity"),
    [
        ("North Korea agreed to deploy 1,000 engineers to Russia.", "AGREE", (1000, "engineers")),
        ("North Korea has sent about 5,000 workers to Russia.", "AID", (5000, "workers")),
        ("Russia deployed up to 12,000 soldiers near the border.", "MOBILIZE", (12000, "soldiers")),
        ("The United States imposed sanctions on two Russian citizens.", "SANCTION", (2, "citizens")),
    ],
)
def test_quantities(code, text, event_type, quantity):
    e = one(code(text), event_type)
    assert (e["quantity"], e["quantity_unit"]) == quantity


# --- sentences and confidence ---------------------------------------------------------------------


def test_paragraph_break_ends_a_sentence_and_long_unpunctuated_leads_are_body(code):
    events = code("Russia attacks Ukraine\nUkraine sanctioned Russian banks.")
    assert [e["event_type"] for e in events] == ["SANCTION"]
    lead = (
        "“Military intelligence tells of Belarus's plans to recruit up to 3,000 welders from Vietnam by 2026 for "
        "shipyards in Gomel and along the western border”, — writes a Polish news portal"
    )
    assert any(e["event_type"] == "MOBILIZE" for e in code(lead))


def test_confidence_is_higher_for_named_actors_and_plain_assertions(code):
    sure = one(code("Russia imposed sanctions on Japan."), "SANCTION")
    unsure = one(code("Japan could impose sanctions on Russia."), "SANCTION")
    assert 0 < unsure["confidence"] < sure["confidence"] <= 1


def test_the_two_leaders_are_the_last_two_persons_named(code):
    events = code(
        "Chinese President Xi Jinping welcomed Brazilian President Lula da Silva in Beijing.\n"
        "The two leaders held talks on trade and signed a dozen agreements."
    )
    talks = [e for e in events if e["trigger"].startswith("held")]
    assert talks and {talks[0]["actor1"], talks[0]["actor2"]} == {"Xi Jinping", "Lula da Silva"}


def test_the_two_leaders_skips_a_person_without_the_office(code):
    events = code(
        "Chinese President Xi Jinping welcomed Brazilian President Lula da Silva in Beijing.\n"
        "Lula travelled with his wife Janja da Silva.\n"
        "The two leaders held talks on trade."
    )
    talks = [e for e in events if e["trigger"].startswith("held")]
    assert talks and {talks[0]["actor1"], talks[0]["actor2"]} == {"Xi Jinping", "Lula da Silva"}


def test_its_group_noun_belongs_to_the_state_subject(article):
    events, actors = article("Turkey has sent 300 of its special forces to Qatar.")
    e = one(events, "AID")
    assert (e["actor1"], e["actor2"], e["quantity"]) == ("Turkey", "Qatar", 300)
    assert actors["Turkish special forces"]["country_code"] == "TUR"


def test_their_group_noun_belongs_to_the_reporting_subject(code):
    events = code("Kosovo Albanians said on Friday their fighters had completed a withdrawal from the valley.")
    e = one(events, "RETREAT")
    assert (e["actor1"], e["actor1_country"]) == ("Albanian fighters", "ALB")


def test_bare_group_subject_takes_the_one_country_its_sentence_names(code):
    events = code(
        "Students marched through the centre of Chile's capital on Friday.\n"
        "Students marched past the French and German embassies on Friday."
    )
    marches = [e for e in events if e["event_type"] == "PROTEST"]
    # the second sentence names two countries: its students are a generic actor of no country (not FRA/DEU)
    assert [(e["actor1"], e["actor1_country"]) for e in marches] == [("Chilean students", "CHL"), ("students", None)]


def test_unnamed_official_with_a_demonym(code):
    e = [e for e in code("A Kenyan judge ordered the release of two journalists.") if e["actor1"]][0]
    assert (e["actor1"], e["actor1_country"]) == ("Kenyan judge", "KEN")


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


def test_official_of_unknown_nationality_takes_the_country_of_their_paragraph(article):
    _, actors = article(
        "President Hakainde Hichilema has threatened to close the Zambian copper mines run by foreign firms.\n"
        "In a separate report, Prime Minister Robert Abela met the Maltese fishermen in Valletta."
    )
    assert actors["Hakainde Hichilema"]["country_code"] == "ZMB"
    assert actors["Robert Abela"]["country_code"] == "MLT"


def test_official_takes_the_country_of_the_capital_the_action_is_in(article):
    _, actors = article("President Mamadi Doumbouya imposed a curfew in Conakry on Friday.")
    assert actors["Mamadi Doumbouya"]["country_code"] == "GIN"


def test_extractor_version_follows_grammar_code_not_comments_or_readers(tmp_path):
    from transforms.version import code_hash

    rules = tmp_path / "rules.py"
    rules.write_text('"""Rules."""\n\nX = 1  # one\n')
    before = code_hash([rules])
    rules.write_text('"""Rules, now documented better."""\n\n# a comment\nX = 1  # still one\n')
    assert code_hash([rules]) == before  # docstrings, comments and layout do not re-code a warehouse
    rules.write_text('"""Rules."""\n\nX = 2\n')
    assert code_hash([rules]) != before  # a changed rule does


def test_reading_modules_are_not_part_of_the_grammar():
    from transforms.version import GRAMMAR_MODULES, TRANSFORMS

    assert {"clean", "parse", "web", "header"}.isdisjoint(GRAMMAR_MODULES)
    assert {"events", "actors", "extract"} <= set(GRAMMAR_MODULES)
    assert all((TRANSFORMS / f"{name}.py").exists() for name in GRAMMAR_MODULES)
