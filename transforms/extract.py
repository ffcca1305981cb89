"""One article's spaCy docs → event rows and actor rows.

In: a `Document`, its spaCy docs as (character offset, Doc) pieces, and the
`Lexicon`. Out: `ArticleRows`: event dicts with every contract column of
`events` (plus the actor objects they point at), and the actors seen with all
their surface forms. Pure: no I/O, no global state.

Sentences that are not reports are skipped (guideline rule 2): headline and
deck lines (no closing punctuation), page furniture ("- News", "Sign up…",
bylines) and anything before the body (a date line).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice

from spacy.tokens import Doc, Span, Token

from transforms import version
from transforms.actors import Actor, ArticleActors, Mention, find_mentions, home_signals, needs_home_country
from transforms.attribution import claimant, source_statement, speakers
from transforms.confidence import confidence
from transforms.coref import Context, pronoun_mentions, remember
from transforms.dates import resolve_date
from transforms.discards import discarded
from transforms.documents import Document, stable_id
from transforms.events import CodedEvent, code_sentence, repair_lemmas
from transforms.lexicon import Lexicon
from transforms.places import event_place, find_places
from transforms.plover import cameo_root, quad_class
from transforms.quantities import event_quantity
from transforms.tree import children, doc_ents, sentence_bounds

HEADLINE_WORDS = 25  # headlines and decks are shorter; an unpunctuated line this long is a lead paragraph
_CLOSING = re.compile(r"[.!?…][\"'”’»)\]]*\s*$")
_WORD = re.compile(r"[^\W\d_]+")
_FURNITURE = re.compile(
    r"^\s*(?:-\s*\w+|sign up|subscribe|read more|follow us|share this|advertisement|"
    r"contributing:|photo:|image:|credit:|copyright|©)",
    re.I,
)


@dataclass
class ArticleRows:
    events: list[dict] = field(default_factory=list)
    actors: dict[str, dict] = field(default_factory=dict)  # actor_id → row with aliases set


def extractor_version(lex: Lexicon) -> str:
    """Release + grammar hash + dictionary hash (`transforms.version`): a changed rule or entry changes it."""
    return version.extractor_version(dictionaries=lex.version)


def codable(text: str, start: int, end: int, body_start: int) -> bool:
    """Is this sentence part of a report (not a headline, deck, byline or furniture)?"""
    if end <= body_start:
        return False
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    le = len(text) if le < 0 else le
    # only the line's head, its tail and its first HEADLINE_WORDS words are looked at: a single-line text can
    # be megabytes long, and reading the whole line for each of its sentences would take quadratic time
    if _FURNITURE.match(text[ls : min(le, ls + 200)]):
        return False
    closing = _CLOSING.search(text[max(ls, le - 64) : le])
    if not closing and sum(1 for _ in islice(_WORD.finditer(text, ls, le), HEADLINE_WORDS)) < HEADLINE_WORDS:
        return False  # a headline or deck: short and unpunctuated (a long line is a lead paragraph)
    words = re.findall(r"[^\W\d_]+", text[start:end])
    return len(words) >= 4


def _sentence_bounds(sent: Span, offset: int, text: str, body_start: int) -> tuple[int, int]:
    start, end = offset + sent.start_char, offset + sent.end_char
    start = max(start, body_start)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _clause_verb(tok: Token) -> Token | None:
    """The nearest verb above a token (the predicate its phrase belongs to)."""
    for anc in tok.ancestors:
        if anc.pos_ in ("VERB", "AUX"):
            return anc
    return None


def _relative(verb: Token, trigger: Token) -> bool:
    """Is `verb` a relative clause under the trigger ("X, which ratified the treaty in 2024, denies…")?"""
    for tok in [verb, *verb.ancestors]:
        if tok.i == trigger.i:
            return False
        if tok.dep_ in ("relcl", "acl") and tok.pos_ in ("VERB", "AUX"):
            return True
    return False


def _event_date(ev: CodedEvent, doc: Doc, published, future: bool, first_char: int = 0, ents=None):
    """The date of the action: a DATE (or TIME: "on Monday night") entity in the trigger's clause or in a
    clause governing it.

    A date inside another predicate's clause ("which ratified the treaty in November 2024, deny…")
    belongs to that predicate, not to this event. A future reading ("will visit this Thursday") is
    used only for a date the planned verb itself governs. An asserted action is never dated after
    the publication date."""
    trig_tree = {t.i for t in ev.trigger.subtree}
    governing = {ev.trigger.i} | {a.i for a in ev.trigger.ancestors}
    dates = []
    for ent in doc.ents if ents is None else ents:  # `ents`: doc.ents computed once per doc (spaCy rebuilds it)
        if ent.label_ not in ("DATE", "TIME") or not (ev.sentence.start <= ent.start < ev.sentence.end):
            continue
        if ent.start_char < first_char:  # the date line before the body ("date 2023-09-14 Russian President…")
            continue
        verb = _clause_verb(ent.root)
        if verb is None or verb.i in governing or (ent.root.i in trig_tree and not _relative(verb, ev.trigger)):
            dates.append(ent)
    dates.sort(key=lambda e: (e.root.i not in trig_tree, abs(e.start - ev.trigger.i)))
    for ent in dates:
        found = resolve_date(ent.text, published, future=future and ent.root.i in trig_tree)
        if found and published and ev.status == "asserted" and found[0] > published:
            found = resolve_date(ent.text, published, future=False)
            if found and found[0] > published:
                found = None
        if found:
            return found
    return None


def carries(found, status: str, published) -> bool:
    """May this event's date be carried to the following sentences of the narrative (rule 4)?

    Only the date of an asserted action, precise to the day or month (a year is background:
    "in 2014, Russia also used…"), and never one after the publication date."""
    when, precision = found
    return status == "asserted" and precision in ("day", "month") and (published is None or when <= published)


def _actor_row(rows: ArticleRows, mention: Mention | None) -> str | None:
    if mention is None:
        return None
    a: Actor = mention.actor
    row = rows.actors.get(a.actor_id)
    if row is None:
        row = rows.actors[a.actor_id] = {
            "actor_id": a.actor_id,
            "name": a.name,
            "actor_type": a.actor_type,
            "country_code": a.country,
            "sector": a.sector,
            "aliases": set(),
        }
    if mention.source not in ("coref", "pair"):  # "they", "both leaders" are no alias of one actor
        row["aliases"].add(mention.text)
    if row["country_code"] is None and a.country:
        row["country_code"] = a.country
    return a.actor_id


def one_per_action(events: list[CodedEvent]) -> list[CodedEvent]:
    """Rule 1: one event per action. Within a sentence, events of one type by one actor are one
    action unless their counterparts differ ("travelled to Vladivostok to meet Putin" is one
    meeting; "visited the DPRK and met his North Korean counterpart" is one visit). An act with
    no known doer is the same act as one of its type whose doer is named ("five people were killed
    when police opened fire": one ASSAULT, by the police)."""
    named = {ev.event_type for ev in events if ev.actor1 is not None}
    events = [ev for ev in events if ev.actor1 is not None or ev.event_type not in named]
    out: list[CodedEvent] = []
    for ev in events:
        a1 = ev.actor1.actor if ev.actor1 else None
        same = [o for o in out if o.event_type == ev.event_type and (o.actor1.actor if o.actor1 else None) == a1]
        a2 = ev.actor2.actor if ev.actor2 else None
        if any((o.actor2.actor if o.actor2 else None) in (a2, None) or a2 is None for o in same):
            for i, o in enumerate(out):
                if o in same and o.actor2 is None and a2 is not None:
                    out[i] = ev  # the one that names the counterpart says more
                    break
            continue
        out.append(ev)
    return out


def _paragraph_end(text: str, pos: int) -> int:
    """The end of the paragraph after the one holding `pos`."""
    nl = text.find("\n", pos)
    if nl < 0:
        return len(text)
    while nl < len(text) and text[nl].isspace():
        nl += 1
    nxt = text.find("\n", nl)
    return len(text) if nxt < 0 else nxt


@dataclass
class Narrative:
    """What one sentence hands to the next while an article is read in order (guideline rules 4, 5, 8).

    | field | carries | example |
    |---|---|---|
    | `last_date` | the date of the last asserted, day- or month-precise action | the summit's talks share its date |
    | `last_speaker` | the last person who said something | "according to him" |
    | `source` | a lead "X reported the information." and where its paragraph ends | later sentences are X's claims |
    | `context` | the actors pronoun subjects of the paragraph refer to | "they" → the rebels |
    | `last_end` | where the previous sentence ended | a paragraph break resets `context` |
    | `seen_ids` | event ids already written | a re-coded action is not written twice |
    """

    last_date: tuple | None = None
    last_speaker: Mention | None = None
    source: tuple[Mention, int] | None = None
    context: Context = field(default_factory=Context)
    last_end: int = 0
    seen_ids: set[str] = field(default_factory=set)


@dataclass
class SentenceState:
    """One codable sentence and what its events are read against."""

    document: Document
    doc: Doc
    offset: int  # where the doc starts in the text
    sent: Span
    start: int  # the sentence's character offsets in the text
    end: int
    by_token: dict[int, Mention]
    places: list
    doc_ents: Sequence[Span]  # the DATE and other entities inside this sentence (by bisection: not the whole doc's)


def _claim_of(ev: CodedEvent, st: SentenceState, story: Narrative, lex: Lexicon) -> Mention | None:
    """Rule 5: the reporter inside the text; else the lead source of the paragraph; never the actor itself."""
    claim = claimant(ev.trigger, st.sent, st.by_token, lex, story.last_speaker)
    if claim is None and story.source is not None:
        claim = story.source[0]
    if claim is not None and ev.actor1 is not None and claim.start == ev.actor1.start:
        claim = None  # the claimant is never the actor's own mention
    if claim is not None and _unplaced_generic_source(claim, lex):
        claim = None  # "according to intelligence": whose, the text does not say
    if claim is not None and claim.actor.actor_type == "person":
        story.last_speaker = claim
    return claim


def _unplaced_generic_source(claim: Mention, lex: Lexicon) -> bool:
    """A generic source of no country in a sector that names no reporter on its own (groups.yaml
    `unplaced_source_sectors`): "according to intelligence" is nobody's claim; "Kenyan intelligence" is."""
    sector = (claim.actor.sector or "").lower()
    unplaced = lex.actor_words.get("unplaced_source_sectors", frozenset())
    return claim.source == "agent" and claim.actor.country is None and sector in unplaced


def _date_of(ev: CodedEvent, st: SentenceState, story: Narrative, sent_dates: list):
    """Rule 4: a date in the event's own clause, else the narrative's last date."""
    published = st.document.published_date
    future = ev.status in ("planned", "hypothetical")
    found = _event_date(ev, st.doc, published, future, st.start - st.offset, st.doc_ents)
    if found:
        if carries(found, ev.status, published):
            sent_dates.append(found)
        return found
    return story.last_date


def _place_of(ev: CodedEvent, st: SentenceState):
    """The most specific place tied to the action; the host of a visit is also its place."""
    visit = ev.event_type == "CONSULT"  # "arrived in Pyongyang": Pyongyang is host and place
    skip = {i for m in (ev.actor1, None if visit else ev.actor2) if m for i in range(m.start, m.end)}
    return event_place(ev.trigger, st.sent, st.places, skip, visit=visit)


def _quantity_of(ev: CodedEvent):
    """A count tied to the action: of its object, its passive subject or an event noun of the trigger."""
    objs = [c for c in children(ev.trigger) if c.dep_ in ("dobj", "nsubjpass")]
    objs += [t for t in ev.trigger_tokens if t is not ev.trigger and t.pos_ == "NOUN"]
    found = event_quantity(ev.trigger, objs)
    if found is None:  # what was hit, in a participle of the action: "a bomb exploded, killing at least 12 people"
        verb = ev.trigger if ev.trigger.pos_ == "VERB" else ev.trigger.head
        for part in (c for c in children(verb) if c.dep_ in ("advcl", "xcomp", "conj") and c.tag_ == "VBG"):
            found = event_quantity(part, [c for c in children(part) if c.dep_ == "dobj"])
            if found:
                break
    return found


def _trigger_offsets(ev: CodedEvent, st: SentenceState) -> tuple[int, int]:
    """The trigger span's character offsets in the text (one contiguous span of the sentence)."""
    span = ev.trigger_span
    trig_start, trig_end = st.offset + span.start_char, st.offset + span.end_char
    if trig_start < st.start or trig_end > st.end:  # a trigger word outside the clipped sentence
        trig_start, trig_end = st.offset + ev.trigger.idx, st.offset + ev.trigger.idx + len(ev.trigger)
    return trig_start, trig_end


def _event_row(
    ev: CodedEvent, st: SentenceState, story: Narrative, rows: ArticleRows, lex: Lexicon, sent_dates, n_events: int
):
    """One coded event → its `events` row (None when the same action was already written)."""
    text, document = st.document.text, st.document
    claim = _claim_of(ev, st, story, lex)
    found = _date_of(ev, st, story, sent_dates)
    place = _place_of(ev, st)
    qty = _quantity_of(ev)
    a1, a2 = _actor_row(rows, ev.actor1), _actor_row(rows, ev.actor2)
    cl = _actor_row(rows, claim)
    trig_start, trig_end = _trigger_offsets(ev, st)
    start, end = st.start, st.end
    event_id = stable_id("event", document.source_id, start, end, ev.event_type, a1, a2, trig_start)
    if event_id in story.seen_ids:
        return None
    story.seen_ids.add(event_id)
    return {
        "event_id": event_id,
        "source_id": document.source_id,
        "event_type": ev.event_type,
        "mode": ev.entry.mode,
        "cameo_root": cameo_root(ev.event_type, ev.entry.cameo),
        "quad_class": quad_class(ev.event_type),
        "trigger": text[trig_start:trig_end],
        "trigger_start": trig_start - start,
        "trigger_end": trig_end - start,
        "actor1_id": a1,
        "actor2_id": a2,
        "claimant_id": cl,
        "event_date": found[0] if found else None,
        "date_precision": found[1] if found else None,
        "location": place.name if place else None,
        "country_code": place.country if place else None,
        "quantity": qty[0] if qty else None,
        "quantity_unit": qty[1] if qty else None,
        "status": ev.status,
        "sentence": text[start:end],
        "sentence_start": start,
        "sentence_end": end,
        "confidence": confidence(ev, claim, n_events),
    }


def extract_article(document: Document, pieces: list[tuple[int, Doc]], lex: Lexicon) -> ArticleRows:
    rows = ArticleRows()
    article = ArticleActors()
    text = document.text
    story = Narrative()
    signals: list[tuple[int, str]] = []  # (character offset in the text, ISO3) of where a story is set
    for _offset, doc in pieces:
        repair_lemmas(doc, lex)
    for offset, doc in pieces:
        # first pass: learn the article's persons, their titles and countries, and where the story is set
        signals += [(offset + at, c) for at, c in home_signals(doc, lex, find_mentions(doc, lex, article))]
    article.restart()  # the second pass follows the text's order again
    homeless: dict[str, int] = {}  # actor_id → where the text first names it
    for offset, doc in pieces:
        mentions = find_mentions(doc, lex, article)
        by_token = {i: m for m in mentions for i in range(m.start, m.end)}
        for m in mentions:
            _actor_row(rows, m)
            if needs_home_country(m, article):
                homeless.setdefault(m.actor.actor_id, offset + doc[m.start].idx)
        places = find_places(doc, lex)
        ents = doc_ents(doc)  # spaCy builds the tuple from the whole doc on each access: once per doc
        ent_starts = [e.start for e in ents]
        for first, last in sentence_bounds(doc):
            sent = doc[first:last]
            start, end = _sentence_bounds(sent, offset, text, document.body_start)
            if start >= end:
                continue
            if "\n" in text[story.last_end : start]:
                story.context.new_paragraph()  # only the last sentence's actors reach across a paragraph break
            story.last_end = end
            for m in pronoun_mentions(sent, by_token, story.context):
                by_token[m.start] = m
            if story.source and start >= story.source[1]:
                story.source = None
            lead = source_statement(sent, by_token, lex)
            if lead is not None:
                story.source = (lead, _paragraph_end(text, end))
            if not codable(text, start, end, document.body_start) or discarded(sent.text, lex):
                continue
            sent_ents = ents[bisect_left(ent_starts, sent.start) : bisect_left(ent_starts, sent.end)]
            st = SentenceState(document, doc, offset, sent, start, end, by_token, places, sent_ents)
            sent_dates: list = []
            coded = one_per_action(code_sentence(sent, by_token, lex, places))
            for ev in coded:
                row = _event_row(ev, st, story, rows, lex, sent_dates, len(coded))
                if row is not None:
                    rows.events.append(row)
            if sent_dates:
                story.last_date = sent_dates[-1]
            remember(sent, by_token, story.context)
            said = speakers(sent, by_token, lex)
            if said:
                story.last_speaker = said[-1]
    index = signal_index(signals) if homeless else None
    for actor_id, at in homeless.items():
        row = rows.actors[actor_id]
        if row["country_code"] is None:
            # else the dateline's country: "NAIROBI, Kenya —" sets the story of an unplaced cabinet secretary
            row["country_code"] = paragraph_country(text, at, signals, index) or article.dateline_country
    return rows


def signal_index(signals: list[tuple[int, str]]) -> tuple[list[int], list[int]]:
    """The signals' positions sorted, with each one's place in `signals`: a paragraph's signals by bisection."""
    order = sorted(range(len(signals)), key=lambda i: signals[i][0])
    return [signals[i][0] for i in order], order


def paragraph_country(
    text: str, at: int, signals: list[tuple[int, str]], index: tuple[list[int], list[int]] | None = None
) -> str | None:
    """The country an official or organisation of unknown nationality most likely belongs to: the one
    its paragraph is set in (most signals, the first on a tie), or None when the paragraph gives none."""
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    end = len(text) if end < 0 else end
    positions, order = index if index is not None else signal_index(signals)
    inside = sorted(order[bisect_left(positions, start) : bisect_left(positions, end)])  # in the signals' order
    found = Counter(signals[i][1] for i in inside)
    return found.most_common(1)[0][0] if found else None
