"""Sentence → the place an action happened, with its ISO3 country.

In: a spaCy doc, the trigger token, the `Lexicon` (gazetteer of places plus
every state and its capital). Out: `Place(name, country)` or None. The place
tied to the action by a preposition (in, at, to, near, into) wins; otherwise
the most specific place in the sentence. NER alone is not trusted for places
(the small model tags "Kursk Oblast" as a person), so the gazetteer comes first
and NER GPE/LOC/FAC entities fill in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from transforms.lexicon import Lexicon
from transforms.matching import pattern_docs

PLACE_PREPS = frozenset({"in", "at", "to", "near", "into", "inside", "across", "outside", "off", "from", "over"})
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
    rows: tuple[tuple[str, str | None, str], ...]


@cache
def _gazetteer(lex: Lexicon, vocab) -> _Gaz:
    matcher = PhraseMatcher(vocab, attr="ORTH")
    rows: list[tuple[str, str | None, str]] = []
    seen: set[str] = set()

    def add(name: str, country: str | None, kind: str, forms) -> None:
        pats = pattern_docs(vocab, [f for f in sorted({name, *forms}) if f and f[:1].isupper() and f not in seen])
        seen.update(f for f in forms)
        if pats:
            matcher.add(str(len(rows)), pats)
            rows.append((name, country, kind))

    for p in lex.places:
        add(p.name, p.country, p.kind, p.aliases)
    for a in lex.actors:
        if a.actor_type == "state":
            plain = [x for x in a.aliases if not x.lower().startswith("the ") and " " not in x or x[:1].isupper()]
            add(a.name, a.country, "state", [x for x in plain if not x.isupper() or len(x) > 3])
    return _Gaz(matcher, tuple(rows))


def find_places(doc: Doc, lex: Lexicon) -> list[Place]:
    gaz = _gazetteer(lex, doc.vocab)
    spans = []
    for match_id, start, end in gaz.matcher(doc):
        spans.append(Span(doc, start, end, label=match_id))
    places: list[Place] = []
    covered: set[int] = set()
    for span in filter_spans(spans):
        name, country, kind = gaz.rows[int(doc.vocab.strings[span.label])]
        places.append(Place(name, country, kind, span.start, span.end))
        covered |= set(range(span.start, span.end))
    for ent in doc.ents:
        if ent.label_ in ("GPE", "LOC", "FAC") and not any(t.i in covered for t in ent):
            text = ent.text[4:] if ent.text.lower().startswith("the ") else ent.text
            places.append(Place(text, None, "place", ent.start, ent.end))
    return sorted(places, key=lambda p: p.start)


def event_place(trigger: Token, sent: Span, places: list[Place], skip: set[int]) -> Place | None:
    """The place tied to the action; `skip` holds token indices of the actors' mentions."""
    in_sent = [p for p in places if sent.start <= p.start < sent.end]
    if not in_sent:
        return None
    by_token = {i: p for p in in_sent for i in range(p.start, p.end)}
    # places reached from the trigger (or its object) through a place preposition
    heads = [trigger] + [c for c in trigger.children if c.dep_ in ("dobj", "attr", "oprd")]
    for head in heads:
        for prep in head.children:
            if prep.dep_ == "prep" and prep.lower_ in PLACE_PREPS:
                for tok in prep.subtree:
                    if tok.i in by_token:
                        return by_token[tok.i]
    candidates = [p for p in in_sent if not any(i in skip for i in range(p.start, p.end))]
    if not candidates:
        return None
    return min(candidates, key=lambda p: (KIND_RANK.get(p.kind, 3), abs(p.start - trigger.i)))
