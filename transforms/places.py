"""Sentence → the place an action happened, with its ISO3 country.

In: a spaCy doc, the trigger token, the `Lexicon` (gazetteer of places plus
every state and its capital). Out: `Place(name, country)` or None. The place
tied to the action by a preposition (in, at, to, near, into…) counts, the
most specific one first; a place elsewhere in the sentence is not the action's. NER alone is not trusted for places
(the small model tags "Kursk Oblast" as a person), so the gazetteer comes first
and NER GPE/LOC/FAC entities fill in; only the places imported from the Phoenix state records
(`cameo/places.yaml`: "Auckland" → NZL) give way to a longer NER person holding them ("Anna Bergen").
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from transforms.lexicon import Lexicon, per_lexicon
from transforms.matching import pattern_docs
from transforms.tree import children, doc_ents

PLACE_PREPS = frozenset(
    {"in", "at", "to", "near", "into", "inside", "across", "outside", "off", "on", "toward", "towards"}
)
STATE_PREPS = frozenset({"in", "at", "inside", "across"})
KIND_RANK = {"facility": 0, "zone": 1, "city": 2, "region": 3, "sea": 3, "river": 3, "place": 3, "state": 5}


@dataclass(frozen=True)
class Place:
    name: str
    country: str | None
    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class _Gaz:
    matcher: PhraseMatcher
    rows: tuple[tuple[str, str | None, str, bool], ...]  # name, country, kind, imported


@per_lexicon
def _gazetteer(lex: Lexicon, vocab) -> _Gaz:
    matcher = PhraseMatcher(vocab, attr="ORTH")
    rows: list[tuple[str, str | None, str, bool]] = []
    seen: set[str] = set()

    def add(name: str, country: str | None, kind: str, forms, imported: bool = False) -> None:
        pats = pattern_docs(vocab, [f for f in sorted({name, *forms}) if f and f[:1].isupper() and f not in seen])
        seen.update(f for f in forms)
        if pats:
            matcher.add(str(len(rows)), pats)
            rows.append((name, country, kind, imported))

    for p in lex.places:
        add(p.name, p.country, p.kind, p.aliases, p.imported)
    for a in lex.actors:
        if a.actor_type == "state":
            plain = [x for x in a.aliases if not x.lower().startswith("the ") and " " not in x or x[:1].isupper()]
            add(a.name, a.country, "state", [x for x in plain if not x.isupper() or len(x) > 3])
    return _Gaz(matcher, tuple(rows))


class Places(list):
    """The places of a doc sorted by start token, with `within(start, end)`: the places starting in a token
    range by bisection (an event's sentence looks up its places without reading the whole doc's)."""

    def __init__(self, places) -> None:
        super().__init__(places)
        self.starts = [p.start for p in self]

    def within(self, start: int, end: int) -> list[Place]:
        return self[bisect_left(self.starts, start) : bisect_left(self.starts, end)]


_FOUND = "newsevents_places"


def find_places(doc: Doc, lex: Lexicon) -> Places:
    """The doc's places (gazetteer, then NER), once per doc and lexicon (kept in `doc.user_data`)."""
    found = doc.user_data.get(_FOUND)
    if found is None or found[0] != id(lex):
        found = doc.user_data[_FOUND] = (id(lex), _find_places(doc, lex))
    return found[1]


def _find_places(doc: Doc, lex: Lexicon) -> Places:
    gaz = _gazetteer(lex, doc.vocab)
    spans = []
    for match_id, start, end in gaz.matcher(doc):
        spans.append(Span(doc, start, end, label=match_id))
    places: list[Place] = []
    covered: set[int] = set()
    persons = {i: e for e in doc_ents(doc) if e.label_ == "PERSON" for i in range(e.start, e.end)}
    for span in filter_spans(spans):
        name, country, kind, imported = gaz.rows[int(doc.vocab.strings[span.label])]
        person = persons.get(span.start)
        if imported and person is not None and len(person) > len(span):
            continue  # an imported place name inside a longer person's name ("Anna Bergen"): the person's
        places.append(Place(name, country, kind, span.start, span.end))
        covered |= set(range(span.start, span.end))
    for ent in doc_ents(doc):
        if ent.label_ in ("GPE", "LOC", "FAC") and not any(t.i in covered for t in ent):
            text = ent.text[4:] if ent.text.lower().startswith("the ") else ent.text
            places.append(Place(text, None, "place", ent.start, ent.end))
    return Places(sorted(places, key=lambda p: p.start))


def event_place(trigger: Token, sent: Span, places: list[Place], skip: set[int], visit: bool = False) -> Place | None:
    """The place tied to the action, or None; `skip` holds token indices of the actors' mentions.

    A place counts when a place preposition ("in", "at", "near", "into", "to", "on the territory of")
    attaches it to the trigger, to the trigger's object or to a purpose clause under the trigger
    ("deploy engineers to demine territory in Kursk Oblast"). A whole state is a location only "in"
    or "at" it (sending "to Russia" names a counterpart, not a place), or as the object of a visit
    (`visit`: "visited the DPRK"). Places elsewhere in the sentence are not the action's."""
    if isinstance(places, Places):
        in_sent = places.within(sent.start, sent.end)
    else:
        in_sent = [p for p in places if sent.start <= p.start < sent.end]
    if not in_sent:
        return None
    by_token = {i: p for p in in_sent for i in range(p.start, p.end)}
    heads = [trigger]
    for child in children(trigger):
        if child.dep_ in ("dobj", "attr", "oprd", "pobj"):
            heads.append(child)
        if child.dep_ == "prep" and child.lower_ in ("for", "of", "over", "after"):
            heads.extend(c for c in children(child) if c.dep_ == "pobj")  # "blamed sabotage for explosions at…"
        if child.dep_ in ("xcomp", "advcl") and child.i > trigger.i:
            heads.append(child)
            heads.extend(c for c in children(child) if c.dep_ in ("dobj", "attr"))
    found: list[Place] = []
    for head in heads:
        for prep in children(head):
            if prep.dep_ != "prep" or prep.lower_ not in PLACE_PREPS:
                continue
            for tok in prep.subtree:
                p = by_token.get(tok.i)
                if p is None or p in found or any(i in skip for i in range(p.start, p.end)):
                    continue
                if p.kind == "state" and prep.lower_ not in STATE_PREPS:
                    continue
                found.append(p)
    if trigger.dep_ == "relcl" and trigger.head.i in by_token and any(c.lower_ == "where" for c in children(trigger)):
        found.append(by_token[trigger.head.i])  # "arrived in Pyongyang, where he met…"
    if visit:
        for obj in children(trigger):
            if obj.dep_ == "dobj" and obj.i in by_token:
                found.append(by_token[obj.i])
    if not found:
        return None
    return min(found, key=lambda p: (KIND_RANK.get(p.kind, 3), abs(p.start - trigger.i)))
