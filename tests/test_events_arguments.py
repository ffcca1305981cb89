"""Arguments that attach, types and status by the guideline (../shared/spec/events.md rules 2, 4, 6, 8).

Each sentence is written for this test (not taken from the gold files), from many countries and topics;
the assertions say what an analyst would code: type, actor1/actor2 country, status, date, claimant.
"""

from __future__ import annotations

from tests.conftest import one

# --- rule 8: actor2 is the host, the destination, the target ---------------------------------------


def test_arrival_in_a_capital_makes_its_state_the_host(code):
    e = one(code("Turkish President Recep Tayyip Erdogan arrived in Baghdad on Monday."), "CONSULT")
    assert (e["actor1_country"], e["actor2"], e["mode"]) == ("TUR", "Iraq", "visit")


def test_dispatch_names_the_receiving_state(code):
    e = one(code("Rwanda sent troops to Mozambique to fight insurgents."), "AID")
    assert (e["actor1"], e["actor2"]) == ("Rwanda", "Mozambique")


def test_fighting_against_names_the_target(code):
    e = one(code("Eritrean soldiers are fighting against Ethiopia near the border town of Zalambessa."), "ASSAULT")
    assert (e["actor1_country"], e["actor2"]) == ("ERI", "Ethiopia")


def test_date_of_a_relative_clause_does_not_date_the_main_action(code):
    events = code(
        "North Korea, which ratified the treaty in November 2024, denies arms deliveries to Russia.", "2025-01-10"
    )
    e = one(events, "AID")
    assert (e["status"], e["event_date"]) == ("denied", None)
    assert str(one(events, "AGREE")["event_date"]).startswith("2024-11")


def test_relative_clause_event_is_coded(code):
    events = code("Serbia's parliament, which approved the law on Friday, was criticised by the European Union.")
    assert {"AGREE", "ACCUSE"} <= {e["event_type"] for e in events}
    assert one(events, "ACCUSE")["actor2_country"] == "SRB"


def test_let_enter_is_an_access_concession(code):
    e = one(code("Hungary let Ukrainian refugees enter the country on Tuesday."), "RETREAT")
    assert e["actor1"] == "Hungary"


# --- nominal events -----------------------------------------------------------------------------------


def test_visit_by_to_is_a_consult_with_host(code):
    e = one(code("A visit by Indian Prime Minister Narendra Modi to Moscow ended on Wednesday."), "CONSULT")
    assert (e["actor1_country"], e["actor2"]) == ("IND", "Russia")


def test_ratification_by_a_parliament_is_agree(code):
    e = one(code("The ratification of the treaty by the Russian parliament was completed."), "AGREE")
    assert e["actor1_country"] == "RUS"


def test_riot_breaking_out_has_a_generic_doer_of_the_place(code):
    e = one(code("A riot broke out in Nairobi after the football match."), "PROTEST")
    assert (e["actor1_country"], e["mode"]) == ("KEN", "riot")


def test_protests_erupting_are_protest_events(code):
    e = one(code("Protests erupted in Tehran on Friday over fuel prices."), "PROTEST")
    assert e["actor1_country"] == "IRN"


def test_a_strike_by_doctors_is_a_labour_protest_not_an_attack(code):
    events = code("The strike by Nigerian doctors entered its third day.")
    assert "ASSAULT" not in {e["event_type"] for e in events}
    assert one(events, "PROTEST")["actor1_country"] == "NGA"


def test_nurses_going_on_strike_is_protest(code):
    events = code("Kenyan nurses went on strike over unpaid salaries.")
    assert [e["event_type"] for e in events] == ["PROTEST"]


def test_air_strike_stays_an_assault(code):
    e = one(code("Israeli jets carried out an air strike on Gaza on Sunday."), "ASSAULT")
    assert e["actor1_country"] == "ISR"


# --- types and status by the guideline -------------------------------------------------------------


def test_fired_at_a_target_is_assault(code):
    e = one(code("Hezbollah launched rockets at northern Israel."), "ASSAULT")
    assert e["actor2"] == "Israel"


def test_launch_into_the_sea_is_mobilize(code):
    events = code("North Korea launched two ballistic missiles into the Sea of Japan on Thursday.")
    assert [e["event_type"] for e in events] == ["MOBILIZE"]


def test_not_ruling_out_talks_is_a_hypothetical_consult(code):
    e = one(code("Venezuela does not rule out talks with Colombia."), "CONSULT")
    assert (e["actor1"], e["actor2"], e["status"]) == ("Venezuela", "Colombia", "hypothetical")


def test_not_ruling_out_an_action_makes_it_hypothetical(code):
    e = one(code("Russia did not rule out sending troops to Belarus."), "AID")
    assert (e["actor2"], e["status"]) == ("Belarus", "hypothetical")


def test_neither_confirmed_nor_denied_is_no_event(code):
    assert code("Pakistan neither confirmed nor denied the deployment of troops to Saudi Arabia.") == []


def test_rhetoric_against_an_abstract_noun_is_no_event(code):
    events = code("Cuba and Venezuela will always fight together against imperialism, the minister said.")
    assert "ASSAULT" not in {e["event_type"] for e in events}


def test_possibility_of_an_action_is_hypothetical(code):
    e = one(code("The Chinese president raised the possibility of China helping Pakistan build a port."), "AID")
    assert (e["actor1"], e["status"]) == ("China", "hypothetical")


def test_riot_verb_has_mode_riot(code):
    e = one(code("Bolivian miners rioted in La Paz on Monday."), "PROTEST")
    assert (e["actor1_country"], e["mode"]) == ("BOL", "riot")


def test_sentencing_is_coerce(code):
    e = one(code("Egypt sentenced the activist Alaa Abd El-Fattah to five years in prison."), "COERCE")
    assert e["actor1"] == "Egypt"


def test_brokering_a_truce_is_mediation(code):
    e = one(code("Qatar brokered a truce between Israel and Hamas."), "CONSULT")
    assert e["actor1"] == "Qatar"


# --- datelines and unnamed crowds ---------------------------------------------------------------------


def test_dateline_is_never_the_subject(code):
    e = one(
        code("WARSAW (AP) — Poland stationed 10,000 soldiers along its border with Belarus on Wednesday."), "MOBILIZE"
    )
    assert (e["actor1"], e["quantity"]) == ("Poland", 10000)


def test_dateline_with_country_gives_way_to_coordinated_subjects(code):
    e = one(
        code("NAIROBI, Kenya (AP) — Kenya and Ethiopia signed an agreement on Tuesday to share river water."), "AGREE"
    )
    assert {e["actor1"], e["actor2"]} == {"Kenya", "Ethiopia"}


def test_unnamed_crowd_of_a_protest_is_a_generic_actor_of_the_place(code):
    e = one(
        code("Thousands of farmers on tractors marched towards New Delhi on Tuesday to demand better prices."),
        "PROTEST",
    )
    assert e["actor1_country"] == "IND"


def test_protesters_blocking_highways_protest(code):
    e = one(code("Protesters blocking highways in central Bolivia cut off the main road on Monday."), "PROTEST")
    assert e["actor1_country"] == "BOL"


def test_students_blockading_bridges_protest_not_assault(code):
    events = code("University students blockaded three bridges in Belgrade on Saturday.")
    assert [e["event_type"] for e in events] == ["PROTEST"]
    assert events[0]["actor1_country"] == "SRB"


def test_protesters_storming_a_parliament_riot(code):
    e = one(code("Protesters stormed the parliament in Colombo on Saturday."), "PROTEST")
    assert (e["actor1_country"], e["mode"]) == ("LKA", "riot")


def test_troops_sent_within_the_country_are_mobilised(code):
    e = one(code("Colombia sent 2,000 soldiers to the Catatumbo region on Sunday."), "MOBILIZE")
    assert (e["actor1"], e["quantity"]) == ("Colombia", 2000)


def test_troops_sent_to_another_state_are_aid(code):
    e = one(code("Germany sent 500 soldiers to Lithuania."), "AID")
    assert e["actor2"] == "Lithuania"


def test_car_bomb_exploding_is_an_assault(code):
    e = one(code("A car bomb exploded outside a busy restaurant in Mogadishu on Saturday evening."), "ASSAULT")
    assert e["actor1_country"] == "SOM"


def test_supporters_clashing_are_generic_actors(code):
    e = one(code("Supporters of rival candidates clashed in Papua New Guinea's Enga province on Tuesday."), "ASSAULT")
    assert e["actor1_country"] == "PNG"


def test_quantity_of_what_was_hit_in_a_participle(code):
    e = one(code("Russian troops shelled Kharkiv on Monday, wounding 30 civilians."), "ASSAULT")
    assert (e["quantity"], e["quantity_unit"]) == (30, "civilians")


def test_opening_participle_is_not_the_subject(code):
    e = one(
        code("Meeting in Addis Ababa on Sunday, the African Union suspended Gabon from all its activities."),
        "SANCTION",
    )
    assert e["actor1"] == "African Union"


def test_paused_aid_is_a_sanction_on_the_receiver(code):
    e = one(code("Washington paused military aid to Guatemala after the coup."), "SANCTION")
    assert (e["actor1_country"], e["actor2"]) == ("USA", "Guatemala")


def test_only_an_adjacent_appositive_name_replaces_its_head():
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    from transforms.actors import Actor, Mention
    from transforms.events import _named_appositive

    def parse(words, heads, deps, pos):
        return Doc(Vocab(), words=words, heads=heads, deps=deps, pos=pos)

    person = Actor("Abba Yusuf", "person", "NGA")
    # "spokesman, Abba Yusuf, said": the name right after the head's comma is the actor
    doc = parse(
        ["spokesman", ",", "Abba", "Yusuf", ",", "said"],
        [5, 0, 3, 0, 0, 5],
        ["nsubj", "punct", "compound", "appos", "punct", "ROOT"],
        ["NOUN", "PUNCT", "PROPN", "PROPN", "PUNCT", "VERB"],
    )
    m = Mention(2, 4, person, "Abba Yusuf", "ner")
    assert _named_appositive(doc[0], {2: m, 3: m}) is m
    # "rioters accused the governor, Abba Yusuf": a name the parser hung on a distant head is not it
    doc = parse(
        ["rioters", "accused", "the", "governor", ",", "Abba", "Yusuf"],
        [1, 1, 3, 1, 3, 6, 0],
        ["nsubj", "ROOT", "det", "dobj", "punct", "compound", "appos"],
        ["NOUN", "VERB", "DET", "NOUN", "PUNCT", "PROPN", "PROPN"],
    )
    m = Mention(5, 7, person, "Abba Yusuf", "ner")
    assert _named_appositive(doc[0], {5: m, 6: m}) is None


# --- round 4: coordinated subjects, arson by crowds, split datelines ----------------------------------


def test_coordinated_subjects_each_act_on_the_counterpart(code):
    events = code("Germany and the Netherlands suspended development aid to Mali on Friday.", "2025-03-10")
    sanctions = [e for e in events if e["event_type"] == "SANCTION"]
    assert {e["actor1"] for e in sanctions} == {"Germany", "Netherlands"}
    assert {e["actor2"] for e in sanctions} == {"Mali"}


def test_coordinated_subjects_praising_a_third_state_are_two_supports(code):
    events = code("Brazil and Mexico praised Chile for its handling of the election.")
    supports = [e for e in events if e["event_type"] == "SUPPORT"]
    assert {e["actor1"] for e in supports} == {"Brazil", "Mexico"}
    assert all(e["actor2"] == "Chile" for e in supports)


def test_two_sides_meeting_stay_one_event(code):
    events = code("Armenia and Azerbaijan met in Abu Dhabi on Wednesday.")
    consults = [e for e in events if e["event_type"] == "CONSULT"]
    assert len(consults) == 1
    assert {consults[0]["actor1"], consults[0]["actor2"]} == {"Armenia", "Azerbaijan"}


def test_protesters_setting_fire_to_a_building_riot(code):
    e = one(code("Protesters in Dhaka set fire to a police station on Monday."), "PROTEST")
    assert (e["actor1_country"], e["mode"]) == ("BGD", "riot")
    assert "COERCE" not in {x["event_type"] for x in code("Protesters in Dhaka set fire to a police station.")}


def test_police_setting_fire_to_houses_is_not_a_protest(code):
    events = code("Police in Lagos set fire to market stalls on Tuesday.")
    assert "PROTEST" not in {e["event_type"] for e in events}


def test_dateline_split_from_its_city_is_still_a_dateline(nlp, lex):
    from transforms.events import _dateline_dash

    doc = nlp("Talks end in accord\n\nCARACAS, Venezuela — The government and the rebels signed a truce on Monday.")
    sent = next(s for s in doc.sents if "signed" in s.text)
    assert sent[0].text == ","  # the parser ends a sentence after "CARACAS": the next one opens with ", Venezuela —"
    dash = _dateline_dash(sent, lex)
    assert dash is not None and doc[dash].text == "—"


# --- round 4: status and type by the guideline (rules 2, 6) --------------------------------------------


def test_agentless_passive_takes_the_nearest_passive_subject(code):
    events = code("Riot police in Tbilisi fired water cannon at protesters on Sunday and 30 people were detained.")
    e = one(events, "COERCE")
    assert e["actor1"] is None and e["actor2"] is None  # not the riot police


def test_water_cannon_fired_at_protesters_is_assault(code):
    events = code("Riot police in Belgrade fired water cannon to disperse the protesters on Saturday.")
    e = one(events, "ASSAULT")
    assert e["actor1_country"] == "SRB"
    assert "MOBILIZE" not in {x["event_type"] for x in events}


def test_an_injury_with_no_act_is_no_event(code):
    assert code("Officials in Quetta said four people were injured.") == []


def test_a_killing_with_named_victims_stays_an_agentless_assault(code):
    e = one(code("Three Malian soldiers were killed near Kidal on Monday."), "ASSAULT")
    assert e["actor1"] is None


def test_a_background_toll_since_a_past_point_is_no_event(code):
    assert code("More than 300,000 people have been killed in Syria's civil war since 2011.") == []


def test_a_campaigns_count_since_a_past_point_stays_its_quantity(code):
    e = one(code("Iran has sent about 400 drones to Russia since August."), "AID")  # the gold's reading (seeds)
    assert (e["actor2"], e["quantity"]) == ("Russia", 400)


def test_pupils_sent_home_is_not_aid(code):
    events = code("Thousands of pupils in Harare were sent home after teachers walked out on Monday.")
    assert "AID" not in {e["event_type"] for e in events}
    assert "AID" not in {e["event_type"] for e in code("The factory in Dhaka sent its workers home on Friday.")}


def test_a_copula_classifying_a_strike_is_no_event(code):
    assert code("The walkout is the fourth by Nigerian doctors since 2021.") == []


def test_passive_belief_makes_the_action_hypothetical(code):
    e = one(code("Iran is believed to have sent drones to Sudan."), "AID")
    assert (e["actor1"], e["actor2"], e["status"]) == ("Iran", "Sudan", "hypothetical")


def test_believing_an_action_happened_is_hypothetical(code):
    e = one(code("Western officials believe Belarus sent fuel to Russia in March."), "AID")
    assert (e["actor1"], e["status"]) == ("Belarus", "hypothetical")


def test_an_experts_forecast_is_no_event(code):
    events = code(
        "Anna Novak, an analyst at a Warsaw think tank, believes that Serbia is preparing to receive drones from China."
    )
    assert [e for e in events if e["actor1"] in ("Serbia", "China")] == []


# --- round 4: actor2 from the counterpart, destination, site; relative clauses ------------------------


def test_a_march_route_is_not_its_target(code):
    e = one(code("Thousands of nurses marched from Freedom Square to parliament in Tbilisi on Monday."), "PROTEST")
    assert (e["actor1_country"], e["actor2"]) == ("GEO", None)


def test_a_rally_outside_a_foreign_embassy_targets_its_state(code):
    e = one(code("Hundreds of students rallied outside the Chinese embassy in Manila on Friday."), "PROTEST")
    assert e["actor2_country"] == "CHN"


def test_a_deployment_from_the_capital_to_a_town_has_no_counterpart(code):
    e = one(code("The army deployed 600 troops from Nairobi to Lamu to restore order."), "MOBILIZE")
    assert e["actor2"] is None  # not Kenya (the capital it left), nor the town it went to
    e = one(code("The army deployed 250 soldiers from Lima to Juliaca to help restore order."), "MOBILIZE")
    assert e["actor2"] is None


def test_what_is_sent_from_one_state_to_another_names_the_receiver(code):
    e = one(code("Poland sent tanks from Germany to Ukraine in March."), "AID")
    assert (e["actor1"], e["actor2"]) == ("Poland", "Ukraine")


def test_recruiting_workers_from_abroad_names_their_state(code):
    e = one(code("Qatar plans to attract 5,000 workers from Nepal."), "MOBILIZE")
    assert (e["actor1"], e["actor2"], e["status"]) == ("Qatar", "Nepal", "planned")


def test_a_journey_to_meet_someone_names_whom_it_meets(code):
    e = one(code("Emmanuel Macron flew to Abuja on Tuesday to meet Bola Tinubu."), "CONSULT")
    assert (e["actor1"], e["actor2"]) == ("Emmanuel Macron", "Bola Tinubu")


def test_a_pronoun_in_a_whose_clause_refers_to_its_head(code):
    events = code(
        "Talks stalled with the Karen National Union, whose ceasefire collapsed after it attacked a Myanmar army post."
    )
    e = one(events, "ASSAULT")
    assert e["actor1"] == "Karen National Union"


def test_a_pronoun_after_a_where_clause_is_not_the_place(code):
    e = one(code("William Ruto arrived in Kampala, where he met with Yoweri Museveni."), "CONSULT")
    assert e["actor1"] == "William Ruto"


def test_a_present_tense_relative_clause_is_a_description(code):
    events = code("Qatar and Egypt, which guarantee the truce, praised Israel for releasing the prisoners.")
    assert "AGREE" not in {e["event_type"] for e in events} and "SUPPORT" in {e["event_type"] for e in events}
    assert "COOPERATE" not in {e["event_type"] for e in code("Kenya, which leads the mission, is sending more police.")}


def test_a_phone_call_with_a_counterpart_is_consult(code):
    e = one(code("Kenyan President William Ruto spoke by telephone with Yoweri Museveni on Sunday."), "CONSULT")
    assert (e["actor1"], e["actor2"]) == ("William Ruto", "Yoweri Museveni")


def test_a_habit_in_a_present_tense_relative_clause_is_no_event(code):
    events = code("India urged Pakistan to act against militants who use its territory to launch attacks on Kashmir.")
    assert {e["event_type"] for e in events} == {"REQUEST"}


def test_an_accepted_invitation_names_the_host_of_the_visit(code):
    e = one(code("Kenyan President William Ruto accepted an invitation to visit Angola."), "AGREE")
    assert (e["actor1"], e["actor2"]) == ("William Ruto", "Angola")


def test_a_signed_deal_names_the_receiver_of_what_it_supplies(code):
    e = one(code("Azerbaijan signed a deal to supply gas to Hungary."), "AGREE")
    assert (e["actor1"], e["actor2"]) == ("Azerbaijan", "Hungary")


def test_what_is_agreed_with_someone_names_the_counterpart(code):
    e = one(code("Israel agreed to a ceasefire with Hamas on Wednesday, Qatari mediators said."), "AGREE")
    assert (e["actor1"], e["actor2"]) == ("Israel", "Hamas")
    e = one(code("Mexico agreed to a new trade pact with Canada."), "AGREE")
    assert (e["actor1"], e["actor2"]) == ("Mexico", "Canada")


def test_a_temporal_phrase_is_not_what_is_agreed(code):
    # "after talks with X" dates the act; X is not its counterpart
    e = one(code("Kenya agreed to send police to Haiti after talks with Ghana."), "AGREE")
    assert e["actor2"] != "Ghana"


def test_an_attacked_facility_of_a_state_stands_for_its_owner(code):
    events = code(
        "BOGOTA, Colombia — Rebels attacked an army base in Cauca on Monday, killing two soldiers.\n\n"
        "Gunmen attacked a police station in Kunduz, Afghanistan, on Friday.\n\n"
        "Jihadists stormed a military base near Mopti in Mali overnight."
    )
    hits = [(e["actor2"], e["actor2_country"]) for e in events if e["event_type"] == "ASSAULT"]
    assert ("Colombian army", "COL") in hits
    assert ("Afghan police", "AFG") in hits
    assert ("Malian army", "MLI") in hits


def test_a_state_craft_named_by_its_demonym_stands_for_the_state(code):
    events = code(
        "MANILA, Philippines — Chinese coast guard ships fired water cannon at a Philippine supply boat on Saturday."
    )
    e = one(events, "ASSAULT")
    assert (e["actor1_country"], e["actor2"]) == ("CHN", "Philippines")
