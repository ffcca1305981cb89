"""spaCy doc → actor mentions, normalised within the article.

In: the spaCy docs of one article and the `Lexicon`. Out: `Mention`s (token
span → canonical `Actor`). Canonical actors come from three places:

* the dictionaries (states with aliases and capitals, organisations, persons);
* demonym phrases: "North Korean soldiers" → group actor with country PRK,
  "North Korean authorities" → the state North Korea (guideline rule 3),
  "the Russians" → Russia;
* NER persons and organisations not in the dictionaries, normalised across the
  article ("Kim Jong-un", "Jong-un", "Kim" → one person) and given a country
  from their title or demonym ("Russian Defense Minister Sergei Shoigu" → RUS),
  and role references ("the North Korean leader") resolved to the person of
  that country and title named in the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from transforms.documents import stable_id
from transforms.lexicon import ActorEntry, Lexicon
from transforms.matching import pattern_docs
from transforms.places import Place, find_places

TITLE_WORDS = frozenset(
    [
        "leader",
        "president",
        "minister",
        "premier",
        "chairman",
        "chairwoman",
        "chair",
        "secretary",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "chancellor",
        "king",
        "queen",
        "prince",
        "general",
        "commander",
        "chief",
        "head",
        "director",
        "ambassador",
        "envoy",
        "governor",
        "mayor",
        "official",
        "diplomat",
        "deputy",
        "foreign",
        "defense",
        "defence",
        "prime",
        "supreme",
        "lieutenant",
        "colonel",
        "admiral",
        "marshal",
        "senator",
        "representative",
        "lawmaker",
        "advisor",
        "adviser",
        "analyst",
        "expert",
        "commentator",
        "journalist",
        "correspondent",
        "dictator",
        "ruler",
        "emir",
        "sheikh",
        "ayatollah",
        "judge",
        "prosecutor",
        "speaker",
    ]
)
HONORIFICS = frozenset(["mr", "mrs", "ms", "dr", "sir", "gen", "lt", "col", "adm", "president", "minister"])
# "the North", "the West": with the article they name an actor; bare they are ordinary words
AMBIGUOUS_BARE = frozenset(
    {
        "north",
        "south",
        "east",
        "west",
        "north korea",
        "union",
        "kingdom",
        "republic",
        "alliance",
        "government",
        "state",
        "states",
        "council",
        "regime",
        "army",
    }
)
_HYPHEN = re.compile(r"[-‐‑–]")


@dataclass(frozen=True)
class Actor:
    name: str
    actor_type: str
    country: str | None

    @property
    def key(self) -> str:
        return normalise_name(self.name)

    @property
    def actor_id(self) -> str:
        return stable_id("actor", self.key)


@dataclass(frozen=True)
class Mention:
    start: int  # token index in its spaCy doc
    end: int
    actor: Actor
    text: str
    source: str  # dictionary, demonym, ner, role, pair
    partner: Actor | None = None  # "the two leaders": the second person the phrase names


@dataclass
class PersonRecord:
    name: str
    country: str | None
    titles: set[str] = field(default_factory=set)


@dataclass
class ArticleActors:
    """What is known about persons across one article (filled as docs are read)."""

    persons: dict[str, PersonRecord] = field(default_factory=dict)  # normalised full name → record
    recent: list[Actor] = field(default_factory=list)  # persons in the order the text names them (so far)

    def find(self, surface: str) -> PersonRecord | None:
        """The person a name refers to: a longer known name holding every part of it wins
        ("Kim", "Jong-un" → "Kim Jong Un"); the first one named in the article when several do."""
        key = normalise_name(surface)
        parts = set(key.split())
        if not parts:
            return None
        hits = [p for k, p in self.persons.items() if k != key and parts <= set(k.split())]
        if hits:
            return hits[0]
        return self.persons.get(key)


def normalise_name(name: str) -> str:
    name = _HYPHEN.sub(" ", name).replace("’", "'").replace(".", "")
    return " ".join(name.lower().split())


def _entry_actor(entry: ActorEntry) -> Actor:
    return Actor(entry.name, entry.actor_type, entry.country)


def _variants(alias: str) -> set[str]:
    out = {alias, alias.replace("'", "’"), alias.replace("’", "'")}
    return {v for form in out for v in _case_variants(form)}


def _case_variants(alias: str) -> set[str]:
    out = {alias}
    if alias[:1].islower():
        out.add(alias[:1].upper() + alias[1:])
    if alias.lower().startswith("the "):
        rest = alias[4:]
        out.add("The " + rest)
        if len(rest.split()) > 1 or rest.lower() not in AMBIGUOUS_BARE:
            out.add(rest)
    return out


@dataclass(frozen=True)
class ActorIndex:
    matcher: PhraseMatcher
    entries: tuple[ActorEntry, ...]
    demonyms: PhraseMatcher
    demonym_entries: tuple[ActorEntry, ...]


@cache
def _index(lex: Lexicon, vocab_id: int, vocab) -> ActorIndex:
    matcher = PhraseMatcher(vocab, attr="ORTH")
    entries = lex.actors
    for i, entry in enumerate(entries):
        surfaces = set()
        for form in (entry.name, *entry.aliases):
            surfaces |= _variants(form)
        if entry.actor_type == "state":
            # plural demonyms ("the Russians", "North Koreans") stand for the state
            surfaces |= {d for d in entry.demonyms if d.endswith("s") and d[:1].isupper()}
        matcher.add(str(i), pattern_docs(vocab, sorted(s for s in surfaces if s.strip())))
    dem = PhraseMatcher(vocab, attr="ORTH")
    dem_entries = tuple(a for a in entries if a.actor_type == "state" and a.demonyms)
    for i, entry in enumerate(dem_entries):
        forms = {d for d in entry.demonyms if not d.endswith("s") or d.endswith("ss")}
        forms |= {entry.name + "'s", entry.name + "’s"}
        dem.add(str(i), pattern_docs(vocab, sorted(forms)))
    return ActorIndex(matcher, entries, dem, dem_entries)


def actor_index(lex: Lexicon, doc: Doc) -> ActorIndex:
    return _index(lex, id(doc.vocab), doc.vocab)


def demonym_country(tokens: list[Token], lex: Lexicon, doc: Doc) -> ActorEntry | None:
    """The state named by a demonym or state name among `tokens` (pre-modifiers of a phrase)."""
    idx = actor_index(lex, doc)
    if not tokens:
        return None
    span = doc[min(t.i for t in tokens) : max(t.i for t in tokens) + 1]
    for match_id, _start, _ in idx.demonyms(span):
        return idx.demonym_entries[int(doc.vocab.strings[match_id])]
    for match_id, _start, _end in idx.matcher(span):
        entry = idx.entries[int(doc.vocab.strings[match_id])]
        if entry.actor_type == "state":
            return entry
    return None


def _premodifiers(head: Token, span_start: int) -> list[Token]:
    """Tokens before a name that describe it: "Russian Defense Minister", "DPRK leader", "Russia's"."""
    out = []
    for child in head.lefts:
        if child.i < span_start and child.dep_ in ("compound", "amod", "poss", "nmod", "det"):
            out.extend(child.subtree)
    i = span_start - 1
    while i >= 0 and head.doc[i].dep_ in ("compound", "amod", "poss", "case", "punct") and head.doc[i].head.i >= i:
        if head.doc[i] not in out:
            out.append(head.doc[i])
        if head.doc[i].is_sent_start:
            break
        i -= 1
    return sorted(out, key=lambda t: t.i)


def _appositive_country(head: Token, lex: Lexicon, doc: Doc) -> ActorEntry | None:
    for child in head.rights:
        if child.dep_ == "appos":
            found = demonym_country(list(child.subtree), lex, doc)
            if found:
                return found
    return None


def _gazetteer_tokens(doc: Doc, lex: Lexicon) -> tuple[dict[int, Place], dict[int, Span]]:
    """Tokens inside places of the gazetteer (not states), and tokens inside NER place entities."""
    by_token: dict[int, Place] = {}
    for p in find_places(doc, lex):
        if p.kind not in ("state", "place"):
            by_token.update({i: p for i in range(p.start, p.end)})
    ner = {i: e for e in doc.ents if e.label_ in ("GPE", "LOC", "FAC") for i in range(e.start, e.end)}
    return by_token, ner


def _inside_place(span: Span, places: dict[int, Place], ner: dict[int, Span]) -> bool:
    """Is this name only part of a longer place name ("Japan" in "Sea of Japan", "Jersey" in "New Jersey")?"""
    for i in range(span.start, span.end):
        p = places.get(i)
        if p is not None and (p.end - p.start) > len(span) and not (p.start == span.start and p.end == span.end):
            return True
    # entities never overlap: the only one that can hold the span is the one holding its first token
    ent = ner.get(span.start)
    if ent is not None:
        start = ent.start + 1 if ent[0].lower_ == "the" else ent.start
        if start < span.start and span.end <= ent.end and not any(t.pos_ == "CCONJ" or t.text == "," for t in ent):
            return True
    return False


def _strip_places(ent: Span, places: dict[int, Place]) -> Span | None:
    """An entity without the gazetteer places at its edges ("Donbas" tagged ORG is a place, not an actor)."""
    start, end = ent.start, ent.end
    while start < end and start in places:
        start += 1
    while end > start and end - 1 in places:
        end -= 1
    return Span(ent.doc, start, end, label=ent.label) if start < end else None


def find_mentions(doc: Doc, lex: Lexicon, article: ArticleActors) -> list[Mention]:
    """All actor mentions in one spaCy doc, longest first where they overlap."""
    idx = actor_index(lex, doc)
    places, ner_places = _gazetteer_tokens(doc, lex)
    spans: list[tuple[Span, Actor, str]] = []

    # 1. dictionary names and aliases (not when only part of a place name: "Sea of Japan")
    dict_spans = []
    for match_id, start, end in idx.matcher(doc):
        dict_spans.append(Span(doc, start, end, label=match_id))
    dem_ends: dict[int, int] = {}  # start token of a demonym match → its furthest end
    for _, s, e in idx.demonyms(doc):
        dem_ends[s] = max(e, dem_ends.get(s, e))
    for span in filter_spans(dict_spans):
        if _inside_place(span, places, ner_places):
            continue
        if any(dem_ends.get(s, 0) > span.end for s in range(span.start + 1, span.end)):
            continue  # "the North" in "the North Korean authorities": the demonym phrase is meant
        entry = idx.entries[int(doc.vocab.strings[span.label])]
        if entry.actor_type == "person":
            titles = set(entry.title.replace("-", " ").split()) if entry.title else set()
            _remember_person(article, entry.name, entry.country, titles | _titles(span.root, span.start))
        if entry.actor_type == "state" and span.text in entry.demonyms:
            # a plural demonym: "the Russians" stand for the state, "Ukrainians", "several North Koreans"
            # are a group of people of that country (groups.yaml, bare_plural_demonym)
            before = doc[span.start - 1] if span.start > 0 else None
            if before is None or before.lower_ != "the":
                spans.append((span, Actor(span.text, "group", entry.country), "demonym"))
                continue
        spans.append((span, _entry_actor(entry), "dictionary"))

    taken = {t.i for s, _, _ in spans for t in s}

    # 2. NER persons and organisations not covered by the dictionaries (places are not actors)
    for ent in doc.ents:
        if ent.label_ not in ("PERSON", "ORG") or any(t.i in taken for t in ent):
            continue
        ent = _strip_places(ent, places)
        if ent is None or ent.text.lower() in lex.demonym_index:
            continue  # a demonym tagged as a name ("Ugandan" PERSON): the demonym phrases below
        actor = _person_actor(ent, lex, doc, article) if ent.label_ == "PERSON" else _org_actor(ent, lex, doc)
        if actor:
            spans.append((ent, actor, "ner"))
            taken |= {t.i for t in ent}

    # 3. demonym phrases: "North Korean soldiers", "North Korean authorities", "Hungarian and Romanian officials"
    for match_id, start, end in idx.demonyms(doc):
        if any(i in taken for i in range(start, end)):
            continue
        entry = idx.demonym_entries[int(doc.vocab.strings[match_id])]
        first = doc[end - 1]
        while first.dep_ == "conj" and first.head.i < first.i and first.head.pos_ in ("ADJ", "PROPN", "NOUN"):
            first = first.head  # "Hungarian and [Romanian] officials": the phrase's head is the first conjunct's
        head = first.head
        while head.dep_ == "amod" and head.lower_ in lex.group_modifiers and head.head.pos_ in ("NOUN", "PROPN"):
            head = head.head  # "Vietnamese-led forces": the demonym hangs on the participle
        if head.i < end or head.pos_ not in ("NOUN", "PROPN") or (head.i in taken and first.i == end - 1):
            continue  # a demonym used as a noun ("the Russians": the dictionary) or an adjective
        noun = head.lemma_.lower()
        coordinated = {t.i for c in doc[start:end] for t in c.subtree if t.dep_ in ("cc", "conj") or t.i >= end}
        between = [t for t in doc[end : head.i] if t.i not in coordinated or t.head.i == head.i]
        between = [t for t in between if not _coordinated_demonym(t, doc[start:end])]
        own = doc[start:end] if first.i != end - 1 else doc[start : head.i + 1]  # a second conjunct: itself
        if noun in lex.state_nouns or head.lower_ in lex.state_nouns:
            if any(t.pos_ not in ("ADJ", "NOUN", "PROPN", "PUNCT", "CCONJ") for t in between):
                continue
            spans.append((own, _entry_actor(entry), "demonym"))
        elif (
            _group_head(head, lex)
            or noun in lex.institution_nouns
            or head.lower_ in lex.institution_nouns
            or _unnamed_official(head)
        ):
            # only modifiers may stand between: "North Korean military construction personnel", "French paper
            # workers", not "Russian Su-35 fighters" (aircraft)
            if not all(_group_modifier(t, lex) for t in between):
                continue
            institution = noun in lex.institution_nouns or head.lower_ in lex.institution_nouns
            kind = "organization" if institution and not _group_head(head, lex) else "group"
            name = _group_name(doc[start:end].text, between, head, lex)
            spans.append((own, Actor(name, kind, entry.country), "demonym"))
        else:
            continue
        taken |= set(range(own.start, own.end)) - coordinated

    # 3b. a group or institution noun placed by a state after it: "security forces in Guinea", "rebels in
    # the Ivory Coast", "doctors from American aid groups", "a group based in Trinidad"
    actor_at = {t.i: (s, a) for s, a, _ in spans for t in s}
    for tok in doc:
        if tok.i in taken or tok.pos_ not in ("NOUN", "PROPN") or not _group_head(tok, lex):
            continue
        if any(c.dep_ in ("compound", "amod") and c.i in actor_at for c in tok.lefts):
            continue
        placed = _placed_by(tok, actor_at, places)
        if placed is None:
            continue
        mods = [c for c in tok.lefts if c.dep_ in ("amod", "compound") and c.i not in taken]
        begin = min([m.left_edge.i for m in mods] + [tok.i])
        phrase = doc[begin : tok.i + 1]
        keep = [
            t.text[:1].isupper() and not _group_head(t, lex) and not (t.is_sent_start and t.pos_ == "NOUN")
            for t in phrase
        ]
        words = [t.text if k else t.lower_ for t, k in zip(phrase, keep, strict=True)]
        demonym = _adjective_demonym(placed, lex)
        name = " ".join([demonym, *words]) if demonym else " ".join(words)
        spans.append((phrase, Actor(name, "group", placed), "demonym"))
        taken |= set(range(phrase.start, phrase.end))

    # 3c. "its/their <group noun>" whose owner is the clause's state subject: "North Korea has sent 13,000 of
    # its military personnel" → North Korean soldiers
    actor_at = {t.i: (s, a) for s, a, _ in spans for t in s}
    for tok in doc:
        if tok.i in taken or tok.pos_ != "NOUN" or not _group_head(tok, lex):
            continue
        poss = [c for c in tok.lefts if c.dep_ == "poss" and c.lower_ in ("its", "their")]
        owner = _clause_subject_state(tok, actor_at) if poss else None
        if owner is None:
            continue
        demonym = _adjective_demonym(owner.country, lex) if owner.country else None
        if demonym is None:
            continue
        between = [t for t in doc[poss[0].i + 1 : tok.i]]
        if not all(_group_modifier(t, lex) for t in between):
            continue
        phrase = doc[poss[0].i : tok.i + 1]
        spans.append((phrase, Actor(_group_name(demonym, between, tok, lex), "group", owner.country), "demonym"))
        taken |= set(range(phrase.start, phrase.end))

    # 3d. a bare plural group noun as a clause's subject, in a sentence that names one country only:
    # "Prisoners rioted at a jail in Haiti's capital" → Haitian prisoners
    actor_at = {t.i: (s, a) for s, a, _ in spans for t in s}
    for tok in doc:
        if tok.i in taken or tok.dep_ != "nsubj" or tok.tag_ != "NNS" or not _group_head(tok, lex):
            continue
        if tok.head.pos_ != "VERB" or any(c.dep_ in ("poss", "det", "nummod") and c.lower_ != "the" for c in tok.lefts):
            continue
        if any(c.i in actor_at for c in tok.subtree if c.i < tok.i):
            continue
        countries = {a.country for i, (_, a) in actor_at.items() if tok.sent.start <= i < tok.sent.end and a.country}
        countries |= {p.country for i, p in places.items() if tok.sent.start <= i < tok.sent.end and p.country}
        demonym = _adjective_demonym(next(iter(countries)), lex) if len(countries) == 1 else None
        if demonym is None:
            continue
        country = next(iter(countries))
        spans.append((doc[tok.i : tok.i + 1], Actor(f"{demonym} {tok.lower_}", "group", country), "demonym"))
        taken.add(tok.i)

    # 4. role references: "the North Korean leader", "a Donbas separatist leader", "the head of the Kremlin"
    actor_at = {t.i: a for s, a, _ in spans for t in s}
    for tok in doc:
        if tok.i in taken:
            continue
        found = _role_reference(tok, lex, article, actor_at, places)
        if found:
            phrase, person = found
            spans = [x for x in spans if x[0].end <= phrase.start or x[0].start >= phrase.end]
            spans.append((phrase, Actor(person.name, "person", person.country), "role"))
            taken |= set(range(phrase.start, phrase.end))

    mentions = [Mention(s.start, s.end, a, s.text, src) for s, a, src in spans]
    mentions.sort(key=lambda m: (m.start, -m.end))

    # 5. "the two leaders", "both presidents": the last two persons the text named
    out: list[Mention] = []
    for m in mentions:
        out.append(m)
    pairs = []
    cursor = 0
    for tok in doc:
        while cursor < len(out) and out[cursor].start < tok.i:
            if out[cursor].actor.actor_type == "person":
                _seen_person(article, out[cursor].actor)
            cursor += 1
        if tok.i not in taken and _pair_reference(tok) and len(article.recent) >= 2:
            a, b = _pair_persons(tok, article)
            pairs.append(Mention(tok.i, tok.i + 1, a, _pair_text(tok), "pair", partner=b))
    for m in out[cursor:]:
        if m.actor.actor_type == "person":
            _seen_person(article, m.actor)
    return sorted(out + pairs, key=lambda m: (m.start, -m.end))


PAIR_TITLES = frozenset({"leaders", "presidents", "heads", "ministers", "premiers", "chancellors"})


def _pair_reference(tok: Token) -> bool:
    if tok.lower_ not in PAIR_TITLES or tok.pos_ != "NOUN":
        return False
    return any(
        (c.dep_ in ("det", "predet") and c.lower_ in ("both", "the")) or (c.dep_ == "nummod" and c.lower_ == "two")
        for c in tok.lefts
    )


def _pair_persons(tok: Token, article: ArticleActors) -> tuple[Actor, Actor]:
    """The last two persons named who hold the office the phrase names ("the two leaders": two persons
    with a leader's title, not the sister named in between); the last two named when fewer hold it."""
    word = tok.lower_
    if word == "leaders":
        office = LEADER_TITLES | {"premier", "chancellor", "king", "queen", "prime", "minister"}
    else:
        office = {word[:-1]} if word.endswith("s") else {word}
    holders = []
    for actor in reversed(article.recent):
        rec = article.persons.get(normalise_name(actor.name))
        if rec is not None and rec.titles & office:
            holders.append(actor)
        if len(holders) == 2:
            return holders[1], holders[0]
    return article.recent[-2], article.recent[-1]


def _pair_text(tok: Token) -> str:
    start = min([c.i for c in tok.lefts if c.dep_ in ("det", "predet", "nummod", "amod")] + [tok.i])
    return tok.doc[start : tok.i + 1].text


def _seen_person(article: ArticleActors, actor: Actor) -> None:
    if article.recent and article.recent[-1] == actor:
        return
    if actor in article.recent:
        article.recent.remove(actor)
    article.recent.append(actor)


def _clause_subject_state(tok: Token, actor_at: dict[int, tuple[Span, Actor]]) -> Actor | None:
    """The owner of "its/their <noun>": the state or group subject of the clause holding `tok`, or of the
    clause reporting it ("North Korea has sent … its troops", "the Serbs said their forces had…")."""
    for verb in (a for a in tok.ancestors if a.pos_ in ("VERB", "AUX")):
        subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if subj is None or subj.i == tok.i or tok.i in {t.i for t in subj.subtree}:
            continue
        found = actor_at.get(subj.i)
        if found is not None and found[1].actor_type in ("state", "group") and found[1].country:
            return found[1]
        return None  # the nearest subject is someone else
    return None


def _unnamed_official(head: Token) -> bool:
    """ "an Argentine judge", "a Chinese diplomat": one unnamed official, coded as a group of that country
    (with "the", a title points to a named person instead: role references)."""
    return (
        head.pos_ == "NOUN"
        and head.lemma_.lower() in TITLE_WORDS
        and any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in head.lefts)
    )


def _group_head(tok: Token, lex: Lexicon) -> bool:
    return tok.lemma_.lower() in lex.group_nouns or tok.lower_ in lex.group_nouns


def _group_modifier(tok: Token, lex: Lexicon) -> bool:
    """May this word stand between a demonym and its group noun? Listed modifiers and group nouns, and
    lower-case common nouns and adjectives ("paper workers", "nationalist guerrillas"); no name, no number."""
    low = tok.lower_
    if tok.is_punct and low == "-" or low in lex.group_modifiers or low in lex.group_nouns:
        return True
    return tok.is_alpha and tok.text.islower() and tok.pos_ in ("NOUN", "ADJ") and tok.dep_ in ("compound", "amod")


def _coordinated_demonym(tok: Token, demonym: Span) -> bool:
    """ "Hungarian [and Romanian] officials": the other conjunct and its conjunction are not modifiers."""
    return (
        tok.dep_ in ("cc", "conj")
        and any(tok.head.i == d.i or tok.head.head.i == d.i for d in demonym)
        or (tok.dep_ == "cc" and tok.head.i in {d.i for d in demonym})
    )


PLACING_PREPS = frozenset({"in", "from", "of"})
PLACING_PARTICIPLES = frozenset({"base", "operate", "station", "deploy"})


def _placed_by(tok: Token, actor_at: dict[int, tuple[Span, Actor]], places: dict[int, Place]) -> str | None:
    """The country of a state, a country-coded actor or a gazetteer place after in/from/of (directly or
    after "based", "operating"): "forces in Guinea", "doctors from American aid groups"."""
    preps = [c for c in tok.rights if c.dep_ == "prep" and c.lower_ in PLACING_PREPS]
    for acl in (c for c in tok.rights if c.dep_ == "acl" and c.lemma_.lower() in PLACING_PARTICIPLES):
        preps += [c for c in acl.children if c.dep_ == "prep" and c.lower_ == "in"]
    for prep in preps:
        for pobj in (c for c in prep.children if c.dep_ == "pobj"):
            for t in [pobj, *(c for c in pobj.lefts if c.dep_ in ("compound", "amod", "poss"))]:
                found = actor_at.get(t.i)
                if found is not None and found[1].country and found[1].actor_type in ("state", "group"):
                    return found[1].country
                if found is None and t.i in places and places[t.i].country and prep.lower_ != "of":
                    return places[t.i].country
    return None


def _adjective_demonym(country: str, lex: Lexicon) -> str | None:
    """The adjective of a country ("GIN" → "Guinean"), or None."""
    for dem, entry in lex.demonym_index.items():
        if entry.country == country and not dem.endswith("s"):
            return next((d for d in entry.demonyms if d.lower() == dem), None)
    return None


def _group_name(demonym: str, between: list[Token], head: Token, lex: Lexicon) -> str:
    """ "North Korean" + [military] + "personnel" → "North Korean soldiers" (groups.yaml canonical_nouns)."""
    words = [t.text for t in between] + [head.text]
    for k in range(min(3, len(words)), 0, -1):
        tail = " ".join(words[-k:]).lower()
        if tail in lex.group_canonical:
            words = [*words[:-k], lex.group_canonical[tail]]
            break
    return " ".join([demonym, *words]).replace(" - ", "-")


ROLE_TITLES = frozenset(
    TITLE_WORDS
    - {
        "foreign",
        "defense",
        "defence",
        "prime",
        "supreme",
        "deputy",
        "official",
        "diplomat",
        "analyst",
        "expert",
        "commentator",
        "journalist",
        "correspondent",
        "lawmaker",
        "representative",
        "senator",
        "advisor",
        "adviser",
    }
)
LEADER_TITLES = frozenset({"leader", "president", "head", "chairman", "ruler", "dictator"})


_KIDS = "newsevents_children"


def _children(doc: Doc) -> list[list[int]]:
    """Each token's children (indexes, in order), built once per doc: spaCy's `Token.rights` and `.subtree`
    scan the whole width of the token's subtree on every step, quadratic on a long list of names."""
    kids = doc.user_data.get(_KIDS)
    if kids is None or len(kids) != len(doc):
        kids = [[] for _ in range(len(doc))]
        for t in doc:
            if t.head.i != t.i:
                kids[t.head.i].append(t.i)
        doc.user_data[_KIDS] = kids
    return kids


def _subtree_ids(kids: list[list[int]], root: int) -> list[int]:
    """The token indexes of a subtree (the same tokens as `Token.subtree`, in no particular order)."""
    out, stack = [], [root]
    while stack:
        i = stack.pop()
        out.append(i)
        stack.extend(kids[i])
    return out


def _titles(head: Token, span_start: int) -> set[str]:
    """Office words before a name or in its appositive: "Russian Defense Minister X", "X, the Chairman of…"."""
    out = {t.lemma_.lower() for t in _premodifiers(head, span_start) if t.lemma_.lower() in TITLE_WORDS}
    doc = head.doc
    kids = _children(doc)
    for c in kids[head.i]:
        if c > head.i and doc[c].dep_ == "appos":
            out |= {doc[i].lemma_.lower() for i in _subtree_ids(kids, c) if doc[i].lemma_.lower() in TITLE_WORDS}
    return out


def _role_reference(tok: Token, lex: Lexicon, article: ArticleActors, actor_at: dict[int, Actor], places):
    """A title noun with an article that names no one but points to a known person of that country."""
    title = tok.lemma_.lower()
    if tok.pos_ != "NOUN" or title not in ROLE_TITLES or tok.dep_ == "compound":
        return None
    if not any(c.dep_ == "det" and c.lower_ in ("the", "a", "an") for c in tok.lefts):
        return None
    mods = [t for c in tok.lefts if c.dep_ in ("compound", "amod", "nmod", "npadvmod", "poss") for t in c.subtree]
    required = {title} | {t.lemma_.lower() for t in mods if t.lemma_.lower() in TITLE_WORDS}
    end = tok.i + 1
    country: str | None = None
    entry = demonym_country(mods, lex, tok.doc) if mods else None
    if entry:
        country = entry.country
    for t in mods:
        if country is None and t.i in places and places[t.i].country:
            country = places[t.i].country
        if country is None and t.i in actor_at and actor_at[t.i].actor_type == "state":
            country = actor_at[t.i].country
    if country is None:  # "the head of the Kremlin", "the leader of North Korea"
        for prep in tok.rights:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                for pobj in prep.children:
                    a = actor_at.get(pobj.i)
                    if pobj.dep_ == "pobj" and a is not None and a.actor_type == "state":
                        country, end = a.country, pobj.right_edge.i + 1
    if country is None:
        return None
    hits = []
    for rec in article.persons.values():
        if rec.country != country or rec in hits:
            continue
        titles = rec.titles | (LEADER_TITLES if rec.titles & LEADER_TITLES else set())
        if required <= titles:
            hits.append(rec)
    keys = [set(normalise_name(h.name).split()) for h in hits]
    hits = [h for h, k in zip(hits, keys, strict=True) if not any(k < other for other in keys)]
    if len({h.name for h in hits}) != 1:
        return None
    begin = min([t.i for t in mods] + [tok.i])
    return tok.doc[begin:end], hits[0]


def _remember_person(article: ArticleActors, name: str, country: str | None, titles: set[str]) -> PersonRecord:
    key = normalise_name(name)
    rec = article.persons.get(key)
    if rec is None:
        rec = article.persons[key] = PersonRecord(name, country, set(titles))
    else:
        rec.country = rec.country or country
        rec.titles |= titles
    return rec


def _clean_person_span(ent: Span) -> Span | None:
    start, end = ent.start, ent.end
    while start < end and (ent.doc[start].lower_.strip(".") in HONORIFICS or not ent.doc[start].is_alpha):
        start += 1
    while end > start and (ent.doc[end - 1].is_punct or ent.doc[end - 1].lower_ in ("'s", "’s")):
        end -= 1
    if start >= end:
        return None
    return ent.doc[start:end]


def _person_actor(ent: Span, lex: Lexicon, doc: Doc, article: ArticleActors) -> Actor | None:
    span = _clean_person_span(ent)
    if span is None or not any(t.is_alpha and t.text[:1].isupper() for t in span):
        return None
    if any(t.lower_ in lex.group_nouns for t in span):
        return None
    head = span.root
    mods = _premodifiers(head, span.start)
    state = demonym_country(mods, lex, doc) or _appositive_country(head, lex, doc)
    titles = _titles(head, span.start)
    known = article.find(span.text)
    if known and (len(span) == 1 or normalise_name(span.text) in normalise_name(known.name)):
        if state and not known.country:
            known.country = state.country
        known.titles |= titles
        return Actor(known.name, "person", known.country)
    if len(span) == 1:
        # a lone name seen nowhere in full: keep it, it may be all the text gives
        rec = _remember_person(article, span.text, state.country if state else None, titles)
        return Actor(rec.name, "person", rec.country)
    rec = _remember_person(article, span.text, state.country if state else None, titles)
    return Actor(rec.name, "person", rec.country)


_ORG_STOP = frozenset({"the", "a", "an"})


def _org_actor(ent: Span, lex: Lexicon, doc: Doc) -> Actor | None:
    tokens = [t for t in ent if t.lower_ not in _ORG_STOP and not t.is_punct]
    if not tokens or not any(t.text[:1].isupper() for t in tokens):
        return None
    if all(t.lower_ in TITLE_WORDS for t in tokens) or ent.root.head.lemma_.lower() in TITLE_WORDS - {"head"}:
        return None  # "Defense" in "Russian Defense Minister": part of a title, not an organisation
    if all(t.like_num for t in tokens) or tokens[-1].lemma_.lower() in lex.non_actor_heads:
        return None  # "the Comprehensive Strategic Partnership Treaty" names a document, not an actor
    name = doc[tokens[0].i : tokens[-1].i + 1].text
    if name.endswith(("'s", "’s")):
        name = name[:-2]
    state = demonym_country(list(ent) + _premodifiers(ent.root, ent.start), lex, doc)
    return Actor(name, "organization", state.country if state else None)


OFFICE_TITLES = frozenset(
    TITLE_WORDS - {"analyst", "expert", "commentator", "journalist", "correspondent", "foreign", "defense", "defence"}
)


def home_signals(doc: Doc, lex: Lexicon, mentions: list[Mention]) -> list[tuple[int, str]]:
    """Countries the text presents as the setting, in order: demonym adjectives ("Ugandan opposition"),
    possessive or modifying state names ("Haiti's elections", "Kenya Anti-Corruption Commission") and
    gazetteer places below the state ("in Kherson Oblast"). A state named as a counterpart ("action
    against Russia") is not a signal. Out: (character offset in the doc, ISO3) pairs."""
    idx = actor_index(lex, doc)
    out: list[tuple[int, str]] = []
    for match_id, start, _end in idx.demonyms(doc):
        entry = idx.demonym_entries[int(doc.vocab.strings[match_id])]
        if entry.country:
            out.append((start, entry.country))
    for m in mentions:
        if m.actor.actor_type != "state" or not m.actor.country:
            continue
        last = doc[m.end - 1]
        after = doc[m.end] if m.end < len(doc) else None
        possessive = (after is not None and after.lower_ in ("'s", "’s")) or last.dep_ in ("compound", "poss")
        setting = last.dep_ == "pobj" and last.head.lower_ in ("in", "at")  # "a curfew in Algiers"
        if possessive or setting:
            out.append((m.start, m.actor.country))
    for p in find_places(doc, lex):
        if p.kind not in ("state", "place") and p.country:
            out.append((p.start, p.country))
    return sorted((doc[i].idx, c) for i, c in out)


def needs_home_country(mention: Mention, article: ArticleActors) -> bool:
    """An NER person with an office title, or an NER organisation, whose country the text did not give."""
    if mention.source != "ner" or mention.actor.country:
        return False
    if mention.actor.actor_type == "organization":
        return True
    rec = article.persons.get(normalise_name(mention.actor.name))
    return rec is not None and bool(rec.titles & OFFICE_TITLES)
