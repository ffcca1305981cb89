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
  that country and title named in the article; a name NER missed after an
  office title ("President Ruto");
* generic actors ("police", "rioters", "the junta") with a sector and the
  country the text ties them to: their demonym, "in/of X", the place their
  sentence is set in, the dateline, the one country the sentence names, else
  the country their paragraph is set in.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import cast

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from transforms.documents import stable_id
from transforms.lexicon import ActorEntry, Lexicon, per_lexicon
from transforms.matching import TokenIndex, pattern_docs
from transforms.places import Place, find_places
from transforms.tree import Columns, child_lists, children, columns, doc_ents, doc_text, doc_tokens, sentence_bounds


@dataclass(frozen=True)
class ActorWords:
    """The word lists of groups.yaml that the actor passes read (one section each)."""

    titles: frozenset[str]  # title_words
    role: frozenset[str]  # title_words − not_role_titles
    office: frozenset[str]  # title_words − not_office_titles
    leader: frozenset[str]  # leader_titles
    pair_leader: frozenset[str]  # pair_leader_titles
    pair: frozenset[str]  # pair_titles
    honorifics: frozenset[str]
    ambiguous_bare: frozenset[str]
    placing_preps: frozenset[str]
    placing_participles: frozenset[str]
    product_nouns: frozenset[str]
    not_generic: frozenset[str]
    home_state: frozenset[str]  # home_state_nouns
    object_pronouns: frozenset[str]  # "them": an object that refers back to a group
    regional_body_nouns: frozenset[str]  # "leaders", "ministers": "West African leaders" → ECOWAS
    craft: frozenset[str]  # craft_nouns: "a Philippine supply boat" → the Philippines


@cache
def actor_words(lex: Lexicon) -> ActorWords:
    w = lex.actor_words

    def get(key: str) -> frozenset[str]:
        return w.get(key, frozenset())

    return ActorWords(
        titles=get("title_words"),
        role=get("title_words") - get("not_role_titles"),
        office=get("title_words") - get("not_office_titles"),
        leader=get("leader_titles"),
        pair_leader=get("pair_leader_titles"),
        pair=get("pair_titles"),
        honorifics=get("honorifics"),
        ambiguous_bare=get("ambiguous_bare"),
        placing_preps=get("placing_preps"),
        placing_participles=get("placing_participles"),
        product_nouns=get("product_nouns"),
        not_generic=get("not_generic"),
        home_state=get("home_state_nouns"),
        object_pronouns=get("object_pronouns"),
        regional_body_nouns=get("regional_body_nouns"),
        craft=get("craft_nouns"),
    )


@cache
def _sector_codes(lex: Lexicon) -> frozenset[str]:
    return frozenset(c.upper() for c in lex.actor_words.get("sector_codes", frozenset()))


def sector_code(lex: Lexicon, code: str | None) -> str | None:
    """A contract sector code (first three letters of a Phoenix code such as GOVMIL), or None."""
    code = (code or "")[:3].upper()
    return code if code in _sector_codes(lex) else None


def noun_sector(tok: Token, lex: Lexicon) -> str | None:
    """The sector of a generic noun: "riot police" (modifier + noun) first, then the noun alone."""
    cols, i = columns(tok.doc), tok.i
    if i > 0 and cols.head[i - 1] == i and cols.dep[i - 1] in ("compound", "amod"):  # the left child just before
        found = lex.agent_sectors.get(f"{cols.lower[i - 1]} {cols.lower[i]}")
        if found:
            return sector_code(lex, found)
    return sector_code(lex, lex.agent_sectors.get(cols.lower[i]))


def name_sector(name: str, lex: Lexicon, table: str = "organization_sectors") -> str | None:
    """The sector of a name from its words, the last word that has one winning (three, two, then one words
    ending there): "Russian Foreign Ministry" → GOV, "Supreme Court" → JUD, "riot police" → COP."""
    words = normalise_name(name).replace("'s", "").split()
    table_map = lex.actor_maps.get(table, {}) if table != "sectors" else lex.agent_sectors
    for end in range(len(words), 0, -1):
        for k in (3, 2, 1):
            if end - k >= 0:
                found = table_map.get(" ".join(words[end - k : end]))
                if found:
                    return sector_code(lex, found)
    return None


def title_sector(titles: set[str], lex: Lexicon) -> str | None:
    """The sector of a person's office: the first title of groups.yaml title_sectors the person holds."""
    for title, code in lex.actor_maps.get("title_sectors", {}).items():
        if title in titles:
            return sector_code(lex, code)
    return None


def _person_sector(rec: PersonRecord, lex: Lexicon) -> str | None:
    return rec.sector or title_sector(rec.titles, lex)


def _modifier_sector(tokens: list[Token], lex: Lexicon) -> str | None:
    """A sector noun among the words before a name: "Police Chief X" → COP, "rebel commander X" → REB."""
    for t in tokens:
        found = sector_code(lex, lex.agent_sectors.get(t.lower_))
        if found and t.lower_ not in actor_words(lex).titles:
            return found
    return None


def _group_sector(head: Token, name: str, lex: Lexicon) -> str | None:
    """A group's sector: its head noun ("riot police"), else its (canonical) name's last words."""
    return noun_sector(head, lex) or name_sector(name, lex, "sectors")


_HYPHEN = re.compile(r"[-‐‑–]")


@dataclass(frozen=True)
class Actor:
    name: str
    actor_type: str
    country: str | None
    sector: str | None = None  # GOV, MIL, COP, REB, CVL… (groups.yaml sector_codes); None for a state

    @property
    def key(self) -> str:
        return normalise_name(self.name)

    @cached_property  # computed once per actor object (a SHA-256 of its name): rows ask for it many times
    def actor_id(self) -> str:
        """Named actors by name; groups by name, country and sector (generic "police" of two countries or
        "officers" of two sectors are different actors)."""
        if self.actor_type == "group":
            return stable_id("actor", self.key, self.country or "", self.sector or "")
        return stable_id("actor", self.key)


@dataclass(frozen=True)
class Mention:
    start: int  # token index in its spaCy doc
    end: int
    actor: Actor
    text: str
    source: str  # dictionary, demonym, ner, role, pair, agent, home
    partner: Actor | None = None  # "the two leaders": the second person the phrase names


@dataclass
class PersonRecord:
    name: str
    country: str | None
    titles: set[str] = field(default_factory=set)
    sector: str | None = None  # from a sector noun before the name ("Police Chief X" → COP)


@dataclass
class ArticleActors:
    """What is known about persons across one article (filled as docs are read)."""

    persons: dict[str, PersonRecord] = field(default_factory=dict)  # normalised full name → record
    recent: list[Actor] = field(default_factory=list)  # persons in the order the text names them (so far)
    office_titles: frozenset[str] = frozenset()  # the lexicon's office titles (set by `find_mentions`)
    dateline_country: str | None = None  # "NAIROBI, Kenya (AP) —": where the article is filed from
    # a state noun's countries where the text names them ("Niger's junta", "the Syrian regime"): a later bare
    # "the junta" is the same one
    state_noun_countries: dict[str, Counter] = field(default_factory=dict)
    # every actor the text has named so far, in order, with the number of the sentence that named it (what a
    # later "the bloc" or "them" refers back to; `sentence_seq` counts the sentences read so far)
    seen: list[tuple[int, Actor, bool]] = field(default_factory=list)  # (sentence, actor, named in the plural)
    sentence_seq: int = 0

    def restart(self) -> None:
        """A new reading of the text from its start (the second pass of `extract_article`)."""
        self.recent.clear()
        self.seen.clear()
        self.sentence_seq = 0

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


def _entry_actor(entry: ActorEntry, lex: Lexicon) -> Actor:
    """A dictionary entry's actor; its sector from its title (persons) or its name's words (organisations
    and groups; an organisation without a country is an international body, IGO); a state has none. Made
    once per entry (the entries live as long as their lexicon)."""
    made = _entry_actors(lex)
    found = made.get(id(entry))
    if found is None or found[0] is not entry:
        found = made[id(entry)] = (entry, _make_entry_actor(entry, lex))
    return found[1]


@cache
def _entry_actors(lex: Lexicon) -> dict[int, tuple[ActorEntry, Actor]]:
    return {}


def _make_entry_actor(entry: ActorEntry, lex: Lexicon) -> Actor:
    if entry.actor_type == "state":
        return Actor(entry.name, entry.actor_type, entry.country)
    if entry.actor_type == "person":
        titles = set(entry.title.replace("-", " ").split()) if entry.title else set()
        return Actor(entry.name, entry.actor_type, entry.country, title_sector(titles, lex))
    sector = name_sector(entry.name, lex) or name_sector(entry.name, lex, "sectors")
    if sector is None and entry.actor_type == "organization" and entry.country is None:
        sector = sector_code(lex, "IGO")
    return Actor(entry.name, entry.actor_type, entry.country, sector)


def _variants(alias: str, ambiguous: frozenset[str]) -> set[str]:
    out = {alias, alias.replace("'", "’"), alias.replace("’", "'")}
    return {v for form in out for v in _case_variants(form, ambiguous)}


def _case_variants(alias: str, ambiguous: frozenset[str]) -> set[str]:
    out = {alias}
    if alias[:1].islower():
        out.add(alias[:1].upper() + alias[1:])
    if alias.lower().startswith("the "):
        rest = alias[4:]
        out.add("The " + rest)
        if len(rest.split()) > 1 or rest.lower() not in ambiguous:
            out.add(rest)
    return out


@dataclass(frozen=True)
class ActorIndex:
    """Where the dictionaries' actor surfaces are found: hand-written entries through a spaCy `PhraseMatcher`,
    the ~26,000 imported ones (`ActorEntry.imported`) through a plain `TokenIndex` that puts nothing in the
    model's vocab; `match` gives both as (index into `entries`, start, end)."""

    matcher: PhraseMatcher
    entries: tuple[ActorEntry, ...]
    demonyms: PhraseMatcher
    demonym_entries: tuple[ActorEntry, ...]
    imported: TokenIndex

    def match(self, doclike: Doc | Span) -> list[tuple[int, int, int]]:
        """(entry index, start, end) of every actor surface in `doclike`, by start; on the same span a
        hand-written entry comes before an imported one."""
        strings = doclike.vocab.strings
        own = [(int(strings[match_id]), s, e) for match_id, s, e in self.matcher(doclike)]
        more = self.imported.matches(doclike)
        return sorted(own + more, key=lambda m: m[1]) if more else own

    def match_handwritten(self, doclike: Doc | Span) -> list[tuple[int, int, int]]:
        """Like `match`, the `PhraseMatcher`'s entries only: the hand-written ones and every state."""
        strings = doclike.vocab.strings
        return [(int(strings[match_id]), s, e) for match_id, s, e in self.matcher(doclike)]


def _surface_forms(entry: ActorEntry, lex: Lexicon) -> list[str]:
    surfaces = set()
    for form in (entry.name, *entry.aliases):
        surfaces |= _variants(form, actor_words(lex).ambiguous_bare)
    if entry.actor_type == "state":
        # plural demonyms ("the Russians", "North Koreans") stand for the state
        surfaces |= {d for d in entry.demonyms if d.endswith("s") and d[:1].isupper()}
    return sorted(s for s in surfaces if s.strip())


@per_lexicon
def _imported_index(lex: Lexicon) -> TokenIndex:
    """The imported actors' surfaces (no vocab needed: built once per lexicon, shared by forked workers)."""
    return TokenIndex.build((i, _surface_forms(e, lex)) for i, e in enumerate(lex.actors) if _plain_index(e))


def _plain_index(entry: ActorEntry) -> bool:
    """Is this entry found through the plain token index? Imported ones, except a state (states are looked up
    through the `PhraseMatcher` alone: `match_handwritten`)."""
    return entry.imported and entry.actor_type != "state"


@per_lexicon
def _index(lex: Lexicon, vocab) -> ActorIndex:
    matcher = PhraseMatcher(vocab, attr="ORTH")
    entries = lex.actors
    for i, entry in enumerate(entries):
        if not _plain_index(entry):
            matcher.add(str(i), pattern_docs(vocab, _surface_forms(entry, lex)))
    dem = PhraseMatcher(vocab, attr="ORTH")
    dem_entries = tuple(a for a in entries if a.actor_type == "state" and a.demonyms)
    for i, entry in enumerate(dem_entries):
        forms = {d for d in entry.demonyms if not d.endswith("s") or d.endswith("ss")}
        forms |= {entry.name + "'s", entry.name + "’s"}
        dem.add(str(i), pattern_docs(vocab, sorted(forms)))
    return ActorIndex(matcher, entries, dem, dem_entries, _imported_index(lex))


def actor_index(lex: Lexicon, doc: Doc) -> ActorIndex:
    return _index(lex, doc.vocab)


def demonym_country(tokens: list[Token], lex: Lexicon, doc: Doc) -> ActorEntry | None:
    """The state named by a demonym or state name among `tokens` (pre-modifiers of a phrase)."""
    idx = actor_index(lex, doc)
    if not tokens:
        return None
    span = doc[min(t.i for t in tokens) : max(t.i for t in tokens) + 1]
    for match_id, _start, _ in idx.demonyms(span):
        return idx.demonym_entries[int(doc.vocab.strings[match_id])]
    for i, _start, _end in idx.match_handwritten(span):
        entry = idx.entries[i]
        if entry.actor_type == "state":
            return entry
    return None


def _premodifiers(head: Token, span_start: int) -> list[Token]:
    """Tokens before a name that describe it: "Russian Defense Minister", "DPRK leader", "Russia's"."""
    out: list[Token] = []
    for child in _lefts(head):
        if child.i < span_start and child.dep_ in ("compound", "amod", "poss", "nmod", "det"):
            out.extend(child.subtree)
    i = span_start - 1
    cols = columns(head.doc)
    while i >= 0 and cols.dep[i] in ("compound", "amod", "poss", "case", "punct") and cols.head[i] >= i:
        tok = head.doc[i]
        if tok not in out:
            out.append(tok)
        if tok.is_sent_start:
            break
        i -= 1
    return sorted(out, key=lambda t: t.i)


def _appositive_country(head: Token, lex: Lexicon, doc: Doc) -> ActorEntry | None:
    """The country of an appositive title on either side of a name: "Gustavo Petro, Colombia's president"
    and "Indonesia's home affairs minister, Tito Karnavian" → the possessive or demonym state."""
    for child in _rights(head):
        if child.dep_ == "appos":
            found = demonym_country(list(child.subtree), lex, doc)
            if found:
                return found
    if head.dep_ == "appos" and head.head.pos_ == "NOUN":
        return demonym_country([t for c in _lefts(head.head) for t in c.subtree], lex, doc)
    return None


def _gazetteer_tokens(doc: Doc, lex: Lexicon) -> tuple[dict[int, Place], dict[int, Span]]:
    """Tokens inside places of the gazetteer (not states), and tokens inside NER place entities."""
    by_token: dict[int, Place] = {}
    for p in find_places(doc, lex):
        if p.kind not in ("state", "place"):
            by_token.update({i: p for i in range(p.start, p.end)})
    ner = {i: e for e in doc_ents(doc) if e.label_ in ("GPE", "LOC", "FAC") for i in range(e.start, e.end)}
    return by_token, ner


_FACTS = "newsevents_mention_facts"


@dataclass
class DocFacts:
    """What the mention passes read from a doc that no article knowledge changes, found once per doc and
    lexicon (kept in `doc.user_data`; `extract_article` reads each piece twice): gazetteer and NER place
    tokens, the dictionary and demonym matches, ORG entities by their first word and each token's sentence.
    """

    places: dict[int, Place]
    ner_places: dict[int, Span]
    matches: list[tuple[int, int, int]]  # (entry index, start, end): `ActorIndex.match`
    demonyms: list[tuple[int, int, int]]  # (match id, start, end): the demonym PhraseMatcher's
    orgs: dict[int, Span]  # ORG entity by its first token after a leading "the"
    sent_of: list[tuple[int, int]] | None = None  # token → (start, end) of its sentence, when asked
    depth: list[int] | None = None  # token → steps to its sentence's root, when asked

    def sentence(self, tok: Token) -> tuple[int, int]:
        """The (start, end) tokens of the sentence holding `tok` (spaCy's `Token.sent` scans it each time)."""
        if self.sent_of is None:
            self.sent_of = [(0, 0)] * len(tok.doc)
            for start, end in sentence_bounds(tok.doc):
                self.sent_of[start:end] = [(start, end)] * (end - start)
        return self.sent_of[tok.i]

    def root(self, span: Span) -> Token:
        """`Span.root` (a sentence root inside the span, else the first token closest to the root whose head
        is outside it) from depths computed once per doc: spaCy walks to the root from each token, which in
        a long list of names (a chain of conjuncts) is as deep as the list."""
        doc = span.doc
        heads = columns(doc).head
        for i in range(span.start, span.end):
            if heads[i] == i:
                return doc[i]
        if self.depth is None:
            self.depth = _depths(doc)
        best, root = len(doc), -1
        for i in range(span.start, span.end):
            if span.start <= heads[i] < span.end:
                continue
            if self.depth[i] < best:
                best, root = self.depth[i], i
        return doc[span.start] if root < 0 else doc[root]


def _depths(doc: Doc) -> list[int]:
    """Each token's number of steps to its sentence's root, in one pass (memoised walks up the heads)."""
    heads = [i + h for i, h in enumerate(doc.to_array("HEAD").astype("int64").tolist())]
    depth = [-1] * len(heads)
    for i in range(len(heads)):
        path, j = [], i
        while depth[j] < 0 and heads[j] != j:
            path.append(j)
            j = heads[j]
        base = 0 if heads[j] == j and depth[j] < 0 else depth[j]
        depth[j] = base
        for k, node in enumerate(reversed(path), 1):
            depth[node] = base + k
    return depth


def doc_facts(doc: Doc, lex: Lexicon) -> DocFacts:
    found = doc.user_data.get(_FACTS)
    if found is None or found[0] != id(lex):
        idx = actor_index(lex, doc)
        places, ner = _gazetteer_tokens(doc, lex)
        orgs = {e.start + (e[0].lower_ == "the"): e for e in doc_ents(doc) if e.label_ == "ORG"}
        facts = DocFacts(places, ner, idx.match(doc), list(idx.demonyms(doc)), orgs)
        found = doc.user_data[_FACTS] = (id(lex), facts)
    return found[1]


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


@dataclass
class MentionState:
    """What the mention passes share for one spaCy doc: the spans found so far and the tokens they hold.

    Each pass reads the state and adds (span, actor, source) triples; a later pass never takes a token
    an earlier one took (except role references, which replace what they cover)."""

    doc: Doc
    lex: Lexicon
    article: ArticleActors
    idx: ActorIndex
    places: dict[int, Place]  # token → gazetteer place below the state level
    ner_places: dict[int, Span]  # token → the NER GPE/LOC/FAC entity holding it
    facts: DocFacts
    spans: list[tuple[Span, Actor, str]] = field(default_factory=list)
    taken: set[int] = field(default_factory=set)
    pairs: list[Mention] = field(default_factory=list)
    dateline: set[int] = field(default_factory=set)  # tokens of a dateline ("MOSCOW, Russia (AP) —")
    signals: list[tuple[int, str]] | None = None  # `home_signals` of the doc, when a pass asks (once)

    def add(self, span: Span, actor: Actor, source: str, take: set[int] | None = None) -> None:
        """Record a mention and take its tokens (or `take`, when given)."""
        self.spans.append((span, actor, source))
        self.taken |= set(range(span.start, span.end)) if take is None else take

    texts: dict[tuple[int, int], str] = field(default_factory=dict)  # (start, end) → the span's text, made once

    def actor_at(self) -> dict[int, tuple[Span, Actor]]:
        """Token index → (span, actor) of the mentions found so far (a snapshot)."""
        return {i: (s, a) for s, a, _ in self.spans for i in range(s.start, s.end)}

    def _text(self, span: Span) -> str:
        key = (span.start, span.end)
        text = self.texts.get(key)
        if text is None:
            text = self.texts[key] = span.text
        return text

    def mentions(self) -> list[Mention]:
        out = [Mention(s.start, s.end, a, self._text(s), src) for s, a, src in self.spans]
        return sorted(out, key=lambda m: (m.start, -m.end))


DATELINE_DASHES = frozenset({"—", "–", "-", "--", "―"})
DATELINE_MAX_TOKENS = 12


def _not_a_name(ent: Span, lex: Lexicon) -> bool:
    """An NER name that names no actor: generic nouns ("Riot" of "Riot police", "Farmers" at a sentence
    start: the generic pass takes them), a product or weapon named by a model number or a product noun
    after it ("Superjet 100 passenger aircraft", "Geranium drones"), a name with an indefinite article
    ("a Rocket")."""
    doc, words = ent.doc, [t.lower_ for t in ent if not t.is_punct]
    if words and all(w in lex.agent_sectors for w in words):
        return True
    after = doc[ent.end] if ent.end < len(doc) else None
    if after is not None and f"{ent[-1].lower_} {after.lower_}" in lex.agent_sectors:
        return True
    if (
        after is not None
        and after.like_num
        and not after.is_punct
        and ent.label_ != "PERSON"
        or (after is not None and after.like_num and ent.label_ == "PERSON" and after.dep_ in ("nummod", "compound"))
    ):
        return True
    products = actor_words(lex).product_nouns
    if ent.root.dep_ == "compound" and ent.root.head.lemma_.lower() in products:
        return True
    if after is not None and after.lemma_.lower() in products and after.pos_ == "NOUN":
        return True
    return ent[0].lower_ in ("a", "an")


def _dateline_pass(st: MentionState) -> None:
    """A dateline is never an actor (guideline rule 2): "MOSCOW, Russia (AP) —", "Kyiv, Ukraine –",
    "NAIROBI —" at the start of a sentence: capitalised words, commas and a parenthesised agency before a
    dash, with a comma, a parenthesis or an all-capital first word. Its tokens are taken (no pass makes an
    actor of them) and its country becomes the article's `dateline_country`."""
    doc = st.doc
    bounds = sentence_bounds(doc)  # `doc.sents`, as (start, end) tokens
    words = columns(doc).text
    for k, (start, end) in enumerate(bounds):
        dash = next(
            (i for i in range(start, min(end, start + DATELINE_MAX_TOKENS)) if words[i] in DATELINE_DASHES), None
        )
        if dash is None or dash == start:
            continue  # (the dash may end the sentence: spaCy often splits "DHAKA, Bangladesh (Reuters) -" off)
        begin = start
        while (
            k > 0
            and _capital_words(doc[bounds[k - 1][0] : bounds[k - 1][1]])
            and dash - bounds[k - 1][0] < DATELINE_MAX_TOKENS
        ):
            k -= 1  # "PORT" | "MORESBY (Reuters) -": spaCy may end a sentence inside an all-capital city name
            begin = bounds[k][0]
        head = doc[begin:dash]
        depth, ok = 0, True
        for t in head:
            depth += t.text == "("
            depth -= t.text == ")"
            if not (depth > 0 or t.text in ",()" or t.text[:1].isupper() or t.is_space):
                ok = False
                break
        first = head[0].text
        if not ok or not (any(t.text in ",(" for t in head) or (first.isupper() and len(first) > 1)):
            continue
        st.dateline |= set(range(begin, dash + 1))
        if st.article.dateline_country is None:
            for i, _s, _e in st.idx.match_handwritten(head):
                entry = st.idx.entries[i]
                if entry.actor_type == "state" and entry.country:
                    st.article.dateline_country = entry.country
                    break
            else:
                found = [st.places[t.i].country for t in head if t.i in st.places and st.places[t.i].country]
                st.article.dateline_country = found[0] if found else _upper_dateline_country(head, st.lex)
    st.taken |= st.dateline


def _capital_words(sent: Span) -> bool:
    """Is this "sentence" only all-capital words on one line ("PORT" split off "MORESBY (Reuters) -")?"""
    words = [t for t in sent if not t.is_space]
    return bool(words) and all(t.is_alpha and t.text.isupper() for t in words) and "\n" not in sent.text


def _upper_dateline_country(head: Span, lex: Lexicon) -> str | None:
    """The country of an all-capital dateline city ("NEW DELHI (AP) —", "PORT MORESBY (Reuters) -"), which the
    case-sensitive matchers miss: the longest run of its words that is a state's name or alias or a place."""
    words = [t.text for t in head if t.is_alpha or t.text in ("-", "'")]
    names = _place_countries(lex)
    for k in range(min(4, len(words)), 0, -1):
        for i in range(len(words) - k + 1):
            found = names.get(" ".join(words[i : i + k]).lower().replace(" - ", "-"))
            if found:
                return found
    return None


@cache
def _place_countries(lex: Lexicon) -> dict[str, str]:
    """Lower-case name or alias → ISO3 of every place and state (hand-written first; an ambiguous one is left out)."""
    out: dict[str, str | None] = {}
    forms = [(p.country, (p.name, *p.aliases)) for p in lex.places if p.country]
    forms += [(a.country, (a.name, *a.aliases)) for a in lex.actors if a.actor_type == "state" and a.country]
    for country, names in forms:
        for n in names:
            key = n.lower()
            if out.setdefault(key, country) != country:
                out[key] = None
    return {k: v for k, v in out.items() if v}


def _dictionary_pass(st: MentionState) -> None:
    """Dictionary names and aliases: "the Kremlin" → Russia, "Sergei Shoigu"; a plural demonym with "the" is the
    state ("the Russians"), without it a group ("several North Koreans"); nothing that is only part of a place
    name ("Japan" in "Sea of Japan") or of a demonym phrase ("the North" in "the North Korean authorities")."""
    doc, idx = st.doc, st.idx
    dem_ends: dict[int, int] = {}  # start token of a demonym match → its furthest end
    for _, s, e in st.facts.demonyms:
        dem_ends[s] = max(e, dem_ends.get(s, e))
    for i, start, end in _longest_first(st.facts.matches):
        span = doc[start:end]
        if _inside_place(span, st.places, st.ner_places) or span.start in st.dateline:
            continue
        if any(dem_ends.get(s, 0) > span.end for s in range(span.start + 1, span.end)):
            continue  # "the North" in "the North Korean authorities": the demonym phrase is meant
        entry = idx.entries[i]
        if entry.actor_type == "state" and _opens_org_name(span, st.lex, st.facts.orgs):
            continue  # "Kenya National Union of Teachers": the named organisation stays itself (rule 3)
        if entry.actor_type != "state" and entry.country and _foreign_demonym_before(span, entry.country, st):
            continue  # "Nepal's ruling Nepali Congress": not the "Congress" of the US; the demonym pass names it
        if entry.actor_type == "person":
            titles = set(entry.title.replace("-", " ").split()) if entry.title else set()
            root = st.facts.root(span)
            rec = _remember_person(st.article, entry.name, entry.country, titles | _titles(root, span.start, st.lex))
            rec.sector = rec.sector or _modifier_sector(_premodifiers(root, span.start), st.lex)
            st.add(span, Actor(entry.name, "person", entry.country, _person_sector(rec, st.lex)), "dictionary")
            continue
        if entry.actor_type == "state" and span.text in entry.demonyms:
            # groups.yaml, bare_plural_demonym
            before = doc[span.start - 1] if span.start > 0 else None
            if before is None or before.lower_ != "the":
                st.add(span, Actor(span.text, "group", entry.country), "demonym")
                continue
        st.add(span, _entry_actor(entry, st.lex), "dictionary")


def _foreign_demonym_before(span: Span, country: str, st: MentionState) -> bool:
    """Is a one-word name preceded by another country's demonym, which makes it that country's own body
    ("Nepali Congress", "Ghanaian Parliament", "Kenyan Senate")?"""
    if len(span) != 1:
        return False
    for match_id, _start, end in st.facts.demonyms:
        if end == span.start:
            other = st.idx.demonym_entries[int(st.doc.vocab.strings[match_id])].country
            return other is not None and other != country
    return False


def _longest_first(matches: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """(key, start, end) matches without overlaps, the (first) longest winning, by start: spaCy's
    `filter_spans` on plain tuples."""
    ranked = sorted(matches, key=lambda m: (m[2] - m[1], -m[1]), reverse=True)
    out: list[tuple[int, int, int]] = []
    seen: set[int] = set()
    for m in ranked:
        if m[1] not in seen and m[2] - 1 not in seen:
            out.append(m)
            seen.update(range(m[1], m[2]))
    return sorted(out, key=lambda m: m[1])


def _opens_org_name(span: Span, lex: Lexicon, orgs: dict[int, Span]) -> bool:
    """A state name that is the first word of a longer capitalised organisation name the tagger found
    ("Kenya National Union of Teachers", "Uganda Revenue Authority"), not of a title ("Kenya President").
    `orgs`: the doc's ORG entities by first token after a leading "the" (entities never overlap: one)."""
    ent = orgs.get(span.start)
    if ent is None or ent.end - span.start < len(span) + 2:
        return False
    rest = [t for t in span.doc[span.end : ent.end] if t.is_alpha]
    if rest and all(t.text[:1].isupper() or t.lower_ in ("of", "for", "and") for t in rest):
        return ent[-1].lower_ not in actor_words(lex).titles
    return False


def _titled_appositive(ent: Span, lex: Lexicon) -> bool:
    """A name the tagger calls an organisation set in apposition to an office title: a person
    ("Colombia's president, Gustavo Petro," tagged ORG)."""
    head = ent.root.head
    return (
        ent.root.dep_ == "appos"
        and head.pos_ == "NOUN"
        and head.lemma_.lower() in actor_words(lex).titles
        and all(t.text[:1].isupper() for t in ent if t.is_alpha)
    )


def _ner_pass(st: MentionState) -> None:
    """NER persons and organisations the dictionaries do not hold, normalised across the article:
    "Russian Defense Minister Sergei Shoigu" → person RUS, "Jong-un" → "Kim Jong Un"; not places ("Donbas"
    tagged ORG), demonyms tagged as names ("Ugandan"), documents ("…Partnership Treaty")."""
    doc, lex = st.doc, st.lex
    for ent in doc_ents(doc):
        if ent.label_ not in ("PERSON", "ORG") or any(t.i in st.taken for t in ent):
            continue
        stripped = _strip_places(ent, st.places)
        if stripped is None:
            continue
        ent = stripped
        if ent.text.lower() in lex.demonym_index or _not_a_name(ent, lex):
            continue
        person = ent.label_ == "PERSON" or _titled_appositive(ent, lex)
        actor = _person_actor(ent, lex, doc, st.article) if person else _org_actor(ent, lex, doc)
        if actor:
            st.add(ent, actor, "ner")


def _titled_name_pass(st: MentionState) -> None:
    """A capitalised name right after an office title that NER did not tag: "President Ruto met …",
    "Prime Minister Kishida" → a person (country from a demonym before the title, else the paragraph's, as
    for any titled NER person). The name is one to three proper nouns that are no place, date, demonym or
    title, and not the start of a longer name ("President Bush Administration")."""
    doc, lex = st.doc, st.lex
    words = actor_words(lex)
    cols, toks = columns(doc), doc_tokens(doc)
    for i, tok in enumerate(toks):
        if i in st.taken or not cols.text[i][:1].isupper() or cols.lower[i] not in words.office:
            continue
        j = tok.i + 1
        while j < len(doc) and cols.lower[j] in words.titles and cols.text[j][:1].isupper():
            j += 1  # "Prime Minister", "Vice President"
        k = j
        while k < len(doc) and k - j < 4 and _bare_name_word(doc[k], st):
            k += 1
        if k == j or k - j > 3:
            continue
        name = doc[j:k]
        actor = _person_actor(name, lex, doc, st.article)
        if actor:
            st.add(name, actor, "ner")


def _bare_name_word(t: Token, st: MentionState) -> bool:
    return (
        t.pos_ == "PROPN"
        and t.is_alpha
        and t.text[:1].isupper()
        and t.ent_type_ in ("", "PERSON")
        and t.i not in st.taken
        and t.i not in st.places
        and t.i not in st.ner_places
        and t.lower_ not in actor_words(st.lex).titles
        and t.lower_ not in st.lex.demonym_index
    )


def _demonym_pass(st: MentionState) -> None:
    """Demonym phrases: "North Korean authorities" → the state; "North Korean soldiers", "French paper workers",
    "Hungarian and Romanian officials" (two), "an Argentine judge" → groups; "the Serbian parliament" → an
    organisation; a state's craft as a target ("fired at a Philippine supply boat": groups.yaml `craft_nouns`)
    → the state (as a subject it stays unresolved); not "Russian Su-35 fighters" (a name between: aircraft)."""
    doc, lex, idx = st.doc, st.lex, st.idx
    for match_id, start, end in st.facts.demonyms:
        if any(i in st.taken for i in range(start, end)):
            continue
        entry = idx.demonym_entries[int(doc.vocab.strings[match_id])]
        first = doc[end - 1]
        while first.dep_ == "conj" and first.head.i < first.i and first.head.pos_ in ("ADJ", "PROPN", "NOUN"):
            first = first.head  # "Hungarian and [Romanian] officials": the phrase's head is the first conjunct's
        head = first.head
        while head.dep_ == "amod" and head.lower_ in lex.group_modifiers and head.head.pos_ in ("NOUN", "PROPN"):
            head = head.head  # "Vietnamese-led forces": the demonym hangs on the participle
        if head.i < end or head.pos_ not in ("NOUN", "PROPN") or (head.i in st.taken and first.i == end - 1):
            continue  # a demonym used as a noun ("the Russians": the dictionary) or an adjective
        noun = head.lemma_.lower()
        coordinated = {t.i for c in doc[start:end] for t in c.subtree if t.dep_ in ("cc", "conj") or t.i >= end}
        between = [t for t in doc[end : head.i] if t.i not in coordinated or t.head.i == head.i]
        between = [t for t in between if not _coordinated_demonym(t, doc[start:end])]
        own = doc[start:end] if first.i != end - 1 else doc[start : head.i + 1]  # a second conjunct: itself
        craft = noun in actor_words(lex).craft and head.dep_ not in ("nsubj", "nsubjpass")  # a target only
        if noun in lex.state_nouns or head.lower_ in lex.state_nouns or craft:
            if any(t.pos_ not in ("ADJ", "NOUN", "PROPN", "PUNCT", "CCONJ") for t in between):
                continue
            actor = _entry_actor(entry, lex)
            if entry.country and not between:
                st.article.state_noun_countries.setdefault(noun, Counter())[entry.country] += 1
        elif (
            _group_head(head, lex)
            or noun in lex.institution_nouns
            or head.lower_ in lex.institution_nouns
            or _unnamed_official(head, lex)
        ):
            # only modifiers may stand between: "North Korean military construction personnel"
            if not all(_group_modifier(t, lex) for t in between):
                continue
            institution = noun in lex.institution_nouns or head.lower_ in lex.institution_nouns
            kind = "organization" if institution and not _group_head(head, lex) else "group"
            name = _group_name(doc[start:end].text, between, head, lex)
            sector = _group_sector(head, name, lex) if kind == "group" else name_sector(name, lex)
            actor = Actor(name, kind, entry.country, sector)
        else:
            continue
        st.add(own, actor, "demonym", set(range(own.start, own.end)) - coordinated)


def _placed_group_pass(st: MentionState) -> None:
    """A group noun placed by a state after it: "security forces in Guinea" → Guinean security forces,
    "rebels in the Ivory Coast", "doctors from American aid groups", "a group based in Trinidad"."""
    doc, lex = st.doc, st.lex
    actor_at = st.actor_at()
    cols, toks = columns(doc), doc_tokens(doc)
    for i, tok in enumerate(toks):
        if i in st.taken or cols.pos[i] not in ("NOUN", "PROPN") or not _group_head_at(cols, i, lex):
            continue
        if any(c.dep_ in ("compound", "amod") and c.i in actor_at for c in _lefts(tok)):
            continue
        placed = _placed_by(tok, actor_at, st.places, lex)
        if placed is None:
            continue
        mods = [c for c in _lefts(tok) if c.dep_ in ("amod", "compound") and c.i not in st.taken]
        mods = [c for c in mods if c.tag_ not in ("JJR", "JJS")]  # "more refugees from Iraq"
        begin = min([m.left_edge.i for m in mods] + [tok.i])
        phrase = doc[begin : tok.i + 1]
        keep = [
            t.text[:1].isupper() and not _group_head(t, lex) and not (t.is_sent_start and t.pos_ == "NOUN")
            for t in phrase
        ]
        words = [t.text if k else t.lower_ for t, k in zip(phrase, keep, strict=True)]
        demonym = _adjective_demonym(placed, lex)
        name = " ".join([demonym, *words]) if demonym else " ".join(words)
        st.add(phrase, Actor(name, "group", placed, _group_sector(tok, name, lex)), "demonym")


def _owned_group_pass(st: MentionState) -> None:
    """ "its/their <group noun>" owned by the clause's state subject: "North Korea has sent 13,000 of its
    military personnel" → North Korean soldiers."""
    doc, lex = st.doc, st.lex
    actor_at = st.actor_at()
    cols, toks = columns(doc), doc_tokens(doc)
    for i, tok in enumerate(toks):
        if i in st.taken or cols.pos[i] != "NOUN" or not _group_head_at(cols, i, lex):
            continue
        poss = [c for c in _lefts(tok) if c.dep_ == "poss" and c.lower_ in ("its", "their")]
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
        name = _group_name(demonym, between, tok, lex)
        st.add(phrase, Actor(name, "group", owner.country, _group_sector(tok, name, lex)), "demonym")


def _lone_subject_group_pass(st: MentionState) -> None:
    """A bare plural group noun as a clause's subject in a sentence that names one country only:
    "Prisoners rioted at a jail in Haiti's capital" → Haitian prisoners (not "West African leaders … Niger")."""
    doc, lex = st.doc, st.lex
    actor_at = st.actor_at()
    cols, toks = columns(doc), doc_tokens(doc)
    for i, tok in enumerate(toks):
        if i in st.taken or cols.dep[i] != "nsubj" or cols.tag[i] != "NNS" or not _group_head_at(cols, i, lex):
            continue
        determined = any(c.dep_ in ("poss", "det", "nummod") and c.lower_ != "the" for c in _lefts(tok))
        if tok.head.pos_ != "VERB" or determined:
            continue
        if any(c.i in actor_at for c in tok.subtree if c.i < tok.i) or _regional_modifiers(tok, st):
            continue  # "West African leaders": of several countries, not of the one the sentence names
        countries = _sentence_countries(tok, st, actor_at)  # only the sentence's own tokens are looked up
        demonym = _adjective_demonym(next(iter(countries)), lex) if len(countries) == 1 else None
        if demonym is None:
            continue
        country = next(iter(countries))
        name = f"{demonym} {tok.lower_}"
        st.add(doc[tok.i : tok.i + 1], Actor(name, "group", country, _group_sector(tok, name, lex)), "demonym")


def _role_pass(st: MentionState) -> None:
    """Role references to a person the article names: "the North Korean leader" → Kim Jong Un, "a Donbas
    separatist leader", "the head of the Kremlin"; they replace any shorter mention inside them."""
    actor_at = {i: a for i, (_, a) in st.actor_at().items()}
    cols, role = columns(st.doc), actor_words(st.lex).role
    for i in range(len(st.doc)):
        if i in st.taken or cols.pos[i] != "NOUN" or cols.low_lemma[i] not in role or cols.dep[i] == "compound":
            continue  # what `_role_reference` asks first, from the columns
        found = _role_reference(st.doc[i], st.lex, st.article, actor_at, st.places)
        if found:
            phrase, person = found
            st.spans = [x for x in st.spans if x[0].end <= phrase.start or x[0].start >= phrase.end]
            st.add(phrase, Actor(person.name, "person", person.country, _person_sector(person, st.lex)), "role")


LOCATIVE_PREPS = frozenset({"in", "at", "across", "throughout", "through", "inside", "near", "outside", "around"})


def _event_place_country(
    tok: Token, st: MentionState, actor_at: dict[int, tuple[Span, Actor]], dateline: bool = True
) -> str | None:
    """The one country where the sentence of `tok` is set: gazetteer places and states or capitals after a
    locative preposition ("… in Nairobi", "at a jail in Haiti's capital"); None when several; when none, the
    dateline's country (`dateline`) or None."""
    inside = range(*st.facts.sentence(tok))  # the sentence's tokens only: not every place and mention of the doc
    found = {st.places[i].country for i in inside if i in st.places and st.places[i].country}
    for i in (i for i in inside if i in actor_at):
        span, a = actor_at[i]
        if a.actor_type != "state" or not a.country or i != span.end - 1:
            continue
        last = st.doc[i]
        if last.dep_ == "pobj" and last.head.lower_ in LOCATIVE_PREPS:
            found.add(a.country)
        elif last.dep_ == "poss" and last.head.dep_ == "pobj" and last.head.head.lower_ in LOCATIVE_PREPS:
            found.add(a.country)  # "in Haiti's capital"
    if not found:
        return st.article.dateline_country if dateline else None
    return next(iter(found)) if len(found) == 1 else None


def _regional_modifiers(tok: Token, st: MentionState) -> list[Token]:
    """Capitalised adjectives before a generic noun that name no state and no actor ("West African leaders",
    "Arab ministers", "European diplomats"): the group is of several countries, so no place or paragraph gives
    it one. Out: the modifier phrases' tokens (empty when there is none)."""
    out: list[Token] = []
    for c in _lefts(tok):
        if c.dep_ not in ("amod", "compound") or c.i in st.taken or (c.is_sent_start and c.ent_type_ != "NORP"):
            continue  # "Angry protesters": a capital that only starts the sentence
        words = [t for t in c.subtree if t.i < tok.i]
        proper = words and all(t.is_alpha and t.text[:1].isupper() and t.i not in st.taken for t in words)
        named = any(t.i in st.places or t.i in st.ner_places or t.ent_type_ in ("PERSON", "ORG", "GPE") for t in words)
        if proper and not named:
            out.extend(words)
    return out


def _regional_body(region: list[Token], lex: Lexicon) -> Actor | None:
    """The regional organisation that leaders or ministers of a region stand for (groups.yaml `regional_bodies`,
    `regional_body_nouns`): "West African leaders" → ECOWAS, "Southeast Asian foreign ministers" → ASEAN."""
    if not region:
        return None
    name = lex.regional_bodies.get(" ".join(t.lower_ for t in sorted(region, key=lambda t: t.i)))
    entry = _organizations_by_name(lex).get(name.lower()) if name else None
    return _entry_actor(entry, lex) if entry is not None else None


@cache
def _organizations_by_name(lex: Lexicon) -> dict[str, ActorEntry]:
    return {a.name.lower(): a for a in lex.actors if a.actor_type == "organization"}


def _own_demonym(tok: Token, st: MentionState) -> tuple[int, str, int] | None:
    """A demonym match (not taken by another pass) that modifies `tok` directly: (its first token, its country,
    the words it spans from there up to `tok`'s phrase), e.g. "the Spanish ambassador" → Spain; else None."""
    for match_id, start, end in st.facts.demonyms:
        if end <= tok.i and any(
            st.doc[i].head.i == tok.i and st.doc[i].dep_ in ("amod", "compound") for i in range(start, end)
        ):
            if any(i in st.taken for i in range(start, end)) or any(
                st.doc[i].dep_ not in ("amod", "compound") for i in range(end, tok.i)
            ):
                continue
            entry = st.idx.demonym_entries[int(st.doc.vocab.strings[match_id])]
            if entry.country:
                return start, entry.country, end - start
    return None


def _sentence_countries(tok: Token, st: MentionState, actor_at: dict[int, tuple[Span, Actor]]) -> set[str]:
    """Every country the sentence of `tok` names: its country-coded mentions (states, demonym groups, persons
    of a known country) and gazetteer places."""
    inside = range(*st.facts.sentence(tok))
    found = {actor_at[i][1].country for i in inside if i in actor_at and actor_at[i][1].country}
    found |= {st.places[i].country for i in inside if i in st.places and st.places[i].country}
    return cast(set[str], found)  # the Nones are filtered out above


def _home_country(tok: Token, st: MentionState, actor_at: dict[int, tuple[Span, Actor]]) -> str | None:
    """The country of a generic actor that nothing places: the one country its sentence names ("Ghana's
    finance minister … and the opposition rejected"), else, when the sentence names none, the country its
    paragraph is set in (`home_signals` of the paragraph: most signals, the first on a tie; "Kenya's teachers
    struck … ¶ Nurses joined the strike"); None when the sentence names several ("US officials … would
    reward the regime": whose?) or the paragraph none."""
    named = _sentence_countries(tok, st, actor_at)
    if named:
        return next(iter(named)) if len(named) == 1 else None
    if st.signals is None:
        st.signals = home_signals(st.doc, st.lex, st.mentions())
    text = doc_text(st.doc)
    start = text.rfind("\n", 0, tok.idx) + 1
    end = text.find("\n", tok.idx)
    end = len(text) if end < 0 else end
    found = Counter(c for at, c in st.signals if start <= at < end)
    return found.most_common(1)[0][0] if found else None


def _generic_pass(st: MentionState) -> None:
    """Generic actors without a demonym (groups.yaml `sectors`): "police fired tear gas" → police (COP),
    "police in Amman" → Jordanian police (JOR, COP), "rioters burned a police station in Lagos" → Nigerian
    rioters (NGA, CVL), "riot police", "opposition supporters". The country comes from "in/from/of X" after the
    noun, else the one place the sentence is set in, else none. Not a noun modifying another ("police
    station"), one owned by someone ("Putin's supporters"), a title with a named holder (role pass), a pair
    reference ("both leaders") or a state noun ("authorities")."""
    doc, lex = st.doc, st.lex
    actor_at = st.actor_at()
    cols, toks = columns(doc), doc_tokens(doc)
    for i, tok in enumerate(toks):
        if i in st.taken or cols.pos[i] not in ("NOUN", "PROPN") or cols.dep[i] in ("compound", "amod", "poss"):
            continue
        if tok.lower_ in actor_words(lex).regional_body_nouns:  # "West African leaders" → ECOWAS
            region = _regional_modifiers(tok, st)
            body = _regional_body(region, lex)
            if body is not None:
                st.add(doc[region[0].i : tok.i + 1], body, "region")
                continue
        sector = noun_sector(tok, lex)
        if sector is None or tok.lower_ in lex.state_nouns or tok.lower_ in actor_words(lex).not_generic:
            continue
        if _pair_reference(tok, lex):
            continue
        if any(c.dep_ == "poss" or (c.dep_ in ("compound", "amod") and c.i in actor_at) for c in _lefts(tok)):
            continue  # "Putin's supporters", "Hamas militants": the owner or name is the actor
        mods = [c for c in _lefts(tok) if c.dep_ in ("compound", "amod") and c.i not in st.taken]
        mods = [c for c in mods if all(_group_modifier(t, lex) and t.tag_ not in ("JJR", "JJS") for t in c.subtree)]
        own = _own_demonym(tok, st)  # "the Spanish ambassador" (a title no named person holds): Spain's
        region = [] if own else _regional_modifiers(tok, st)  # "West African leaders": several countries
        mods = sorted({*mods, *region}, key=lambda t: t.i)
        begin = min([m.left_edge.i for m in mods] + [tok.i] + ([own[0]] if own else []))
        phrase = doc[begin : tok.i + 1]
        # "the armed forces and people of Russia": a conjunct's placing phrase places the whole coordination
        conjuncts = [tok, *(c for c in children(tok) if c.dep_ == "conj")] + ([tok.head] if tok.dep_ == "conj" else [])
        country = own[1] if own else None
        country = country or next((c for t in conjuncts if (c := _placed_by(t, actor_at, st.places, lex))), None)
        if not region:
            country = country or _event_place_country(tok, st, actor_at)
            country = country or _home_country(tok, st, actor_at)
        demonym = _adjective_demonym(country, lex) if country else None
        words = [
            t.text if t in region or (region and t.i < tok.i and t.text[:1].isupper()) else t.lower_ for t in phrase
        ]
        for k in range(min(3, len(words)), 0, -1):  # groups.yaml canonical_nouns: "protestors" → "protesters"
            tail = " ".join(words[-k:])
            if tail in lex.group_canonical:
                words = [*words[:-k], lex.group_canonical[tail]]
                break
        if own:  # the demonym is said once, in its adjective form
            words = [w for t, w in zip(phrase, words, strict=False) if not own[0] <= t.i < own[0] + own[2]]
        name = " ".join([demonym, *words] if demonym else words).replace(" - ", "-")
        st.add(phrase, Actor(name, "group", country, sector), "agent")


def _pair_pass(st: MentionState) -> None:
    """ "the two leaders", "both presidents": the last two persons the text named with that office (a pair
    mention whose `partner` is the second); also keeps `article.recent` in the text's order."""
    doc, article = st.doc, st.article
    out = st.mentions()
    cursor = 0
    cols, pair = columns(doc), actor_words(st.lex).pair
    for i, tok in enumerate(doc_tokens(doc)):
        while cursor < len(out) and out[cursor].start < i:
            if out[cursor].actor.actor_type == "person":
                _seen_person(article, out[cursor].actor)
            cursor += 1
        if cols.lower[i] not in pair or cols.pos[i] != "NOUN":
            continue  # what `_pair_reference` asks first, from the columns
        if i not in st.taken and _pair_reference(tok, st.lex) and len(article.recent) >= 2:
            a, b = _pair_persons(tok, article, st.lex)
            st.pairs.append(Mention(tok.i, tok.i + 1, a, _pair_text(tok), "pair", partner=b))
    for m in out[cursor:]:
        if m.actor.actor_type == "person":
            _seen_person(article, m.actor)


@dataclass(frozen=True)
class MentionPass:
    name: str
    run: Callable[[MentionState], None]


def _dateline_government_pass(st: MentionState) -> None:
    """A bare "the government" / "the authorities" with no state named in its phrase is the state of the
    article's dateline (rule 3): "LIMA, Peru — The government declared a state of emergency" → Peru, and
    so is a bare "government" modifying a noun ("rejected a government offer").
    Without a dateline it stays unresolved (a brief of many countries names no one home)."""
    country = st.article.dateline_country
    if country is None:
        return
    entry = next((a for a in st.lex.actors if a.actor_type == "state" and a.country == country), None)
    if entry is None:
        return
    doc = st.doc
    named = set(st.actor_at()) | set(st.places)  # tokens of the mentions (kept up to date below) and places
    for tok in doc_tokens(doc):
        if tok.i in st.taken or tok.pos_ != "NOUN" or tok.lower_ not in st.lex.state_nouns:
            continue
        lefts = list(_lefts(tok))
        placed = any(c.dep_ == "prep" and any(o.i in named for o in children(c)) for c in _rights(tok))
        compound = tok.dep_ == "compound" and not lefts  # "rejected a government offer"
        if not compound and tok.lower_ in actor_words(st.lex).home_state:
            continue  # a bare "the junta": the home_state pass (a junta named before, the sentence's place…)
        if ([c.lower_ for c in lefts] != ["the"] and not compound) or placed:
            continue  # "the Peruvian government", "the government of Chile": named elsewhere or by a pass
        phrase = doc[tok.i - 1 : tok.i + 1]
        st.add(phrase, _entry_actor(entry, st.lex), "dateline")
        named.update(t.i for t in phrase)


def _home_state_pass(st: MentionState) -> None:
    """A bare "the government", "the junta", "the regime", "the authorities" (groups.yaml `home_state_nouns`) that
    no dateline placed stands for the state (rule 3) where it is set: "the government in Caracas" → Venezuela;
    the one place its sentence is set in ("The junta arrested dozens of activists in Yangon" → Myanmar); the
    dateline; the one country the sentence names ("Ghana's finance minister … the government agreed"); when the
    sentence names none, the country its paragraph is set in (`_home_country`). When the sentence names several
    ("US officials … would reward the regime": whose?) it stays unresolved. Never a named actor's alias."""
    doc, lex = st.doc, st.lex
    nouns = actor_words(lex).home_state
    actor_at = st.actor_at()
    cols = columns(doc)
    toks = doc_tokens(doc)
    candidates = [toks[i] for i in range(len(toks)) if cols.pos[i] == "NOUN" and cols.lower[i] in nouns]
    for tok in candidates:  # "Niger's junta", "Syria's regime": what a later bare "the junta" refers to
        for c in _lefts(tok):
            found = actor_at.get(c.i)
            if c.dep_ == "poss" and found is not None and found[1].actor_type == "state" and found[1].country:
                st.article.state_noun_countries.setdefault(tok.lemma_.lower(), Counter())[found[1].country] += 1
    for tok in candidates:
        if tok.i in st.taken:
            continue
        if [c.lower_ for c in _lefts(tok)] != ["the"] or tok.dep_ in ("compound", "poss"):
            continue  # "the Peruvian government", "its government", "the government's plan" (the owner)
        placed = _placed_by(tok, actor_at, st.places, lex)  # "the government in Caracas", "the regime of Iran"
        if placed is None and any(c.dep_ == "prep" and c.lower_ in ("of", "in") for c in _rights(tok)):
            continue  # "the government of national unity": what it is of is no country
        phrase = doc[tok.i - 1 : tok.i + 1]
        named_before = st.article.state_noun_countries.get(tok.lemma_.lower())  # "Niger's junta … the junta"
        country = placed or (named_before.most_common(1)[0][0] if named_before else None)
        country = country or _event_place_country(tok, st, actor_at) or _home_country(tok, st, actor_at)
        entry = _state_entry(lex, country) if country else None
        if entry is not None:
            st.add(phrase, _entry_actor(entry, lex), "home")


@cache
def _states_by_country(lex: Lexicon) -> dict[str, ActorEntry]:
    out: dict[str, ActorEntry] = {}
    for a in lex.actors:
        if a.actor_type == "state" and a.country:
            out.setdefault(a.country, a)
    return out


def _state_entry(lex: Lexicon, country: str) -> ActorEntry | None:
    return _states_by_country(lex).get(country)


REFERRING_DETERMINERS = frozenset({"the", "his", "her", "its", "their"})


def _referring_phrase(tok: Token) -> Token | None:
    """The determiner of a bare definite noun phrase ("the bloc", "the regional bloc", "his supporters"), or None
    when the phrase names or places its own referent ("the teachers' union", "the union of teachers")."""
    lefts = _lefts(tok)
    dets = [c for c in lefts if c.dep_ in ("det", "poss")]
    if len(dets) != 1 or dets[0].lower_ not in REFERRING_DETERMINERS or dets[0].i != lefts[0].i:
        return None
    if any(c.dep_ not in ("det", "poss", "amod") or c.pos_ == "PROPN" for c in lefts):
        return None
    if any(c.dep_ == "prep" and c.lower_ in ("of", "in", "from") for c in _rights(tok)):
        return None
    return dets[0]


def _refers_to(tok: Token, ref, actor: Actor) -> bool:
    """Whether an earlier `actor` fits the reference noun `tok` (groups.yaml `definite_references`)."""
    if actor.actor_type not in ref.kinds:
        return False
    words = actor.name.lower().replace("-", " ").split()
    if ref.name_word and tok.lower_ not in words and tok.lemma_.lower() not in words:
        return False
    if ref.international and actor.country is not None:
        return False
    if ref.same_head and (not words or words[-1] not in (tok.lower_, tok.lemma_.lower())):
        return False
    return not ref.sectors or actor.sector in ref.sectors


def _clause_subject_actors(tok: Token, actor_at: dict[int, tuple[Span, Actor]]) -> set[Actor]:
    """The actors of the subject of the clause `tok` stands in ("police … to disperse them": the police)."""
    out: set[Actor] = set()
    verb: Token | None = tok.head
    while verb is not None:
        for c in _lefts(verb):
            if c.dep_ in ("nsubj", "nsubjpass") and c.i in actor_at:
                out.add(actor_at[c.i][1])
        verb = verb.head if verb.dep_ in ("xcomp", "advcl", "conj") and verb.head.i != verb.i else None
    return out


def _reference_pass(st: MentionState) -> None:
    """A bare definite description or an object pronoun refers back to the nearest earlier actor that fits it,
    within `definite_window` sentences (groups.yaml `definite_references`, `object_pronouns`): "the Kenya
    National Union of Teachers … accused the union" → the union; "ECOWAS suspended … The bloc also gave" →
    ECOWAS; "the losing candidate called on his supporters" → the supporters named before; "police fired
    tear gas to disperse them" → the marchers of the sentence (never the clause's own subject)."""
    doc, lex, article = st.doc, st.lex, st.article
    refs = lex.definite_references
    pronouns = actor_words(lex).object_pronouns
    found = st.mentions()
    actor_at = st.actor_at()
    cursor = 0
    toks = doc_tokens(doc)
    cols = columns(doc)
    for start, end in sentence_bounds(doc):
        article.sentence_seq += 1
        seq = article.sentence_seq
        for i in range(start, end):
            while cursor < len(found) and found[cursor].start < i:
                article.seen.append((seq, found[cursor].actor, _plural(doc, found[cursor])))
                cursor += 1
            if i in st.taken:
                continue
            low = cols.lower[i]
            ref = refs.get(low) or refs.get(cols.low_lemma[i])
            if ref is not None and cols.pos[i] == "NOUN":
                tok = toks[i]
                det = _referring_phrase(tok)
                if det is None:
                    continue
                window = lex.definite_window
                actor = next(
                    (a for n, a, _ in reversed(article.seen) if n >= seq - window and _refers_to(tok, ref, a)), None
                )
                if actor is not None:
                    st.add(doc[det.i : tok.i + 1], actor, "definite")
            elif low in pronouns and cols.dep[i] in ("dobj", "pobj") and cols.pos[i] == "PRON":
                tok = toks[i]
                own = _clause_subject_actors(tok, actor_at)
                actor = next(
                    (a for n, a, many in reversed(article.seen) if n >= seq - 1 and many and a not in own),
                    None,
                )
                if actor is not None:
                    st.add(doc[tok.i : tok.i + 1], actor, "coref")
    for m in found[cursor:]:
        article.seen.append((article.sentence_seq, m.actor, _plural(doc, m)))


def _plural(doc: Doc, m: Mention) -> bool:
    """A group named in the plural ("striking teachers", "junta supporters"): what "them" can stand for."""
    tags = columns(doc).tag
    return m.actor.actor_type == "group" and any(tags[i] in ("NNS", "NNPS") for i in range(m.start, m.end))


# The passes in the order they run (each one's docstring gives its examples). Adding a rule is adding a
# function over `MentionState` and an entry here.
MENTION_PASSES: tuple[MentionPass, ...] = (
    MentionPass("dateline", _dateline_pass),
    MentionPass("dictionary", _dictionary_pass),
    MentionPass("ner", _ner_pass),
    MentionPass("titled_name", _titled_name_pass),
    MentionPass("demonym", _demonym_pass),
    MentionPass("placed_group", _placed_group_pass),
    MentionPass("owned_group", _owned_group_pass),
    MentionPass("lone_subject_group", _lone_subject_group_pass),
    MentionPass("role", _role_pass),
    MentionPass("generic", _generic_pass),
    MentionPass("dateline_government", _dateline_government_pass),
    MentionPass("home_state", _home_state_pass),
    MentionPass("reference", _reference_pass),
    MentionPass("pair", _pair_pass),
)


def find_mentions(doc: Doc, lex: Lexicon, article: ArticleActors) -> list[Mention]:
    """All actor mentions in one spaCy doc, longest first where they overlap (`MENTION_PASSES` in order)."""
    article.office_titles = actor_words(lex).office
    facts = doc_facts(doc, lex)
    st = MentionState(doc, lex, article, actor_index(lex, doc), facts.places, facts.ner_places, facts)
    for p in MENTION_PASSES:
        p.run(st)
    return sorted(st.mentions() + st.pairs, key=lambda m: (m.start, -m.end))


def _pair_reference(tok: Token, lex: Lexicon) -> bool:
    if tok.lower_ not in actor_words(lex).pair or tok.pos_ != "NOUN":
        return False
    return any(
        (c.dep_ in ("det", "predet") and c.lower_ in ("both", "the")) or (c.dep_ == "nummod" and c.lower_ == "two")
        for c in _lefts(tok)
    )


def _pair_persons(tok: Token, article: ArticleActors, lex: Lexicon) -> tuple[Actor, Actor]:
    """The last two persons named who hold the office the phrase names ("the two leaders": two persons
    with a leader's title, not the sister named in between); the last two named when fewer hold it."""
    word = tok.lower_
    office: frozenset[str] | set[str]
    if word == "leaders":
        office = actor_words(lex).leader | actor_words(lex).pair_leader
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
    start = min([c.i for c in _lefts(tok) if c.dep_ in ("det", "predet", "nummod", "amod")] + [tok.i])
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
        subj = next((c for c in children(verb) if c.dep_ == "nsubj"), None)
        if subj is None or subj.i == tok.i or tok.i in {t.i for t in subj.subtree}:
            continue
        found = actor_at.get(subj.i)
        if found is not None and found[1].actor_type in ("state", "group") and found[1].country:
            return found[1]
        return None  # the nearest subject is someone else
    return None


def _unnamed_official(head: Token, lex: Lexicon) -> bool:
    """ "an Argentine judge", "a Chinese diplomat": one unnamed official, coded as a group of that country
    (with "the", a title points to a named person instead: role references)."""
    return (
        head.pos_ == "NOUN"
        and head.lemma_.lower() in actor_words(lex).titles
        and any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in _lefts(head))
    )


def _group_head(tok: Token, lex: Lexicon) -> bool:
    return tok.lemma_.lower() in lex.group_nouns or tok.lower_ in lex.group_nouns


def _group_head_at(cols: Columns, i: int, lex: Lexicon) -> bool:
    """`_group_head` of the doc's token `i`, from its columns."""
    return cols.low_lemma[i] in lex.group_nouns or cols.lower[i] in lex.group_nouns


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


def _placed_by(
    tok: Token, actor_at: dict[int, tuple[Span, Actor]], places: dict[int, Place], lex: Lexicon
) -> str | None:
    """The country of a state, a country-coded actor or a gazetteer place after in/from/of (directly or
    after "based", "operating"): "forces in Guinea", "doctors from American aid groups"."""
    preps = [c for c in _rights(tok) if c.dep_ == "prep" and c.lower_ in actor_words(lex).placing_preps]
    participles = actor_words(lex).placing_participles
    for acl in (c for c in _rights(tok) if c.dep_ == "acl" and c.lemma_.lower() in participles):
        preps += [c for c in children(acl) if c.dep_ == "prep" and c.lower_ == "in"]
    for prep in preps:
        for pobj in (c for c in children(prep) if c.dep_ == "pobj"):
            for t in [pobj, *(c for c in _lefts(pobj) if c.dep_ in ("compound", "amod", "poss"))]:
                found = actor_at.get(t.i)
                if found is not None and found[1].country and found[1].actor_type in ("state", "group"):
                    return found[1].country
                if found is None and t.i in places and places[t.i].country and prep.lower_ != "of":
                    return places[t.i].country
    return None


def _adjective_demonym(country: str, lex: Lexicon) -> str | None:
    """The adjective of a country ("GIN" → "Guinean"), or None."""
    return _adjective_demonyms(lex).get(country)


@cache
def _adjective_demonyms(lex: Lexicon) -> dict[str, str | None]:
    """Country → its adjective: the first demonym of the index not ending in "s" (as spelled in the entry)."""
    out: dict[str, str | None] = {}
    for dem, entry in lex.demonym_index.items():
        if entry.country is not None and entry.country not in out and not dem.endswith("s"):
            out[entry.country] = next((d for d in entry.demonyms if d.lower() == dem), None)
    return out


def _group_name(demonym: str, between: list[Token], head: Token, lex: Lexicon) -> str:
    """ "North Korean" + [military] + "personnel" → "North Korean soldiers" (groups.yaml canonical_nouns)."""
    words = [t.text for t in between] + [head.text]
    for k in range(min(3, len(words)), 0, -1):
        tail = " ".join(words[-k:]).lower()
        if tail in lex.group_canonical:
            words = [*words[:-k], lex.group_canonical[tail]]
            break
    return " ".join([demonym, *words]).replace(" - ", "-")


def _lefts(tok: Token) -> list[Token]:
    """`Token.lefts` from the doc's children lists: spaCy scans the token's whole left subtree for them."""
    doc = tok.doc
    toks = doc_tokens(doc)
    return [toks[c] for c in child_lists(doc)[tok.i] if c < tok.i]


def _rights(tok: Token) -> list[Token]:
    """`Token.rights`, likewise (spaCy scans the whole right subtree: a long list of names is one)."""
    doc = tok.doc
    toks = doc_tokens(doc)
    return [toks[c] for c in child_lists(doc)[tok.i] if c > tok.i]


def _subtree_ids(kids: list[list[int]], root: int) -> list[int]:
    """The token indexes of a subtree (the same tokens as `Token.subtree`, in no particular order)."""
    out, stack = [], [root]
    while stack:
        i = stack.pop()
        out.append(i)
        stack.extend(kids[i])
    return out


def _titles(head: Token, span_start: int, lex: Lexicon) -> set[str]:
    """Office words before a name or in its appositive: "Russian Defense Minister X", "X, the Chairman of…"."""
    title_words = actor_words(lex).titles
    out = {t.lemma_.lower() for t in _premodifiers(head, span_start) if t.lemma_.lower() in title_words}
    doc = head.doc
    kids, cols = child_lists(doc), columns(doc)
    for c in kids[head.i]:
        if c > head.i and cols.dep[c] == "appos":
            out |= {cols.low_lemma[i] for i in _subtree_ids(kids, c) if cols.low_lemma[i] in title_words}
    return out


def _role_reference(tok: Token, lex: Lexicon, article: ArticleActors, actor_at: dict[int, Actor], places):
    """A title noun with an article that names no one but points to a known person of that country."""
    title = tok.lemma_.lower()
    if tok.pos_ != "NOUN" or title not in actor_words(lex).role or tok.dep_ == "compound":
        return None
    if not any(c.dep_ == "det" and c.lower_ in ("the", "a", "an") for c in _lefts(tok)):
        return None
    mods = [t for c in _lefts(tok) if c.dep_ in ("compound", "amod", "nmod", "npadvmod", "poss") for t in c.subtree]
    required = {title} | {t.lemma_.lower() for t in mods if t.lemma_.lower() in actor_words(lex).titles}
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
        for prep in _rights(tok):
            if prep.dep_ == "prep" and prep.lower_ == "of":
                for pobj in children(prep):
                    a = actor_at.get(pobj.i)
                    if pobj.dep_ == "pobj" and a is not None and a.actor_type == "state":
                        country, end = a.country, pobj.right_edge.i + 1
    if country is None:
        return None
    hits = []
    for rec in article.persons.values():
        if rec.country != country or rec in hits:
            continue
        leader = actor_words(lex).leader
        titles = rec.titles | (leader if rec.titles & leader else set())
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


def _clean_person_span(ent: Span, lex: Lexicon) -> Span | None:
    start, end = ent.start, ent.end
    honorifics = actor_words(lex).honorifics
    titles = actor_words(lex).titles
    while start < end and (ent.doc[start].lower_.strip(".") in honorifics or not ent.doc[start].is_alpha):
        start += 1
    while end - start > 1 and ent.doc[start].lower_ in lex.agent_sectors and ent.doc[start].lower_ not in titles:
        start += 1  # "Activist Loujain al-Hathloul" tagged as one name: the role noun is no part of it
    while end > start and (ent.doc[end - 1].is_punct or ent.doc[end - 1].lower_ in ("'s", "’s")):
        end -= 1
    if start >= end:
        return None
    return ent.doc[start:end]


def _person_actor(ent: Span, lex: Lexicon, doc: Doc, article: ArticleActors) -> Actor | None:
    span = _clean_person_span(ent, lex)
    if span is None or not any(t.is_alpha and t.text[:1].isupper() for t in span):
        return None
    if any(t.lower_ in lex.group_nouns for t in span):
        return None
    head = span.root
    mods = _premodifiers(head, span.start)
    state = demonym_country(mods, lex, doc) or _appositive_country(head, lex, doc)
    titles = _titles(head, span.start, lex)
    known = article.find(span.text)
    if known and (len(span) == 1 or normalise_name(span.text) in normalise_name(known.name)):
        if state and not known.country:
            known.country = state.country
        known.titles |= titles
        known.sector = known.sector or _modifier_sector(mods, lex)
        return Actor(known.name, "person", known.country, _person_sector(known, lex))
    # a lone name seen nowhere in full is kept too: it may be all the text gives
    rec = _remember_person(article, span.text, state.country if state else None, titles)
    in_name = {t.lower_ for t in span[:1] if t.lower_ in actor_words(lex).titles}  # "King Mohammed VI"
    rec.sector = rec.sector or _modifier_sector(mods, lex) or title_sector(in_name, lex)
    return Actor(rec.name, "person", rec.country, _person_sector(rec, lex))


_ORG_STOP = frozenset({"the", "a", "an"})


def _org_actor(ent: Span, lex: Lexicon, doc: Doc) -> Actor | None:
    tokens = [t for t in ent if t.lower_ not in _ORG_STOP and not t.is_punct]
    if not tokens or not any(t.text[:1].isupper() for t in tokens):
        return None
    title_words = actor_words(lex).titles
    if all(t.lower_ in title_words for t in tokens) or ent.root.head.lemma_.lower() in title_words - {"head"}:
        return None  # "Defense" in "Russian Defense Minister": part of a title, not an organisation
    if all(t.like_num for t in tokens) or tokens[-1].lemma_.lower() in lex.non_actor_heads:
        return None  # "the Comprehensive Strategic Partnership Treaty" names a document, not an actor
    name = doc[tokens[0].i : tokens[-1].i + 1].text
    if name.endswith(("'s", "’s")):
        name = name[:-2]
    state = demonym_country(list(ent) + _premodifiers(ent.root, ent.start), lex, doc)
    return Actor(name, "organization", state.country if state else None, name_sector(name, lex))


def home_signals(doc: Doc, lex: Lexicon, mentions: list[Mention]) -> list[tuple[int, str]]:
    """Countries the text presents as the setting, in order: demonym adjectives ("Ugandan opposition"),
    possessive or modifying state names ("Haiti's elections", "Kenya Anti-Corruption Commission") and
    gazetteer places below the state ("in Kherson Oblast"). A state named as a counterpart ("action
    against Russia") is not a signal. Out: (character offset in the doc, ISO3) pairs."""
    idx = actor_index(lex, doc)
    out: list[tuple[int, str]] = []
    for match_id, start, _end in doc_facts(doc, lex).demonyms:
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
    """An NER person with an office title or a sector noun ("journalist Ayse Kaya"), or an NER organisation,
    whose country the text did not give: extract.py gives it its paragraph's country."""
    if mention.source != "ner" or mention.actor.country:
        return False
    if mention.actor.actor_type == "organization":
        return True
    rec = article.persons.get(normalise_name(mention.actor.name))
    return rec is not None and (bool(rec.titles & article.office_titles) or mention.actor.sector is not None)
