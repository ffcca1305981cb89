"""Event grammar on short news-style sentences: triggers, types, roles, status, chains, non-events.

Each sentence is written for this test (not taken from the gold files); the assertions say what an
analyst would code by the guideline (../shared/spec/events.md).
"""

from __future__ import annotations

import pytest

from tests.conftest import one, only


def types(events) -> list[str]:
    return sorted(e["event_type"] for e in events)


# --- roles -----------------------------------------------------------------------------------------


def test_active_voice_subject_acts_on_the_recipient(code):
    e = only(code("Germany sent tanks to Ukraine."), "AID")
    assert (e["actor1"], e["actor2"], e["status"]) == ("Germany", "Ukraine", "asserted")


def test_passive_voice_by_agent_acts(code):
    e = only(code("Three fishing boats were seized by Japan near the disputed islands."), "COERCE")
    assert e["actor1"] == "Japan"


def test_passive_engaged_in_an_event_noun_the_subject_acts(code):
    e = only(code("Turkish troops were engaged in heavy fighting near the Syrian border."), "ASSAULT")
    assert (e["actor1"], e["actor1_country"]) == ("Turkish soldiers", "TUR")


def test_verb_the_lemmatizer_misreads_is_still_found(code):
    # the model lemmatizes "staged" as "stag": the vocabulary's base form is used instead
    e = only(code("Kenyan nurses staged a hunger strike outside the ministry on Monday."), "PROTEST")
    assert (e["actor1"], e["actor1_country"]) == ("Kenyan nurses", "KEN")


def test_light_verb_with_coordinated_objects_finds_the_event_noun(code):
    e = only(code("Chadian troops launched mortar and rocket fire against the rebel camp."), "ASSAULT")
    assert e["actor1_country"] == "TCD"


def test_demonym_tagged_as_a_person_is_no_person(code):
    events = code("President Paul Biya has banned Cameroonian opposition candidates from the vote.")
    e = only(events, "SANCTION")
    assert (e["actor2"], e["actor2_country"]) == ("Cameroonian opposition candidates", "CMR")


def test_coordinated_subjects_give_both_sides(code):
    e = only(code("Brazil and Argentina met in Buenos Aires on Monday."), "CONSULT")
    assert {e["actor1"], e["actor2"]} == {"Brazil", "Argentina"}


def test_coordinated_verbs_share_the_subject(code):
    events = code("Poland condemned the raid and recalled its ambassador from Belarus.")
    assert types(events) == ["ACCUSE", "SANCTION"]
    assert {e["actor1"] for e in events} == {"Poland"}


def test_pronoun_in_reported_clause_is_the_speaker(code):
    e = only(code("Norway said it had expelled three Russian diplomats."), "SANCTION")
    assert e["actor1"] == "Norway" and e["actor1_country"] == "NOR"


def test_counterpart_after_with(code):
    e = only(code("India held talks with China in New Delhi."), "CONSULT")
    assert (e["actor1"], e["actor2"]) == ("India", "China")


# --- chains (rule 7) -------------------------------------------------------------------------------


def test_intent_verb_hands_type_to_the_action(code):
    e = only(code("China plans to deploy more warships near Taiwan."), "MOBILIZE")
    assert e["actor1"] == "China" and e["status"] == "planned"
    assert e["trigger"].startswith("plans to deploy")


def test_agree_verb_makes_agree(code):
    e = only(code("Japan agreed to provide loans to India."), "AGREE")
    assert (e["actor1"], e["status"]) == ("Japan", "planned")


@pytest.mark.parametrize(
    ("sentence", "event_type", "actor2"),
    [
        ("Russia threatened to cut gas supplies to Moldova.", "THREATEN", "Moldova"),
        ("Hungary refused to send weapons to Ukraine.", "REJECT", "Ukraine"),
        ("France urged Iran to release the detained journalists.", "REQUEST", "Iran"),
        ("Ukraine accused Russia of shelling a hospital.", "ACCUSE", "Russia"),
    ],
)
def test_speech_act_governor_owns_the_event_and_its_content_is_not_coded(code, sentence, event_type, actor2):
    e = only(code(sentence), event_type)
    assert e["actor2"] == actor2


def test_oath_with_hostile_action_is_a_threat(code):
    e = only(code("Iran vowed to attack Israel."), "THREATEN")
    assert e["actor1"] == "Iran"


def test_preparing_an_assault_is_mobilize(code):
    e = only(code("Russian forces are preparing to attack the city of Kharkiv."), "MOBILIZE")
    assert e["status"] == "planned"


def test_willingness_to_act_is_agree(code):
    e = only(code("Vietnam and Laos showed their willingness to expand military cooperation."), "AGREE")
    assert e["status"] == "planned" and {e["actor1"], e["actor2"]} == {"Vietnam", "Laos"}


# --- light verbs and phrases -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "event_type", "trigger"),
    [
        ("Vladimir Putin paid a visit to Turkey.", "CONSULT", "paid a visit"),
        ("Poland and Lithuania signed a defence treaty.", "AGREE", "signed a defence treaty"),
        ("Egypt launched a mediation effort between Israel and Hamas.", "CONSULT", "launched a mediation effort"),
        ("Belarus took part in battles near Kyiv.", "ASSAULT", "took part in battles"),
        ("Lithuania suspended talks with Belarus.", "SANCTION", "suspended talks"),
        ("The United States lifted sanctions on Venezuela.", "CONCEDE", "lifted sanctions"),
        ("Pakistan imposed a curfew in the city of Quetta.", "COERCE", "imposed a curfew"),
        ("Iran called on Iraq to close the border.", "REQUEST", "called on"),
    ],
)
def test_light_verbs_and_phrases(code, sentence, event_type, trigger):
    e = only(code(sentence), event_type)
    assert e["trigger"] == trigger


def test_object_decides_between_visit_and_support(code):
    assert only(code("Mexico welcomed the decision of Canada."), "SUPPORT")["actor1"] == "Mexico"
    e = only(code("Vietnam received Kim Jong Un in Hanoi."), "CONSULT")
    assert e["actor2"] == "Kim Jong Un"
    assert code("Vietnam received a large shipment of rice.") == []


# --- status the event rules set (rule 6; the trigger chain's own: test_status.py) ------------------


def test_denying_a_claim_is_reject(code):
    e = only(code("China denied the allegations."), "REJECT")
    assert e["status"] == "asserted"


def test_conditional_hostile_plan_is_a_threat(code):
    e = only(code("Turkey said it will close its border unless Syria withdraws its troops."), "THREATEN")
    assert e["actor1"] == "Turkey" and e["status"] == "planned"


def test_action_in_a_condition_is_hypothetical(code):
    e = only(code("If Serbia attacks Kosovo, the war could spread."), "ASSAULT")
    assert e["status"] == "hypothetical"


def test_demand_voiced_with_must(code):
    e = only(code("Germany said Hungary must lift its veto."), "REQUEST")
    assert (e["actor1"], e["actor2"]) == ("Germany", "Hungary")


# --- not events (rule 2) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Russia has the largest gas reserves in the world.",
        "Japan released a report on the economy.",
        "China demonstrated its resolve.",
        "Iran sent a message to the summit.",
    ],
)
def test_not_events(code, sentence):
    assert code(sentence) == []


def test_reciprocal_event_noun_as_subject(code):
    e = only(code("An agreement between Japan and India was not announced after the summit."), "AGREE")
    assert (e["actor1"], e["actor2"], e["status"]) == ("Japan", "India", "negated")
    e = only(code("Talks between Serbia and Kosovo were progressing slowly."), "CONSULT")
    assert {e["actor1"], e["actor2"]} == {"Serbia", "Kosovo"}


def test_forecast_about_a_meeting_is_not_an_event(code):
    assert code("The meeting between Serbia and Kosovo could focus on trade.") == []


def test_oath_parsed_as_adverbial_clause_still_governs(code):
    e = only(code("Iran has sworn to fight until the occupation ends."), "THREATEN")
    assert e["actor1"] == "Iran"


def test_main_verb_left_without_subject_takes_the_names_before_it(nlp, lex):
    # the parser attached the subject as an apposition ("…for both sides, Lula and Xi showed…"): the actor
    # names right after the comma are the subject (a hand-built parse of that error)
    from spacy.tokens import Doc

    from transforms.actors import Actor, Mention
    from transforms.events import subjects

    words = ["Talks", "for", "both", "sides", ",", "Lula", "and", "Xi", "signed", "a", "pact", "."]
    heads = [8, 0, 3, 1, 3, 3, 5, 5, 8, 10, 8, 8]
    deps = ["nsubj", "prep", "det", "pobj", "punct", "appos", "cc", "conj", "ROOT", "det", "dobj", "punct"]
    pos = ["NOUN", "ADP", "DET", "NOUN", "PUNCT", "PROPN", "CCONJ", "PROPN", "VERB", "DET", "NOUN", "PUNCT"]
    doc = Doc(nlp.vocab, words=words, heads=heads, deps=deps, pos=pos, sent_starts=[True] + [False] * 11)
    lula, xi = Actor("Lula da Silva", "person", "BRA"), Actor("Xi Jinping", "person", "CHN")
    by_token = {5: Mention(5, 6, lula, "Lula", "ner"), 7: Mention(7, 8, xi, "Xi", "ner")}
    assert subjects(doc[8], by_token, lex)[0] == []  # "Talks" is its subject: nothing stranded
    deps[0] = "npadvmod"  # the parse error: no subject left on the verb
    doc = Doc(nlp.vocab, words=words, heads=heads, deps=deps, pos=pos, sent_starts=[True] + [False] * 11)
    assert [m.actor for m in subjects(doc[8], by_token, lex)[0]] == [lula, xi]


def test_refusing_to_accept_is_a_rejection(code):
    e = only(code("Bolivia will not accept the new gas price set by Brazil."), "REJECT")
    assert (e["actor1"], e["status"]) == ("Bolivia", "asserted")
    assert only(code("Bolivia accepted the new gas price."), "AGREE")["status"] == "asserted"


def test_participle_describing_a_noun_is_no_event(code):
    events = code("Somali militants armed with rifles attacked a police station in Mogadishu.")
    assert only(events, "ASSAULT")["actor1"] == "Somali militants"


def test_third_person_pronoun_inside_a_quote_is_not_the_speaker(code):
    events = code("“They are sending drones to Russia every week,” Volodymyr Zelensky said on Sunday.")
    assert not [e for e in events if e["event_type"] == "AID"], events  # not an AID by Zelenskyy


def test_content_of_a_request_with_an_unknown_speaker_is_not_coded_alone(code):
    assert code("“We keep urging Iran to stop supplying drones to Russia,” the spokesman added.") == []


# --- trigger words ---------------------------------------------------------------------------------


def test_trigger_keeps_the_chain_but_not_the_reporting_verb(code):
    e = only(code("Officials in Seoul said that Japan has agreed to ship rice to the Philippines."), "AGREE")
    assert e["trigger"] == "agreed to ship"
    e = only(code("The ministry reported that Turkey has delivered drones to Azerbaijan."), "AID")
    assert e["trigger"] == "delivered"


# --- agentless passives ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "event_type", "actor2_country"),
    [
        ("At least 40 teachers were arrested in Nairobi on Monday, the union said.", "COERCE", "KEN"),
        ("Three Iraqi civilians have been killed in a car bombing in central Baghdad.", "ASSAULT", "IRQ"),
        ("Two Peruvian journalists were abducted near the Ecuadorian border.", "COERCE", "PER"),
    ],
)
def test_agentless_passive_codes_the_act_with_no_doer(code, sentence, event_type, actor2_country):
    e = only(code(sentence), event_type)
    assert (e["actor1"], e["actor2_country"]) == (None, actor2_country)


def test_agentless_passive_is_the_same_act_as_the_named_one(code):
    events = code("Five people were killed when Bangladeshi police opened fire on protesters in Dhaka.")
    e = only(events, "ASSAULT")
    assert e["actor1_country"] == "BGD"


def test_agentless_passive_in_a_relative_clause_is_background(code):
    events = code("Serbia lifted a curfew in the province, where 28 people have been killed in riots this year.")
    assert "ASSAULT" not in types(events)


def test_main_verb_after_a_dateline_is_not_a_participle(code):
    # the parser hangs the subject on the dateline and reads the verb as its participle
    events = code("QUITO, Ecuador — Ecuador's indigenous confederation threatened on Sunday to block roads.")
    assert only(events, "THREATEN")["actor1_country"] == "ECU"


def test_tear_gas_is_force_against_the_crowd_and_the_coordinated_arrest_stays(code):
    events = code("Riot police fired tear gas to disperse the crowd and arrested 60 people in Lusaka.")
    assert types(events) == ["ASSAULT", "COERCE"]
    e = next(e for e in events if e["event_type"] == "ASSAULT")
    assert (e["actor1_country"], e["actor2_country"]) == ("ZMB", "ZMB")


@pytest.mark.parametrize(
    ("sentence", "event_type", "actor1", "actor2"),
    [
        ("Ukraine received weapons from Poland on Monday.", "AID", "Poland", "Ukraine"),
        ("Sudan received 20 tonnes of food aid from Egypt.", "AID", "Egypt", "Sudan"),
        ("Nepal received 5,000 tents from India after the earthquake.", "AID", "India", "Nepal"),
    ],
)
def test_receiver_subject_the_giver_acts(code, sentence, event_type, actor1, actor2):
    e = only(code(sentence), event_type)
    assert (e["actor1"], e["actor2"]) == (actor1, actor2)


def test_receiving_something_not_given_is_no_aid(code):
    assert "AID" not in types(code("Colombia received a letter from Venezuela."))


def test_money_deposited_in_a_central_bank_is_aid(code):
    e = only(code("Saudi Arabia has deposited $2 billion in Pakistan's central bank."), "AID")
    assert e["actor1"] == "Saudi Arabia"


def test_lifting_a_military_blockade_is_a_retreat_and_lifting_a_curfew_a_concession(code):
    e = only(code("The Moroccan army lifted a blockade on the border crossing on Friday."), "RETREAT")
    assert e["actor1_country"] == "MAR"
    assert only(code("Peru lifted the curfew in Lima."), "CONCEDE")["actor1"] == "Peru"


def test_receiving_observers_is_the_hosts_retreat(code):
    e = only(code("Bolivia received a mission of observers from the European Union on Monday."), "RETREAT")
    assert (e["actor1"], e["actor2"]) == ("Bolivia", "European Union")


def test_the_name_nearest_the_head_is_the_actor_not_its_owner(code):
    e = only(code("Russia's Wagner group attacked a village in central Mali."), "ASSAULT")
    assert e["actor1"] == "Wagner Group"
    e = only(code("Osama bin Laden's al-Qaeda network threatened to attack the United States."), "THREATEN")
    assert e["actor1"] == "al-Qaeda"


def test_a_finite_verb_coordinated_with_a_purpose_is_its_own_act(code):
    events = code("Police fired tear gas to disperse the crowd and arrested 60 people in Harare, a spokesman said.")
    assert types(events) == ["ASSAULT", "COERCE"]
    assert all(e["actor1_country"] == "ZWE" for e in events)


def test_evacuating_the_hurt_is_aid_and_evacuating_a_town_a_retreat(code):
    e = one(code("Turkish helicopters evacuated the wounded from the town of Afrin on Friday."), "AID")
    assert (e["actor1_country"], e["mode"]) == ("TUR", "humanitarian")
    assert one(code("The Red Cross evacuated hundreds of civilians from Mariupol."), "AID")["mode"] == "humanitarian"
    assert {e["event_type"] for e in code("Ukrainian troops evacuated the town of Avdiivka.")} == {"RETREAT"}
