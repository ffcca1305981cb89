"""Actors: generic actors with a sector, sectors of named actors, actor hygiene (datelines, products,
metaphors, collective references), and persons, aliases, states, groups and offices across an article, on
short sentences from many countries.

Each test codes a short text as an article and asserts what an analyst would read from the actors table.
"""

from __future__ import annotations

import pytest

from tests.conftest import one
from transforms.actors import MENTION_PASSES


def group(actors: dict, name: str) -> tuple:
    a = actors[name]
    return a["actor_type"], a["country_code"], a["sector"]


# --- generic actors -------------------------------------------------------------------------------


def test_generic_actors_take_country_from_in_x_and_their_own_demonym(article):
    events, actors = article("Police in Amman arrested dozens of Jordanian rioters on Friday.")
    assert group(actors, "Jordanian police") == ("group", "JOR", "COP")
    assert group(actors, "Jordanian rioters") == ("group", "JOR", "CVL")
    e = next(e for e in events if e["event_type"] == "COERCE")
    assert (e["actor1"], e["actor2"]) == ("Jordanian police", "Jordanian rioters")


def test_generic_actor_takes_the_country_of_the_place_of_its_sentence(article):
    events, actors = article("Riot police fired tear gas at protesters in Nairobi on Tuesday.")
    assert group(actors, "Kenyan police") == ("group", "KEN", "COP")
    assert group(actors, "Kenyan protesters") == ("group", "KEN", "CVL")
    assert not any(a["actor_type"] == "person" for a in actors.values())  # "Riot" is no person


@pytest.mark.parametrize(
    ("text", "name", "country", "sector"),
    [
        ("Thousands of workers marched through Buenos Aires against a new labour law.", "workers", "ARG", "LAB"),
        ("Students blocked a highway near Dhaka, demanding the release of their classmates.", "students", "BGD", "EDU"),
        ("Rebels attacked an army base in northern Mali on Sunday.", "rebels", "MLI", "REB"),
        ("Farmers protested outside parliament in New Delhi over crop prices.", "farmers", "IND", "AGR"),
        ("Doctors went on strike in Lagos over unpaid salaries.", "doctors", "NGA", "HLH"),
    ],
)
def test_generic_actors_of_many_sectors_and_countries(article, text, name, country, sector):
    _, actors = article(text)
    found = [a for a in actors.values() if a["name"].lower().endswith(name)]
    assert found, f"no {name} in {list(actors)}"
    assert (found[0]["actor_type"], found[0]["country_code"], found[0]["sector"]) == ("group", country, sector)


def test_intelligence_agencies_of_a_demonym_are_a_spy_group(article):
    events, actors = article("Ugandan intelligence agencies began sharing information with Rwanda on Monday.")
    assert group(actors, "Ugandan intelligence agencies") == ("group", "UGA", "SPY")
    assert events and events[0]["actor1"] == "Ugandan intelligence agencies"


def test_generic_actor_without_any_place_has_no_country(article):
    _, actors = article("Protesters gathered outside the central bank and demanded higher wages.")
    assert group(actors, "protesters") == ("group", None, "CVL")


def test_generic_actors_of_different_countries_never_merge(article):
    _, actors = article(
        "Police in Lima detained ten protesters on Monday.\nPolice in Quito detained twenty protesters on Tuesday."
    )
    peru, ecuador = actors["Peruvian police"], actors["Ecuadorian police"]
    assert peru["actor_id"] != ecuador["actor_id"]
    assert (peru["country_code"], ecuador["country_code"]) == ("PER", "ECU")


def test_generic_actor_is_never_an_alias_of_a_named_one(article):
    _, actors = article("Police Chief John Mwangi said officers detained 40 opposition supporters in Kampala.")
    mwangi = actors["John Mwangi"]
    assert mwangi["sector"] == "COP" and mwangi["country_code"] == "UGA"
    assert "officers" not in mwangi["aliases"]
    assert group(actors, "Ugandan opposition supporters") == ("group", "UGA", "OPP")


def test_a_dateline_places_generic_actors_and_is_no_actor_itself(article):
    events, actors = article("NAIROBI, Kenya (Reuters) — Police fired tear gas at protesters on Tuesday.")
    assert group(actors, "Kenyan police") == ("group", "KEN", "COP")
    assert "Kenya" not in actors and "Reuters" not in actors
    assert all(e["actor1"] != "Kenya" for e in events)


# --- sectors of named actors ----------------------------------------------------------------------


def test_named_actors_take_their_sector_from_title_or_name(article):
    _, actors = article(
        "Brazilian Defense Minister José Múcio met General Tomás Paiva in Brasília.\n"
        "The Supreme Court of Brazil ordered the release of the prisoners."
    )
    assert actors["José Múcio"]["sector"] == "GOV"
    assert actors["Tomás Paiva"]["sector"] == "MIL"
    assert actors["Brazil"]["sector"] is None  # a state itself has no sector


def test_an_international_body_is_igo(article):
    _, actors = article("The United Nations sent food aid to Sudan on Monday.")
    assert actors["United Nations"]["sector"] == "IGO"
    assert actors["Sudan"]["sector"] is None


# --- hygiene --------------------------------------------------------------------------------------


def test_dateline_is_never_subject_or_actor(article):
    events, actors = article("MOSCOW, Russia (AP) — Russian President Vladimir Putin signed a decree on Tuesday.")
    assert "Russia" not in {e["actor1"] for e in events}
    assert not any("AP" in a["aliases"] for a in actors.values())
    _, actors = article("Kyiv, Ukraine – Ukraine and Poland signed a security agreement on Monday.")
    assert "Kyiv" not in actors["Ukraine"]["aliases"]


def test_weapons_and_products_are_no_actors(article):
    _, actors = article(
        "Russia launched dozens of Geranium drones at Kharkiv overnight.\n"
        "The plant in Komsomolsk manufactures the Superjet 100 passenger aircraft."
    )
    assert "Geranium" not in actors and "Superjet" not in actors


def test_metaphors_of_places_are_no_actors(article):
    _, actors = article("France and Germany said the Old Continent must rearm, and they pledged more aid to Kyiv.")
    assert "Old Continent" not in actors


def test_both_leaders_is_no_alias_of_either_leader(article):
    events, actors = article(
        "Russian President Vladimir Putin met Chinese President Xi Jinping in Beijing.\n"
        "Both leaders signed a trade agreement."
    )
    assert "Both leaders" not in actors["Vladimir Putin"]["aliases"]
    assert "Both leaders" not in actors["Xi Jinping"]["aliases"]
    assert any(e["event_type"] == "AGREE" and e["actor1"] == "Vladimir Putin" for e in events)


def test_every_mention_pass_says_what_it_does_with_an_example():
    assert len({p.name for p in MENTION_PASSES}) == len(MENTION_PASSES)
    for p in MENTION_PASSES:
        assert p.run.__doc__ and '"' in p.run.__doc__, p.name


def test_an_unknown_sector_code_aborts_the_batch():
    """The contract: actors.sector is one of the sector codes (or null)."""
    import polars as pl

    from expectations.validate import ValidationAbort, validate_batch
    from transforms.documents import RawInput
    from transforms.parse import parse_document
    from transforms.rows import actors_frame, events_frame, sources_frame

    doc = parse_document(RawInput("/in/a.txt", "a.txt", b"Police in Lima detained ten protesters on Monday."))
    row = {"actor_id": "p", "name": "Peruvian police", "actor_type": "group", "country_code": "PER", "aliases": []}
    good = actors_frame([{"p": {**row, "sector": "COP"}}])
    assert good["sector"].to_list() == ["COP"]
    validate_batch(sources_frame([doc], "v1"), events_frame([]), good)
    with pytest.raises(ValidationAbort, match="sector"):
        validate_batch(sources_frame([doc], "v1"), events_frame([]), good.with_columns(pl.lit("XXX").alias("sector")))


# --- a named person or organisation stays itself (rule 3) -----------------------------------------


@pytest.mark.parametrize(
    ("text", "event_type", "name", "country"),
    [
        ("Peru's president, Dina Boluarte, condemned the attack on Tuesday.", "ACCUSE", "Dina Boluarte", "PER"),
        ("Ghana's finance minister, Kwaku Asante, rejected the union's demands.", "REJECT", "Kwaku Asante", "GHA"),
        ("The army's spokesman, Colonel Ibrahim Traore, rejected the ultimatum.", "REJECT", "Ibrahim Traore", None),
    ],
)
def test_titled_appositive_person_is_the_actor_not_the_state(article, text, event_type, name, country):
    events, actors = article(text)
    e = next(e for e in events if e["event_type"] == event_type)
    assert e["actor1"] == name
    assert country is None or actors[name]["country_code"] == country


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        (
            "The Uganda Revenue Authority froze the accounts of three opposition politicians.",
            "Uganda Revenue Authority",
            "UGA",
        ),
        ("The Nigeria Police Force arrested 20 protesters in Lagos on Monday.", "Nigeria Police Force", "NGA"),
    ],
)
def test_organisation_named_after_its_state_stays_itself(article, text, name, country):
    events, actors = article(text)
    assert events and events[0]["actor1"] == name
    assert actors[name]["country_code"] == country


def test_bare_government_is_the_state_of_the_dateline(article):
    events, _ = article("LIMA, Peru — Farmers accused the government of ignoring the drought on Friday.")
    e = next(e for e in events if e["event_type"] == "ACCUSE")
    assert e["actor2"] == "Peru"
    events, _ = article("Farmers accused the government of ignoring the drought on Friday.")
    assert all(e["actor2"] != "Peru" for e in events)
    events, _ = article("HARARE, Zimbabwe — Nurses rejected a government offer of a 5 percent raise on Monday.")
    assert one(events, "REJECT")["actor2"] == "Zimbabwe"


def test_unplaced_official_takes_the_dateline_country(article):
    events, actors = article("DHAKA, Bangladesh — Home Minister Rafiqul Karim urged students to end the blockade.")
    e = next(e for e in events if e["event_type"] == "REQUEST")
    assert e["actor1"] == "Rafiqul Karim"
    assert actors["Rafiqul Karim"]["country_code"] == "BGD"


# --- countries of generic actors, unknown people and the bare government ---------------------------


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Nurses in Auckland went on strike over pay on Monday.", "NZL"),
        ("Hundreds of students marched in Port Harcourt on Tuesday against the new fees.", "NGA"),
        ("Police arrested twelve protesters in Mandalay after they blocked a road.", "MMR"),
        ("Riot police fired tear gas at demonstrators in Guayaquil on Thursday.", "ECU"),
    ],
)
def test_a_city_of_the_imported_gazetteer_places_generic_actors(article, text, country):
    _, actors = article(text)
    groups = [a for a in actors.values() if a["actor_type"] == "group"]
    assert groups and all(a["country_code"] == country for a in groups), groups


def test_a_generic_actor_takes_the_one_country_its_sentence_names(article):
    events, actors = article(
        "Ghana's finance minister announced new taxes on Thursday, and the opposition rejected the plan."
    )
    assert one(events, "REJECT")["actor1_country"] == "GHA"
    assert group(actors, "Ghanaian opposition") == ("group", "GHA", "OPP")


def test_a_generic_actor_in_a_sentence_without_a_country_takes_its_paragraphs(article):
    _, actors = article(
        "Kenya's teachers' union called a national strike on Monday after talks in Nairobi failed. "
        "Nurses joined the strike on Tuesday."
    )
    nurses = [a for a in actors.values() if a["name"].endswith("nurses")]
    assert nurses and nurses[0]["country_code"] == "KEN"
    _, actors = article("Nurses joined the strike on Tuesday, and doctors said they would follow.")
    assert actors["nurses"]["country_code"] is None  # no country anywhere: none


def test_a_demonym_before_an_unnamed_title_is_its_country(article):
    events, actors = article("The government in Caracas expelled the Spanish ambassador on Monday.")
    e = one(events, "SANCTION")
    assert (e["actor1"], e["actor2_country"]) == ("Venezuela", "ESP")


@pytest.mark.parametrize(
    ("text", "event_type", "state"),
    [
        ("The junta arrested dozens of opposition activists in Yangon on Saturday.", "COERCE", "Myanmar"),
        ("The authorities in Harare detained three journalists on Friday.", "COERCE", "Zimbabwe"),
        ("The regime released 200 political prisoners in Tehran on Friday.", "CONCEDE", "Iran"),
    ],
)
def test_a_bare_government_is_the_state_where_its_sentence_is_set(article, text, event_type, state):
    events, _ = article(text)
    assert one(events, event_type)["actor1"] == state


def test_a_bare_regime_between_two_countries_is_nobodys(article):
    _, actors = article("US officials said that lifting the sanctions on Burma would reward the regime for nothing.")
    assert not any("the regime" in a["aliases"] for a in actors.values() if a["country_code"])


def test_a_journalist_or_activist_of_no_country_takes_the_setting_of_the_paragraph(article):
    _, actors = article("A court in Istanbul sentenced journalist Ayse Kaya to three years on Tuesday.")
    assert (actors["Ayse Kaya"]["country_code"], actors["Ayse Kaya"]["sector"]) == ("TUR", "MED")
    _, actors = article("Police in Dhaka arrested opposition activist Rahim Uddin on Sunday.")
    assert (actors["Rahim Uddin"]["country_code"], actors["Rahim Uddin"]["sector"]) == ("BGD", "OPP")


def test_a_prison_is_a_place_not_an_actor(article):
    _, actors = article("A court in Lima sentenced the former mayor to ten years in prison on Monday.")
    assert not any("prison" in a["name"] for a in actors.values())


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        ("NAIROBI, Kenya — President Ruto met opposition leaders on Monday to discuss the protests.", "Ruto", "KEN"),
        ("Kenyan President Ruto met opposition leaders in Mombasa on Monday.", "Ruto", "KEN"),
        ("ABUJA, Nigeria — President Tinubu met state governors on Monday to discuss fuel prices.", "Tinubu", "NGA"),
        ("MANILA, Philippines — President Marcos visited flood victims in Cagayan on Sunday.", "Marcos", "PHL"),
    ],
)
def test_a_name_after_an_office_title_is_a_person_even_when_ner_misses_it(article, text, name, country):
    events, actors = article(text)
    assert actors[name]["actor_type"] == "person" and actors[name]["country_code"] == country
    assert events and events[0]["actor1"] == name


def test_a_role_noun_tagged_with_a_name_is_no_part_of_it(article):
    _, actors = article(
        "Activist Loujain al-Hathloul was released from prison in Riyadh on Wednesday, her family said."
    )
    assert "Loujain al-Hathloul" in actors and "Activist Loujain al-Hathloul" not in actors


def test_a_bare_junta_is_the_one_the_article_named_before(article):
    events, actors = article(
        "ABUJA, Nigeria — Niger's junta rejected the regional sanctions on Sunday.\n\n"
        "The United States asked the junta to release the president immediately."
    )
    e = one(events, "REQUEST")
    assert (e["actor1"], e["actor2"]) == ("United States", "Niger")
    assert "Nigeria" not in actors


def test_a_group_of_a_region_takes_no_single_country(article):
    events, actors = article("Arab foreign ministers met in Cairo on Monday to discuss the war.")
    assert group(actors, "Arab foreign ministers") == ("group", None, "GOV")
    _, actors = article("Police in Brussels questioned European diplomats on Monday about the leak.")
    assert actors["European diplomats"]["country_code"] is None


# --- persons and their aliases, states, groups and offices across the article --------------------


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


def test_leaders_of_a_region_are_its_regional_organisation(code):
    events = code(
        "Southeast Asian foreign ministers urged Myanmar's junta to end the violence on Friday.\n\n"
        "West African leaders imposed sanctions on Guinea-Bissau on Sunday at a summit in Accra."
    )
    urge = [e for e in events if e["trigger"] == "urged"]
    assert urge and (urge[0]["actor1"], urge[0]["actor2"]) == ("ASEAN", "Myanmar")
    assert [e["actor1"] for e in events if e["event_type"] == "SANCTION"] == ["ECOWAS"]


def test_people_of_a_region_stay_a_group_of_no_one_country(article):
    # traders are no government: no regional body; and the one country the sentence names is not theirs
    _, actors = article("West African traders protested against new border controls in Lome on Monday.")
    assert "ECOWAS" not in actors
