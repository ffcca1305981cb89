"""Sentence → coded events: trigger, PLOVER type, roles, status.

In: one sentence (spaCy `Span`), the actor mentions by token index, the
`Lexicon`. Out: `CodedEvent`s. The grammar lives here, the vocabulary in
`dictionaries/verbs.yaml`:

* verbs, verb + particle/preposition phrases ("set up", "call on"), verb +
  object phrases ("impose sanctions", "sign a treaty") and light verbs with an
  event noun ("held talks", "paid a visit", "had a meeting");
* chains (guideline rule 7): in "agreed to deploy" / "plans to attract" the
  last action verb sets the type and the governing verbs the status, except
  that an agree verb governing an action makes an AGREE event; "deny arms
  deliveries" codes the delivery as `denied`, "denied the claims" is REJECT;
* roles: actor1 is the subject (or the by-agent of a passive, or the subject
  of the governing verb, or its object for "persuaded X to …"); actor2 is the
  object or the counterpart after to/with/against/on; "X and Y met" gives X
  and Y.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from transforms.actors import Mention
from transforms.attribution import mention_in
from transforms.lexicon import Lexicon, VerbEntry
from transforms.status import claim_status

OBJECT_CONTROL = frozenset(
    {
        "persuade",
        "ask",
        "urge",
        "force",
        "help",
        "allow",
        "invite",
        "order",
        "call",
        "encourage",
        "press",
        "convince",
        "compel",
        "pressure",
        "push",
        "tell",
        "instruct",
    }
)
COUNTERPART_PREPS = ("with", "to", "against", "on", "toward", "towards", "at", "for", "from", "into", "between")
TRANSFER_TYPES = frozenset({"AID", "MOBILIZE"})
CLAIM_NOUNS = frozenset(
    {
        "claim",
        "allegation",
        "report",
        "accusation",
        "charge",
        "rumor",
        "rumour",
        "statement",
        "information",
        "suggestion",
        "assertion",
    }
)


@dataclass
class CodedEvent:
    event_type: str
    entry: VerbEntry
    trigger: Token  # the action verb (or noun) that sets the type
    trigger_tokens: list[Token]
    status: str
    actor1: Mention | None
    actor2: Mention | None
    sentence: Span
    light: bool = False  # carried by a light verb or an event noun

    @property
    def trigger_text(self) -> str:
        toks = sorted(self.trigger_tokens, key=lambda t: t.i)
        doc = toks[0].doc
        if toks[-1].i - toks[0].i <= 8:
            return doc[toks[0].i : toks[-1].i + 1].text
        return " ".join(t.text for t in toks)


def _child(tok: Token, *deps: str) -> list[Token]:
    return [c for c in tok.children if c.dep_ in deps]


def lookup(tok: Token, lex: Lexicon) -> tuple[VerbEntry, list[Token], bool] | None:
    """The event a verb carries: (entry, trigger tokens, carried by a light verb/noun)."""
    lemma = tok.lemma_.lower()
    # verb + particle / preposition ("set up", "call on", "turn to")
    for c in tok.children:
        if c.dep_ in ("prt", "prep") and (lemma, c.lemma_.lower()) in lex.phrases:
            return lex.phrases[(lemma, c.lemma_.lower())], [tok, c], False
    # verb + object noun ("impose sanctions", "sign a treaty", "accept an invitation")
    for obj in _child(tok, "dobj", "nsubjpass"):
        key = (lemma, obj.lemma_.lower())
        if key in lex.phrases:
            return lex.phrases[key], [tok, obj], False
        # light verbs: "held talks", "had a meeting", "paid a visit", "launched attacks"
        if lemma in lex.light_verbs and obj.lemma_.lower() in lex.nouns:
            return lex.nouns[obj.lemma_.lower()], [tok, obj], True
        for prep_obj in (p for c in _child(tok, "prt") for p in [c]):
            key3 = (lemma, prep_obj.lemma_.lower(), obj.lemma_.lower())
            if key3 in lex.phrases:
                return lex.phrases[key3], [tok, prep_obj, obj], False
    # light verb + prep + event noun: "took part in battles", "participated in a dinner"
    if lemma in lex.light_verbs:
        for prep in _child(tok, "prep"):
            for pobj in _child(prep, "pobj"):
                if pobj.lemma_.lower() in lex.nouns:
                    return lex.nouns[pobj.lemma_.lower()], [tok, prep, pobj], True
    if lemma in lex.verbs:
        return lex.verbs[lemma], [tok], False
    return None


def _governors(tok: Token) -> list[Token]:
    """The verbs governing `tok` through open clausal complements ("agreed to [deploy]")."""
    chain, cur = [], tok
    while cur.dep_ in ("xcomp", "ccomp") and cur.head is not cur and cur.head.pos_ in ("VERB", "AUX", "ADJ"):
        cur = cur.head
        chain.append(cur)
        if cur.dep_ not in ("xcomp",):
            break
    return chain


def _mentions(tok: Token, by_token: dict[int, Mention]) -> list[Mention]:
    """The mention headed by `tok` and those of its coordinated conjuncts ("Pyongyang and Moscow")."""
    out = []
    m = mention_in(tok, by_token) if tok.i not in by_token else by_token[tok.i]
    if m:
        out.append(m)
    for conj in _child(tok, "conj"):
        c = by_token.get(conj.i) or mention_in(conj, by_token)
        if c and all(c.actor != o.actor for o in out):
            out.append(c)
    return out


def _head_mention(tok: Token, by_token: dict[int, Mention]) -> list[Mention]:
    """Mentions for a noun phrase, looking only at the head and its compounds/conjuncts, not clauses."""
    if tok.i in by_token:
        first = [by_token[tok.i]]
    else:
        first = []
        for c in tok.lefts:
            if c.i in by_token and c.dep_ in ("compound", "poss", "amod", "nmod"):
                first = [by_token[c.i]]
                break
        if not first:
            for prep in _child(tok, "prep"):
                if prep.lower_ == "of":
                    for pobj in _child(prep, "pobj"):
                        if pobj.i in by_token:
                            first = [by_token[pobj.i]]
    for conj in _child(tok, "conj"):
        c = by_token.get(conj.i)
        if c and all(c.actor != o.actor for o in first):
            first.append(c)
    return first


def subjects(verb: Token, by_token: dict[int, Mention], depth: int = 0) -> tuple[list[Mention], bool]:
    """Who acts, and whether the verb is passive (its grammatical subject is acted on)."""
    if depth > 6:
        return [], False
    agent = [m for a in _child(verb, "agent") for p in _child(a, "pobj") for m in _head_mention(p, by_token)]
    if agent:
        return agent, True
    for subj in _child(verb, "nsubj"):
        found = _head_mention(subj, by_token)
        if subj.lower_ in ("which", "who", "that") and verb.dep_ == "relcl":
            found = _head_mention(verb.head, by_token)
        return found, False
    if _child(verb, "nsubjpass"):
        return [], True
    head = verb.head
    if verb.dep_ == "xcomp":
        if head.lemma_.lower() in OBJECT_CONTROL:
            objs = [m for o in _child(head, "dobj") for m in _head_mention(o, by_token)]
            if objs:
                return objs, False
        return subjects(head, by_token, depth + 1)[0], False
    if verb.dep_ in ("conj", "advcl", "ccomp", "pcomp") and head is not verb:
        return subjects(head, by_token, depth + 1)[0], False
    if verb.dep_ in ("relcl", "acl") and head is not verb:
        return _head_mention(head, by_token), False
    return [], False


def objects(verb: Token, event_type: str, by_token: dict[int, Mention], skip: set) -> list[Mention]:
    """The one acted on or the counterpart."""
    out: list[Mention] = []
    direct = _child(verb, "dobj", "dative")
    # "sent workers to North Korea": the parser may hang "to" on the verb as a dative
    nouns = [n for obj in direct for n in (_child(obj, "pobj") if obj.pos_ == "ADP" else [obj])]
    for obj in nouns:
        for m in _head_mention(obj, by_token):
            if event_type in TRANSFER_TYPES and m.actor.actor_type == "group":
                continue  # the troops or workers sent are what moves, not the counterpart
            out.append(m)
    holders = [verb, *nouns]
    for holder in holders:
        for prep in _child(holder, "prep"):
            if prep.lower_ in COUNTERPART_PREPS:
                for pobj in _child(prep, "pobj"):
                    out.extend(_head_mention(pobj, by_token))
    return [m for m in out if m.actor not in skip]


def _is_action(tok: Token, lex: Lexicon) -> bool:
    return tok.pos_ in ("VERB", "AUX", "NOUN") and lookup(tok, lex) is not None


def code_sentence(sent: Span, by_token: dict[int, Mention], lex: Lexicon) -> list[CodedEvent]:
    events: list[CodedEvent] = []
    for tok in sent:
        if tok.pos_ not in ("VERB",) and not (tok.pos_ == "AUX" and tok.lemma_ in lex.light_verbs):
            continue
        lemma = tok.lemma_.lower()
        # a governing verb hands its place to the action it governs
        gov_children = [c for c in _child(tok, "xcomp") if _is_action(c, lex)]
        if gov_children and (
            lemma in lex.intent_verbs
            or lemma in lex.agree_verbs
            or lemma in lex.hypothetical_verbs
            or lemma in lex.deny_verbs
            or lemma in ("be", "seem", "appear", "going")
        ):
            continue
        found = lookup(tok, lex)
        chain = _governors(tok)
        # deny + action noun ("deny arms deliveries") or + claim ("denied the reports")
        if lemma in lex.deny_verbs:
            for obj in _child(tok, "dobj"):
                noun = obj.lemma_.lower()
                if noun in lex.nouns and noun not in CLAIM_NOUNS:
                    entry = lex.nouns[noun]
                    ev = _build(
                        tok,
                        entry,
                        [tok, *[c for c in obj.lefts if c.dep_ == "compound"], obj],
                        by_token,
                        lex,
                        sent,
                        status="denied",
                    )
                    if ev:
                        events.append(ev)
                    break
            else:
                ev = _build(tok, lex.verbs.get("reject", VerbEntry("REJECT")), [tok], by_token, lex, sent)
                if ev:
                    events.append(ev)
            continue
        if found is None:
            continue
        entry, trig, light = found
        agree_gov = next((g for g in chain if g.lemma_.lower() in lex.agree_verbs), None)
        if agree_gov is not None and entry.event_type != "AGREE":
            entry = lex.verbs.get(agree_gov.lemma_.lower(), VerbEntry("AGREE"))
            if entry.event_type != "AGREE":
                entry = VerbEntry("AGREE")
        trig = [*chain, *trig] if chain and all(g.i < tok.i for g in chain) else trig
        ev = _build(tok, entry, trig, by_token, lex, sent, chain=chain, light=light)
        if ev:
            events.append(ev)
    return events


def _build(
    tok: Token,
    entry: VerbEntry,
    trig: list[Token],
    by_token,
    lex: Lexicon,
    sent: Span,
    status: str | None = None,
    chain: list[Token] | None = None,
    light: bool = False,
) -> CodedEvent | None:
    chain = chain if chain is not None else _governors(tok)
    actors1, passive = subjects(tok, by_token)
    patient = []
    if passive:
        patient = [m for s in _child(tok, "nsubjpass") for m in _head_mention(s, by_token)]
        if not actors1 and entry.event_type in TRANSFER_TYPES and patient:
            actors1, patient = patient, []  # "North Korean soldiers are stationed…": they act
    if not actors1:
        return None
    actor1 = actors1[0]
    others = patient + objects(tok, entry.event_type, by_token, {actor1.actor})
    if not others and len(actors1) > 1:
        others = actors1[1:]  # "X and Y met": the second is the counterpart
    actor2 = next((m for m in others if m.actor != actor1.actor), None)
    st = status or claim_status(tok, [tok, *chain], lex)
    return CodedEvent(entry.event_type, entry, tok, trig, st, actor1, actor2, sent, light)
