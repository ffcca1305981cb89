"""The CAMEO/Phoenix importer: parsers on real excerpts, determinism, hand-written wins, typed dictionaries,
discards, dated roles, and sentences that only the imported vocabulary codes."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from transforms import cameo
from transforms.lexicon import DICTIONARY_DIR, ActorEntry, DictionaryError, Role, load_lexicon, role_at

C2P = """\
# CAMEO to PLOVER conversion table
14: PROTEST
143: PROTEST, boycott ,      # Conduct strike or boycott
0871: RETREAT, ceasefire, military # Declare truce, ceasefire
173: COERCE, arrest, legal            # Arrest, detain, or charge with legal action
18: ASSAULT
180: ASSAULT, ,    # Use unconventional violence
190: ASSAULT, , military # Use conventional military force
175: ASSAULT, pro_autocracy , military # Use violent repression
175: ASSAULT, pro_autocracy , military # Use tactics of violent repression
09: ACCUSE
090: ACCUSE, investigate,  # Investigate
"""

VERBS = """\
&CEASEFIRE
+CEASEFIRE
+TRUCE
+CEASE_FIRE

####### VERB PATTERNS #######

---  ARRANGE   [---]  ---
ARRANGE
PUT {PUTS PUTTING }  # HUX 11/26/97
SET
STAGE
- * &CEASEFIRE                                        [0871]        # ARRANGE
- * STRIKE                                            [143]         # STAGE
- * FIRE (TO FLAG)                                    [140]         # SET
- * FIRE                                              [180]         # SET
- * (ON TRIAL)                                        [173]         # PUT
- &AIRCRAFT * RAID                                    [195]         # STAGE
- * OFF (FOR)                                         [042:043]     # SET
- * (BEFORE COURT)                                    [:173]        # APPEAR

---  ASK   [---]  ---
+ASK_FOR {+ASKED_FOR +ASKING_FOR +ASKS_FOR} [020]
ASK     [020]
INTERROGATE [090]
- * ARREST                                            [020]         # REQUEST
"""

ACTORS = """\
AFGHANISTAN_  [AFG]
+AFGHAN_
+KABUL_

AFGHAN_NATIONAL_SECURITY_FORCES
+ANSF
+AFGHAN_NATIONAL_ARMY
\t[AFGMIL]

HAMID_KARZAI_  # CountryInfo.txt
+KARZAI_
+PRESIDENT_KARZAI_
\t[AFGELI 870930-011221]
\t[AFGGOV 011222-140929]
\t[AFGELI >140930]
U.N._

SECRETARY-GENERAL_BAN_KI-MOON
+BAN_KI-MOON
\t[IGOUNO >20070101]
\t[KORGOVBUS 2004017-20061201]
"""

AGENTS = """\
!PERSON! = MAN, MEN, WOMAN, WOMEN, PERSON
CATTLE!PERSON! [~AGR]
POLICE {} [~COP]
RIOTER [~CVL]
ATTORNEY_GENERAL {ATTORNEYS_GENERAL} [~GOVATG]
HUMAN_RIGHTS_BODY  [NGO~] # BNL 07 Dec 2001
"""

DISCARDS = """\
+ACADEMY AWARD   # LRP 08 Mar 2004
WORLD CUP   # x
BOXING  # MleH 28 Jul 2009
CUP_
"""


def test_cameo2plover_table():
    table = cameo.parse_cameo2plover(C2P)
    assert table["0871"] == cameo.PloverCode("RETREAT", "ceasefire", "military")
    assert table["14"].event_type == "PROTEST" and table["14"].mode is None
    assert cameo.plover_for("1431", table).event_type == "PROTEST"  # nearest listed parent
    assert cameo.plover_for("020", table) is None  # CAMEO 02 has no PLOVER line: not guessed


def test_verb_patterns_map_onto_dependency_shapes():
    blocks = cameo.parse_verbs(VERBS)
    assert [b.head for b in blocks] == ["arrange", "ask"]
    verbs, phrases = cameo.verb_vocabulary(blocks, cameo.parse_cameo2plover(C2P))
    assert phrases[("stage", "strike")].event_type == "PROTEST"
    assert phrases[("arrange", "truce")].event_type == "RETREAT"  # synset member in the object slot
    assert phrases[("put", "trial")].event_type == "COERCE"  # verb + prepositional object
    # the exact pattern (* FIRE) decides over the one with an extra phrase (* FIRE (TO FLAG))
    assert phrases[("set", "fire")].event_type == "ASSAULT"
    # a pattern names its verb: "stage strike" is not spread to "put strike"
    assert ("put", "strike") not in phrases
    # pre-verb nouns need a constituency tree; passive-only codes are dropped
    assert ("stage", "raid") not in phrases
    assert verbs["interrogate"].event_type == "ACCUSE"
    assert "ask" not in verbs  # CAMEO 020 (appeal) has no PLOVER type in the table
    assert ("ask", "for") not in phrases


def test_actor_records_with_dated_roles():
    records = cameo.parse_actors(ACTORS)
    names = [r.name for r in records]
    assert names == ["AFGHANISTAN", "AFGHAN NATIONAL SECURITY FORCES", "HAMID KARZAI", "SECRETARY-GENERAL BAN KI-MOON"]
    karzai = records[2]
    assert karzai.aliases == ("KARZAI", "PRESIDENT KARZAI")
    assert karzai.roles[1] == cameo.Role("AFGGOV", date(2001, 12, 22), date(2014, 9, 29))
    assert karzai.roles[2].start == date(2014, 9, 30) and karzai.roles[2].end is None
    assert [r.code for r in records[3].roles] == ["IGOUNO"]  # the malformed 7-digit date is dropped

    actors = cameo.actor_vocabulary(records, "countries", frozenset({"AFG", "KOR"}), frozenset({"forces"}), frozenset())
    by_name = {a.name: a for a in actors}
    assert "Afghanistan" not in by_name  # a bare country code is a state: states.yaml has it
    assert by_name["Afghan National Security Forces"].actor_type == "organization"
    assert by_name["Hamid Karzai"].actor_type == "person" and by_name["Hamid Karzai"].country == "AFG"
    assert by_name["Secretary-General Ban Ki-Moon"].country is None  # IGO role: no country


STATES = """\
NEW_ZEALAND_  [NZL]
+NEW_ZEALANDER_
+NEW_ZEELAND_
+KIWI_
+WELLINGTON_
+AUCKLAND_
+CHRISTCHURCH_
+BAY_OF_PLENTY_
+COOK_STRAIT_
+WELSHMAN_

NIGERIA_  [NGA]
+NIGERIAN_
+NIGERIE_
+LAGOS_
+PORT_HARCOURT_
+SANTIAGO_DE_NIGERIA_
+CHRISTCHURCH_

OLUSEGUN_OBASANJO_
\t[NGAGOV 990529-070529]
"""


def test_places_of_a_state_record_are_its_cities_and_regions():
    names = {
        "NZL": frozenset({"new zealand", "new zealander", "new zealanders"}),
        "NGA": frozenset({"nigeria", "nigerian"}),
    }
    known = frozenset({"lagos", "kiwi", *names["NZL"], *names["NGA"]})
    places = cameo.state_places(cameo.parse_actors(STATES), frozenset({"NZL", "NGA"}), names, known)
    assert [(p.name, p.country) for p in places] == [
        ("Auckland", "NZL"),
        ("Bay Of Plenty", "NZL"),
        ("Cook Strait", "NZL"),
        ("Port Harcourt", "NGA"),
        ("Wellington", "NZL"),
    ]
    # not: spellings of the state's name ("New Zeeland", "Nigerie"), demonyms ("Welshman"), names the hand-written
    # dictionaries know ("Lagos", "Kiwi"), a name holding a state's name ("Santiago De Nigeria"), a surface two
    # states list ("Christchurch"), a person's record (Obasanjo)


def test_other_spellings_of_a_state_name_are_its_aliases():
    records = cameo.parse_actors(STATES + "\nQATAR_  [QAT]\n+QUATAR_\n+QATARI_\n+QATARIAN_\n+DOHA_\n")
    names = {"NZL": frozenset({"new zealand"}), "NGA": frozenset({"nigeria"}), "QAT": frozenset({"qatar"})}
    demonyms = {"NZL": frozenset({"new zealander"}), "NGA": frozenset({"nigerian"}), "QAT": frozenset({"qatari"})}
    out = cameo.state_spellings(records, frozenset({"NZL", "NGA", "QAT"}), names, demonyms, frozenset({"qatari"}))
    assert out == {"New Zeeland": "NZL", "Nigerie": "NGA", "Quatar": "QAT"}
    # not a city ("Doha", "Auckland"), a demonym ("New Zealander", "Qatarian"), a known surface ("Qatari")


def test_a_misspelt_state_is_the_state(code):
    events = code("Ethopia has agreed to reopen its borders to UN peacekeepers deployed in the region.")
    assert any(e["event_type"] == "AGREE" and e["actor1_country"] == "ETH" for e in events)


def test_one_word_aliases_that_are_english_words_are_dropped():
    rec = cameo.ActorRecord("GEORGE BUSH", ("BUSH",), (cameo.Role("USAGOV"),))
    (actor,) = cameo.actor_vocabulary([rec], "countries", frozenset({"USA"}), frozenset(), frozenset({"bush"}))
    assert actor.name == "George Bush" and actor.aliases == ()


def test_ambiguous_surfaces_name_nobody():
    a = cameo.ImportedActor("National Assembly", "organization", "KEN", ("Kenyan Parliament",))
    b = cameo.ImportedActor("National Assembly", "organization", "NGA")
    out = cameo.drop_ambiguous([a, b])
    assert [(x.name, x.country) for x in out] == [("Kenyan Parliament", "KEN")]


def test_agents_with_plurals_and_substitutions():
    sectors = cameo.agent_sectors(cameo.parse_agents(AGENTS))
    assert sectors["police"] == "COP" and "polices" not in sectors
    assert sectors["rioter"] == sectors["rioters"] == "CVL"
    assert sectors["attorneys general"] == "GOV"
    assert sectors["cattlewomen"] == "AGR"
    assert sectors["human rights bodies"] == "NGO"


def test_discard_phrases():
    found = {d.phrase: d for d in cameo.parse_discards(DISCARDS)}
    assert found["academy award"].story and not found["world cup"].story
    assert found["cup"].whole_word and not found["boxing"].whole_word


def _fixture_inputs(folder: Path) -> tuple[Path, Path]:
    src = folder / "cameo"
    src.mkdir()
    (src / "CAMEO.2.0.txt").write_text(VERBS)
    (src / "Phoenix.Countries.actors.txt").write_text(ACTORS)
    (src / "Phoenix.International.actors.txt").write_text("")
    (src / "Phoenix.MilNonState.actors.txt").write_text("TALIBAN_ [AFGREB]\n+TALIBAN_MILITANTS_\n")
    (src / "Phoenix.agents.txt").write_text(AGENTS)
    (src / "Phoenix.discards.txt").write_text(DISCARDS)
    (src / "LICENSE").write_text("The MIT License (MIT)\n")
    c2p = folder / "CAMEO2PLOVER-2021.txt"
    c2p.write_text(C2P)
    return src, c2p


def test_the_english_word_list_comes_from_the_loaded_pipeline():
    """The model's WordNet index is read through the pipeline `load_nlp` builds (its lemmatizer is wrapped)."""
    from flows import import_cameo

    words = import_cameo._common_words()
    assert {"protest", "arrest", "truce"} <= words


def test_importer_command_is_deterministic_and_its_output_loads(tmp_path, monkeypatch):
    """The command run twice writes the same bytes (one build each: the determinism check and the command's
    files in one), with the licence beside them; what it wrote loads through the typed models."""
    from flows import import_cameo

    src, c2p = _fixture_inputs(tmp_path)
    out = tmp_path / "out"
    monkeypatch.setattr(import_cameo, "_common_words", frozenset)  # the model's word list is not needed here
    assert import_cameo.main([str(src), str(c2p), "--out", str(out), "--verbs"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert import_cameo.main([str(src), str(c2p), "--out", str(out), "--verbs"]) == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert (out / "LICENSE").exists()
    first = {p.name: p.read_text() for p in out.glob("*.yaml")}
    assert {"actors.yaml", "agents.yaml", "discards.yaml", "verbs.yaml"} <= set(first)
    assert all("MIT" in text.splitlines()[3] for text in first.values())  # the header names the licence
    assert "CC BY-SA 4.0" in first["verbs.yaml"]
    # the output loads through the typed models next to the hand-written dictionaries
    dicts = tmp_path / "dicts"
    shutil.copytree(DICTIONARY_DIR, dicts, ignore=shutil.ignore_patterns("cameo"))
    (dicts / "cameo").mkdir()
    for name, text in first.items():
        (dicts / "cameo" / name).write_text(text)
    lex = load_lexicon(dicts)
    assert lex.phrases[("arrange", "truce")].event_type == "RETREAT"
    assert "interrogate" not in lex.verbs  # verbs alone are not written (measured: they cost precision)
    karzai = next(a for a in lex.actors if a.name == "Hamid Karzai")
    assert karzai.imported and role_at(karzai, date(2005, 3, 1)).code == "AFGGOV"
    assert lex.agent_sectors["rioters"] == "CVL"


def _dicts(tmp_path: Path, **files: str) -> Path:
    d = tmp_path / "d"
    (d / "cameo").mkdir(parents=True)
    for name, text in files.items():
        (d / name.replace("__", "/")).write_text(text)
    return d


def test_hand_written_entries_win(tmp_path):
    d = _dicts(
        tmp_path,
        **{
            "verbs.yaml": "verbs: {arrest: COERCE}\nnouns: {strike: PROTEST}\nlight_verbs: [stage]\n",
            "groups.yaml": "group_nouns: [protesters]\nsectors: {rioters: OPP}\n",
            "persons.yaml": "- {name: Hamid Karzai, country: AFG, title: president}\n",
            "cameo__verbs.yaml": (
                'verbs:\n  "arrest": {"type": "ASSAULT", "cameo": "175"}\n'
                '  "shell": {"type": "ASSAULT", "cameo": "194"}\n'
                'phrases:\n  "arrest protester": {"type": "ASSAULT", "cameo": "175"}\n'
                '  "stage strike": {"type": "ASSAULT", "cameo": "190"}\n'
                '  "impose curfew": {"type": "COERCE", "mode": "curfew", "cameo": "1723"}\n'
            ),
            "cameo__agents.yaml": 'sectors:\n  "rioters": "CVL"\n  "police": "COP"\n',
            "cameo__actors.yaml": (
                'actors:\n  - {"name": "Hamid Karzai", "type": "person", "country": "AFG", "aliases": ["Karzai"],'
                ' "roles": [{"code": "AFGGOV", "start": "2001-12-22", "end": "2014-09-29"}]}\n'
            ),
        },
    )
    lex = load_lexicon(d)
    assert lex.verbs["arrest"].event_type == "COERCE"  # the hand-written verb
    assert lex.verbs["shell"].event_type == "ASSAULT"  # imported, not hand-written
    assert ("arrest", "protester") not in lex.phrases  # CAMEO codes the victim in the event; PLOVER does not
    assert ("stage", "strike") not in lex.phrases  # light verb + event noun: the grammar's rule decides
    assert lex.phrases[("impose", "curfew")].event_type == "COERCE"
    assert lex.agent_sectors == {"rioters": "OPP", "police": "COP"}
    karzais = [a for a in lex.actors if a.name == "Hamid Karzai"]
    assert len(karzais) == 1 and karzais[0].title == "president" and not karzais[0].imported
    assert role_at(karzais[0], date(2010, 1, 1)).code == "AFGGOV"  # the hand-written entry gets the roles


@pytest.mark.parametrize(
    ("name", "text", "key"),
    [
        ("verbs.yaml", "verbs: {meet: CONSULT}\nverbz: {talk: CONSULT}\n", "verbz"),
        ("persons.yaml", "- {name: Ali Bongo, country: GAB, titel: president}\n", "titel"),
        ("verbs.yaml", "verbs: {meet: {type: CONSULT, mood: phone}}\n", "mood"),
        ("groups.yaml", "hedges: [reportedly]\n", "hedges"),
    ],
)
def test_unknown_keys_are_rejected_with_one_line(tmp_path, name, text, key):
    d = _dicts(tmp_path, **{name: text})
    with pytest.raises(DictionaryError) as err:
        load_lexicon(d)
    message = str(err.value)
    assert "\n" not in message and name in message and repr(key) in message


def test_role_at_dates():
    entry = ActorEntry(
        "Hamid Karzai",
        "person",
        "AFG",
        roles=(
            Role("AFGELI", "AFG", "ELI", date(1987, 9, 30), date(2001, 12, 21)),
            Role("AFGGOV", "AFG", "GOV", date(2001, 12, 22), date(2014, 9, 29)),
            Role("AFGELI", "AFG", "ELI", date(2014, 9, 30), None),
        ),
    )
    assert role_at(entry, date(1995, 6, 1)).sector == "ELI"
    assert role_at(entry, date(2008, 6, 1)).sector == "GOV"
    assert role_at(entry, date(2020, 6, 1)).start == date(2014, 9, 30)
    assert role_at(entry, date(1950, 1, 1)) is None
    assert (
        role_at(ActorEntry("Ansf", "organization", "AFG", roles=(Role("AFGMIL"),)), date(2020, 1, 1)).code == "AFGMIL"
    )


def test_checked_in_vocabulary(lex):
    """The imported files are checked in: a fresh clone codes with them without ../shared."""
    assert len(lex.actors) > 10_000 and lex.agent_sectors["police"] == "COP"
    assert lex.verb_lists["light_verbs"] and lex.verb_maps["object_actor"]  # the grammar's classes still load
    assert (DICTIONARY_DIR / "cameo" / "LICENSE").read_text().startswith("The MIT License")


def test_discarded_sentences(lex):
    from transforms.discards import discarded, story_discarded

    assert discarded("Brazil beat Argentina 2-1 in the World Cup final in Rio on Sunday.", lex)
    assert discarded("The Kenyan boxing team won three medals in Nairobi.", lex)
    assert not discarded("Police arrested 40 protesters in Lagos on Tuesday.", lex)
    assert not discarded("Thai troops shelled Cambodian positions near the border.", lex)
    assert story_discarded("Crowds filled Melbourne Park for the Australian Open final.", lex)
    assert not story_discarded("The film won an Academy Award in Los Angeles.", lex)  # a sentence-level discard


def test_run_with_a_bad_dictionary_fails_with_one_line(tmp_path):
    from typer.testing import CliRunner

    from flows.cli import app

    d = _dicts(tmp_path, **{"groups.yaml": "group_nouns: [rioters]\nsector: {rioters: CVL}\n"})
    result = CliRunner().invoke(app, ["run", "--db", str(tmp_path / "w.duckdb"), "--dictionaries", str(d)])
    assert result.exit_code == 2
    assert "groups.yaml" in result.output and "'sector'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("text", "event_type", "countries"),
    [
        ("Evo Morales met Hugo Chavez in Caracas on Monday.", "CONSULT", ("BOL", "VEN")),
        ("Mwai Kibaki accused Yoweri Museveni of arming rebels.", "ACCUSE", ("KEN", "UGA")),
        ("Paul Kagame visited Jacob Zuma in Pretoria on Tuesday.", "CONSULT", ("RWA", "ZAF")),
        ("Hun Sen criticised Thaksin Shinawatra on Friday.", "ACCUSE", ("KHM", "THA")),
        ("Hosni Mubarak hosted Nicolas Sarkozy in Cairo.", "CONSULT", ("EGY", "FRA")),
        ("Pervez Musharraf praised Hamid Karzai in Islamabad.", "SUPPORT", ("PAK", "AFG")),
        ("Goodluck Jonathan urged Mahmoud Abbas to resume talks.", "REQUEST", ("NGA", "PSE")),
        ("The Free Syrian Army attacked a checkpoint near Aleppo.", "ASSAULT", ("SYR", None)),
    ],
)
def test_imported_actors_code_sentences_from_many_countries(code, text, event_type, countries):
    """Leaders and armed groups that only the imported Phoenix actors know give the event its countries."""
    events = [e for e in code(text, "2009-05-01") if e["event_type"] == event_type]
    assert events, text
    assert (events[0]["actor1_country"], events[0]["actor2_country"]) == countries
