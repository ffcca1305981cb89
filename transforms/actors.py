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
    source: str  # dictionary, demonym, ner, role, pronoun


@dataclass
class PersonRecord:
    name: str
    country: str | None
    titles: set[str] = field(default_factory=set)


@dataclass
class ArticleActors:
    """What is known about persons across one article (filled as docs are read)."""

    persons: dict[str, PersonRecord] = field(default_factory=dict)  # normalised full name → record

    def find(self, surface: str) -> PersonRecord | None:
        key = normalise_name(surface)
        if key in self.persons:
            return self.persons[key]
        parts = key.split()
        if not parts:
            return None
        # a short reference: every part of it is a part of exactly one known full name
        hits = [p for k, p in self.persons.items() if set(parts) <= set(k.split())]
        if len(hits) == 1:
            return hits[0]
        # "Jong-un" → "jong un" ⊂ "kim jong un" handled above; "Kim" may match several Kims: prefer the first
        return hits[0] if hits else None


def normalise_name(name: str) -> str:
    name = _HYPHEN.sub(" ", name).replace("’", "'").replace(".", "")
    return " ".join(name.lower().split())


def _entry_actor(entry: ActorEntry) -> Actor:
    return Actor(entry.name, entry.actor_type, entry.country)


def _variants(alias: str) -> set[str]:
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


def find_mentions(doc: Doc, lex: Lexicon, article: ArticleActors) -> list[Mention]:
    """All actor mentions in one spaCy doc, longest first where they overlap."""
    idx = actor_index(lex, doc)
    spans: list[tuple[Span, Actor, str]] = []

    # 1. dictionary names and aliases
    dict_spans = []
    for match_id, start, end in idx.matcher(doc):
        entry = idx.entries[int(doc.vocab.strings[match_id])]
        dict_spans.append(Span(doc, start, end, label=match_id))
    for span in filter_spans(dict_spans):
        entry = idx.entries[int(doc.vocab.strings[span.label])]
        if entry.actor_type == "person":
            _remember_person(article, entry.name, entry.country, {entry.title} if entry.title else set())
        spans.append((span, _entry_actor(entry), "dictionary"))

    taken = {t.i for s, _, _ in spans for t in s}

    # 2. NER persons and organisations not covered by the dictionaries
    for ent in doc.ents:
        if any(t.i in taken for t in ent):
            continue
        if ent.label_ == "PERSON":
            actor = _person_actor(ent, lex, doc, article)
            if actor:
                spans.append((ent, actor, "ner"))
                taken |= {t.i for t in ent}
        elif ent.label_ == "ORG":
            actor = _org_actor(ent, lex, doc)
            if actor:
                spans.append((ent, actor, "ner"))
                taken |= {t.i for t in ent}

    # 3. demonym phrases: "North Korean soldiers", "North Korean authorities", "the Russian leader"
    for match_id, start, end in idx.demonyms(doc):
        if any(i in taken for i in range(start, end)):
            continue
        entry = idx.demonym_entries[int(doc.vocab.strings[match_id])]
        head = doc[end - 1].head
        if head.i < end or head.pos_ not in ("NOUN", "PROPN") or head.i in taken:
            # a demonym used as a noun: "the Russians" is handled by the dictionary; skip adjectives
            continue
        # the phrase must be a plain noun phrase: demonym + modifiers + head
        if any(doc[k].pos_ not in ("ADJ", "NOUN", "PROPN", "PUNCT") for k in range(end, head.i)):
            continue
        noun = head.lemma_.lower()
        phrase = doc[start : head.i + 1]
        if noun in lex.state_nouns or head.lower_ in lex.state_nouns:
            spans.append((phrase, _entry_actor(entry), "demonym"))
        elif noun in TITLE_WORDS and any(c.dep_ == "det" for c in head.lefts):
            person = _role_person(article, entry.country, noun)
            if person:
                spans.append((phrase, Actor(person.name, "person", person.country), "role"))
        elif noun in lex.group_nouns or head.lower_ in lex.group_nouns:
            mods = [t.text for t in doc[end : head.i + 1]]
            name = " ".join([doc[start:end].text, *mods])
            spans.append((phrase, Actor(name, "group", entry.country), "demonym"))
        else:
            continue
        taken |= set(range(start, head.i + 1))

    mentions = [Mention(s.start, s.end, a, s.text, src) for s, a, src in spans]
    mentions.sort(key=lambda m: (m.start, -m.end))
    return mentions


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
    titles = {t.lemma_.lower() for t in mods if t.lemma_.lower() in TITLE_WORDS}
    for child in head.rights:
        if child.dep_ == "appos":
            titles |= {t.lemma_.lower() for t in child.subtree if t.lemma_.lower() in TITLE_WORDS}
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


def _role_person(article: ArticleActors, country: str | None, title: str) -> PersonRecord | None:
    for rec in article.persons.values():
        if rec.country == country and title in rec.titles:
            return rec
    return None


_ORG_STOP = frozenset({"the", "a", "an"})


def _org_actor(ent: Span, lex: Lexicon, doc: Doc) -> Actor | None:
    tokens = [t for t in ent if t.lower_ not in _ORG_STOP and not t.is_punct]
    if not tokens or not any(t.text[:1].isupper() for t in tokens):
        return None
    if all(t.like_num for t in tokens):
        return None
    name = doc[tokens[0].i : tokens[-1].i + 1].text
    if name.endswith(("'s", "’s")):
        name = name[:-2]
    state = demonym_country(list(ent) + _premodifiers(ent.root, ent.start), lex, doc)
    return Actor(name, "organization", state.country if state else None)
