"""Sentence → coded events: trigger, PLOVER type, roles, status.

In: one sentence (spaCy `Span`), the actor mentions by token index, the
`Lexicon`. Out: `CodedEvent`s. The grammar lives here, the vocabulary in
`dictionaries/verbs.yaml` (see docs/coding.md "Event coding"):

* triggers: verbs, verb + particle/preposition phrases ("set up", "call on"),
  verb + object phrases ("impose sanctions", "sign a treaty"), light verbs with
  an event noun ("held talks", "paid a visit", "took part in battles", "began
  a hunger strike"), reduce verbs with a relation noun ("halted talks" →
  SANCTION, "lifted the curfew" → CONCEDE);
* chains (guideline rule 7): a governing verb either hands the type to the
  action it governs (intent, aspect, negating and hypothetical verbs: "plans to
  attract" → MOBILIZE, planned), or makes its own event from it (agree verbs →
  AGREE, oath verbs with a hostile action → THREATEN, preparing an assault →
  MOBILIZE), or is itself the event and its complement is the content
  ("threatened to ban" → THREATEN, "refused to deploy" → REJECT, "urged X to
  leave" → REQUEST, "accused X of killing" → ACCUSE): actions inside the
  content of another event are not coded again. "deny arms deliveries" codes
  the delivery as `denied`; "denied the claims" is REJECT;
* a hostile action planned under a condition ("will withdraw unless…") is a
  THREATEN; "X said Y must …" is a REQUEST from X to Y;
* roles: actor1 is the subject (or the by-agent of a passive, or the subject
  of the governing verb, or its object for "persuaded X to …"); actor2 is the
  object or the counterpart after to/with/against/on; "X and Y met" gives X
  and Y.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from functools import cache

from spacy.tokens import Span, Token

from transforms.actors import Mention
from transforms.attribution import mention_in
from transforms.lexicon import Lexicon, VerbEntry
from transforms.status import claim_status
from transforms.tree import children, columns, dependency_tree, forget_columns, sentence_span

TRANSFER_TYPES = frozenset({"AID", "MOBILIZE"})
COOPERATIVE_TYPES = frozenset({"CONSULT", "COOPERATE", "AID", "AGREE", "SUPPORT"})
RESTRICTIVE_TYPES = frozenset({"SANCTION", "COERCE"})
HOSTILE_TYPES = frozenset({"ASSAULT", "COERCE", "SANCTION", "REJECT", "RETREAT"})
# dependencies of an event's arguments whose subtrees are that event's content
CONTENT_DEPS = frozenset(
    {"xcomp", "ccomp", "dobj", "dative", "prep", "pcomp", "pobj", "acl", "attr", "oprd", "acomp", "advcl", "npadvmod"}
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
    owner: Token | None = None  # the verb whose arguments are this event's content (default: trigger)
    how: str = "verb"  # the rule that found the type (coding_shared.md: verb, phrase, nominal, deny, …)
    co_actors: tuple[Mention, ...] = ()  # coordinated subjects with a counterpart of their own: one event each

    @property
    def trigger_span(self) -> Span:
        """One contiguous span of the sentence, from the first to the last trigger word."""
        toks = sorted(self.trigger_tokens, key=lambda t: t.i)
        return toks[0].doc[toks[0].i : toks[-1].i + 1]

    @property
    def trigger_text(self) -> str:
        return self.trigger_span.text


_KNOWN: dict[str, frozenset[str]] = {}


def _known_verbs(lex: Lexicon) -> frozenset[str]:
    """Every verb lemma the vocabulary names (verbs, phrase heads, grammar classes, speech verbs)."""
    found = _KNOWN.get(lex.version)
    if found is None:
        words = set(lex.verbs) | {p[0] for p in lex.phrases} | set(lex.speech_verbs)
        for group in lex.verb_lists.values():
            words |= group
        found = _KNOWN[lex.version] = frozenset(words)
    return found


def _lemma_candidates(text: str) -> list[str]:
    """Base forms of an inflected verb ("staged" → stage, "stopped" → stop, "carried" → carry)."""
    low = text.lower()
    out = []
    for suffix in ("ed", "ing", "es", "s"):
        if low.endswith(suffix) and len(low) > len(suffix) + 2:
            stem = low[: -len(suffix)]
            out += [stem, stem + "e"]
            if len(stem) > 2 and stem[-1] == stem[-2]:
                out.append(stem[:-1])  # stopped → stop
            if suffix in ("ed", "es") and stem.endswith("i"):
                out.append(stem[:-1] + "y")  # carried → carry
    return out


def repair_lemmas(doc, lex: Lexicon) -> None:
    """Give a verb the vocabulary's lemma when the lemmatizer missed it ("staged" → "stag"): an
    unknown lemma is replaced by the first base form of the word that the vocabulary knows."""
    known = _known_verbs(lex)
    forget_columns(doc)
    doc.user_data.pop(_LOOKUPS, None)  # looked up with the lemmas changed below
    for tok in doc:
        if tok.pos_ != "VERB" or tok.lemma_.lower() in known:
            continue
        for cand in _lemma_candidates(tok.text):
            if cand in known:
                tok.lemma_ = cand
                break


def _child(tok: Token, *deps: str) -> list[Token]:
    """`tok`'s children with one of these relations, in order (from the doc's children lists: spaCy's
    `Token.children` scans the token's whole subtree)."""
    doc = tok.doc
    kids, labels = dependency_tree(doc)
    return [doc[i] for i in kids[tok.i] if labels[i] in deps]


def _words(lex: Lexicon, name: str) -> frozenset[str]:
    return lex.verb_lists.get(name, frozenset())


def _noun_entry(noun: Token, lex: Lexicon) -> tuple[VerbEntry, list[Token]] | None:
    """An event noun, with a compound ("hunger strike", "mediation effort") checked first."""
    lemma = noun.lemma_.lower()
    for comp in (c for c in noun.lefts if c.dep_ in ("compound", "amod")):
        key = f"{comp.lemma_.lower()} {lemma}"
        if key in lex.nouns:
            return lex.nouns[key], [comp, noun]
        key = f"{comp.text.lower()} {lemma}"
        if key in lex.nouns:
            return lex.nouns[key], [comp, noun]
    if lemma in lex.nouns:
        return lex.nouns[lemma], [noun]
    for comp in (c for c in noun.lefts if c.dep_ == "compound"):
        if comp.lemma_.lower() in lex.nouns:  # "a mediation effort", "fraud investigations"
            return lex.nouns[comp.lemma_.lower()], [comp, noun]
    return None


def _reduce(tok: Token, obj: Token, lex: Lexicon) -> tuple[VerbEntry, list[Token]] | None:
    """ "halted talks", "cut aid" → SANCTION; "lifted sanctions", "ended the curfew" → CONCEDE; "lifted the
    blockade", "ended the siege" (a military restriction eased, CAMEO 0872) → RETREAT."""
    found = _noun_entry(obj, lex)
    if found is None:
        return None
    entry, toks = found
    if entry.event_type in COOPERATIVE_TYPES:
        return VerbEntry("SANCTION"), [tok, *toks]
    if entry.event_type in RESTRICTIVE_TYPES:
        if obj.lemma_.lower() in _words(lex, "military_restrictions"):
            return VerbEntry("RETREAT", cameo="08"), [tok, *toks]  # "lifted the blockade" (CAMEO 0872)
        return VerbEntry("CONCEDE", cameo="08"), [tok, *toks]
    return None


def lookup(tok: Token, lex: Lexicon) -> tuple[VerbEntry, list[Token], bool] | None:
    """The event a verb carries: (entry, trigger tokens, carried by a light verb/noun), or None.

    Found once per token and lexicon (a verb is looked up by several rules) and kept in `doc.user_data` as
    token indexes; the trigger tokens are made anew on each call, `tok` first, as `_lookup` gives them."""
    doc = tok.doc
    memo = doc.user_data.get(_LOOKUPS)
    if memo is None or memo[0] != id(lex):
        memo = doc.user_data[_LOOKUPS] = (id(lex), {})
    seen: dict[int, tuple[VerbEntry, list[int], bool] | None] = memo[1]
    if tok.i not in seen:
        found = _lookup(tok, lex)
        if found is not None and found[0].event_type == "NONE":
            found = None  # a collocation that is not an event ("released a report", "sent a message")
        seen[tok.i] = None if found is None else (found[0], [t.i for t in found[1]], found[2])
    known = seen[tok.i]
    if known is None:
        return None
    entry, at, light = known
    return entry, [tok if i == tok.i else doc[i] for i in at], light


_LOOKUPS = "newsevents_lookups"


def _lookup(tok: Token, lex: Lexicon) -> tuple[VerbEntry, list[Token], bool] | None:
    lemma = tok.lemma_.lower()
    objs = _child(tok, "dobj", "nsubjpass")
    prts = _child(tok, "prt")
    preps = _child(tok, "prep")
    # light verb + "in" + event noun: "took part in battles", "engaged in ethnic cleansing"
    if lemma in lex.light_verbs:
        holders = [tok, *(o for o in objs if o.lemma_.lower() == "part")]
        for prep in (p for h in holders for p in _child(h, "prep") if p.lower_ == "in"):
            for pobj in _child(prep, "pobj"):
                found = _noun_entry(pobj, lex)
                if found:
                    return found[0], [tok, prep, *found[1]], True
    # verb + particle + object ("break off talks"), verb + object noun ("impose sanctions")
    for obj in objs:
        olemma = obj.lemma_.lower()
        for prt in prts:
            key3 = (lemma, prt.lemma_.lower(), olemma)
            if key3 in lex.phrases:
                return lex.phrases[key3], [tok, prt, obj], False
        if (lemma, olemma) in lex.phrases:
            return lex.phrases[(lemma, olemma)], [tok, obj], False
        if lemma in _words(lex, "reduce_verbs"):
            found = _reduce(tok, obj, lex)
            if found:
                return found[0], found[1], False
    # verb + particle + preposition + noun: "walked out of the talks"
    for prt in prts:
        for c in (*preps, *_child(prt, "prep")):
            for pobj in _child(c, "pobj"):
                key3 = (lemma, prt.lemma_.lower(), pobj.lemma_.lower())
                if key3 in lex.phrases:
                    return lex.phrases[key3], [tok, prt, c, pobj], False
    # verb + particle / preposition / adverb ("set up", "call on", "fire at", "sent home")
    for c in (*prts, *preps, *_child(tok, "advmod")):
        if (lemma, c.lemma_.lower()) in lex.phrases:
            return lex.phrases[(lemma, c.lemma_.lower())], [tok, c], False
    # verb + complement verb: "let refugees enter", "allowed monitors to enter"
    for c in _child(tok, "ccomp", "xcomp"):
        if (lemma, c.lemma_.lower()) in lex.phrases:
            return lex.phrases[(lemma, c.lemma_.lower())], [tok, c], False
    # verb + preposition + noun: "put on alert", "declared a state of emergency"
    for c in preps:
        for pobj in _child(c, "pobj"):
            if (lemma, pobj.lemma_.lower()) in lex.phrases:
                return lex.phrases[(lemma, pobj.lemma_.lower())], [tok, c, pobj], False
    for obj in objs:
        for prep in _child(obj, "prep"):
            for pobj in _child(prep, "pobj"):
                if (lemma, pobj.lemma_.lower()) in lex.phrases:  # "declared a state of siege"
                    return lex.phrases[(lemma, pobj.lemma_.lower())], [tok, obj, prep, pobj], False
    # light verbs: "held talks", "had a meeting", "paid a visit", "staged a hunger strike"
    if lemma in lex.light_verbs:
        for obj in [*objs, *(c for o in objs for c in o.conjuncts)]:  # "launched artillery and rocket fire"
            found = _noun_entry(obj, lex)
            if found:
                return found[0], [tok, *found[1]], True
        for prep in preps:  # "participated in a dinner", "remained on alert"
            for pobj in _child(prep, "pobj"):
                found = _noun_entry(pobj, lex)
                if found:
                    return found[0], [tok, prep, *found[1]], True
    if lemma in lex.verbs:
        if lemma in _words(lex, "intransitive_only") and objs:
            return None  # "demonstrated its resolve" is not a demonstration
        return lex.verbs[lemma], [tok], False
    return None


def _governors(tok: Token, lex: Lexicon | None = None) -> list[Token]:
    """The verbs governing `tok` through clausal complements ("agreed to [deploy]"), innermost first;
    an intent noun the action completes ("plans to [send]", "willingness to [strengthen]") ends it."""
    chain, cur = [], tok
    if (
        lex is not None
        and tok.dep_ == "acl"
        and tok.head.pos_ == "NOUN"
        and tok.head.lemma_.lower() in _words(lex, "intent_nouns")
        and any(c.dep_ == "aux" for c in children(tok))
    ):
        return [tok.head]
    while (
        (cur.dep_ in ("xcomp", "ccomp", "acomp") or (lex is not None and _infinitive_complement(cur, lex)))
        and cur.head is not cur
        and cur.head.pos_ in ("VERB", "AUX", "ADJ")
    ):
        cur = cur.head
        chain.append(cur)  # "would be [ready] to host": the copula carries the modal
        if cur.dep_ not in ("xcomp", "acomp", "advcl"):
            break
    return chain


def _infinitive_complement(tok: Token, lex: Lexicon) -> bool:
    """ "have sworn [to fight]", parsed as an adverbial clause: a to-infinitive under a governing verb."""
    return (
        tok.dep_ == "advcl"
        and tok.head.lemma_.lower() in _complement_governors(lex)
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in children(tok))
        and not any(c.dep_ in ("nsubj", "nsubjpass") for c in children(tok))
    )


@cache
def _complement_governors(lex: Lexicon) -> frozenset[str]:
    """The verbs whose adverbial to-infinitive is a complement: intent, agree, oath and prepare verbs."""
    return lex.intent_verbs | lex.agree_verbs | _words(lex, "oath_verbs") | _words(lex, "prepare_verbs")


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


def _named_appositive(tok: Token, by_token: dict[int, Mention]) -> Mention | None:
    """The named person or organisation in apposition to a common-noun head: "the junta's spokesman,
    Colonel Amadou Abdramane," → Amadou Abdramane; "the losing candidate, Yakob Itlay," → Yakob Itlay."""
    if tok.pos_ == "PROPN":
        return None
    for app in _child(tok, "appos"):
        if app.left_edge.i != tok.i + 2 or tok.nbor(1).text != ",":
            continue  # only a name right after the head's comma: "…the count in favour of the regent, X"
        m = by_token.get(app.i)
        if m is not None and m.actor.actor_type in ("person", "organization"):
            return m
    return None


def _head_mention(tok: Token, by_token: dict[int, Mention]) -> list[Mention]:
    """Mentions for a noun phrase, looking only at the head and its compounds/conjuncts, not clauses."""
    named = _named_appositive(tok, by_token)
    if tok.i in by_token:
        first = [by_token[tok.i]]
    else:
        first = []
        # the modifier nearest the head names it, an owner only when none does: "Osama bin Laden's
        # al-Qaeda network" → al-Qaeda, "Russia's Wagner group" → Wagner, "Iran's foreign ministry" → Iran
        lefts = [c for c in tok.lefts if c.i in by_token and c.dep_ in ("compound", "poss", "amod", "nmod")]
        naming = [c for c in lefts if c.dep_ != "poss"] or lefts
        if naming:
            first = [by_token[naming[-1].i]]
        if not first:
            for prep in _child(tok, "prep"):
                if prep.lower_ == "of":
                    for pobj in _child(prep, "pobj"):
                        if pobj.i in by_token:
                            first = [by_token[pobj.i]]
    if named is not None:  # "Colombia's president, Gustavo Petro," is the person (rule 3), not the state
        first = [named]
    for mod in (c for c in tok.lefts if c.dep_ in ("amod", "compound") and c.i in by_token):
        for conj in mod.conjuncts:  # "Hungarian and Romanian officials": one group for each demonym
            c = by_token.get(conj.i)
            if c and all(c.actor != o.actor for o in first):
                first.append(c)
    for conj in _child(tok, "conj"):
        c = by_token.get(conj.i)
        if c is None:
            c = next((by_token[x.i] for x in conj.lefts if x.i in by_token and x.dep_ in ("compound", "amod")), None)
        if c and all(c.actor != o.actor for o in first):
            first.append(c)
    for m in list(first):  # "the two leaders" names two persons (transforms.actors, pair references)
        if m.partner is not None and all(m.partner != o.actor for o in first):
            first.append(Mention(m.start, m.end, m.partner, m.text, m.source))
    return first


def _after_opening_participle(subj: Token, verb: Token, by_token: dict[int, Mention]) -> list[Mention]:
    """The real subject when the parser took an opening participle for it: in "Meeting in Abuja, the
    Economic Community of West African States suspended…" the actor follows the participle's last comma."""
    if not (subj.tag_ == "VBG" or subj.lower_.endswith("ing")) or subj.i != sentence_span(subj).start:
        return []
    commas = [t.i for t in subj.subtree if t.text == "," and t.i < verb.i]
    if not commas:
        return []
    for i in range(commas[-1] + 1, verb.i):
        if i in by_token:
            return [by_token[i]]
    return []


def subjects(verb: Token, by_token: dict[int, Mention], lex: Lexicon, depth: int = 0) -> tuple[list[Mention], bool]:
    """Who acts, and whether the verb is passive (its grammatical subject is acted on)."""
    if depth > 6:
        return [], False
    agent = [m for a in _child(verb, "agent") for p in _child(a, "pobj") for m in _head_mention(p, by_token)]
    if agent:
        return agent, True
    for subj in _child(verb, "nsubj"):
        subj = _past_dateline(subj, verb, lex)
        found = _head_mention(subj, by_token) or _after_opening_participle(subj, verb, by_token)
        if subj.lower_ in ("which", "who", "that") and verb.dep_ == "relcl":
            found = _head_mention(verb.head, by_token)
        elif not found and subj.lower_ in _words(lex, "subject_pronouns") and not _quoted_other(subj):
            found = _antecedent(verb, by_token)
        return found, False
    if _child(verb, "nsubjpass"):
        return [], True
    head = verb.head
    if verb.dep_ == "xcomp":
        if head.lemma_.lower() in _words(lex, "object_control"):
            objs = [m for o in _child(head, "dobj") for m in _head_mention(o, by_token)]
            if objs:
                return objs, False
        if not _child(head, "agent", "nsubj"):  # "X is believed to have sent", "X was urged to withdraw": X acts
            raised = [m for s in _passive_subject(head) for m in _head_mention(s, by_token)]
            if raised:
                return raised, False
        return subjects(head, by_token, lex, depth + 1)[0], False
    if verb.dep_ in ("ROOT", "conj"):
        stranded = _stranded_subject(verb, by_token)
        if stranded or verb.dep_ == "ROOT":
            return stranded, False
    if verb.dep_ in ("conj", "advcl", "ccomp", "pcomp", "acomp") and head is not verb:
        return subjects(head, by_token, lex, depth + 1)[0], False
    if verb.dep_ in ("relcl", "acl") and head is not verb:
        found = _head_mention(head, by_token)
        if not found and verb.dep_ == "acl":
            # "sent a message asking for…", "showed their willingness to strengthen…"
            clause = next((a for a in head.ancestors if a.pos_ in ("VERB", "AUX")), None)
            if clause is not None:
                found = subjects(clause, by_token, lex, depth + 1)[0]
        return found, False
    return [], False


def _dateline_dash(sent: Span, lex: Lexicon) -> int | None:
    """The dash that ends a dateline opening the sentence ("NAIROBI, Kenya (AP) —", "TOKYO (Reuters) -"):
    an upper-case place word first, then only names, commas and an agency in parentheses."""
    dashes = _words(lex, "dateline_dashes")
    first = sent[0]
    if first.text == "," and sent.start > 0:
        first = sent.doc[sent.start - 1]  # the parser split the city off: "NAIROBI" | ", Kenya —"
    if not (first.is_alpha and first.is_upper and len(first) > 1):
        return None
    for tok in sent[1:12]:
        if tok.text in dashes:
            return tok.i
        if not (tok.is_punct or tok.pos_ == "PROPN" or tok.is_upper or tok.is_title):
            return None
    return None


def _after_dateline(verb: Token, lex: Lexicon) -> bool:
    """The main verb of a sentence opened by a dateline, parsed as a participle of its subject because the
    subject hangs on the dateline: "ACCRA, Ghana — Ghana's largest union threatened…" (union ← ACCRA)."""
    dash = _dateline_dash(sentence_span(verb), lex)
    return dash is not None and verb.head.i > dash and verb.head.head.i < dash and verb.i > verb.head.i


def _past_dateline(subj: Token, verb: Token, lex: Lexicon) -> Token:
    """A dateline is never a subject (rule 2): "WARSAW (AP) — Poland stationed…" parses WARSAW as the
    subject with Poland in apposition; the head of the phrase after the dash is the subject."""
    dash = _dateline_dash(sentence_span(subj), lex)
    if dash is None or subj.i >= dash:
        return subj
    for tok in subj.doc[dash + 1 : verb.i]:
        if tok.head.i <= dash or tok.head.i == verb.i:
            return tok
    return subj


def _quoted_other(pron: Token) -> bool:
    """ "“They are trying…,” Putin said": a third-person pronoun inside a quotation is not the speaker."""
    if pron.lower_ not in ("they", "he", "she"):
        return False
    before = pron.doc[sentence_span(pron).start : pron.i]
    opened = sum(1 for t in before if t.text in ("“", "«")) - sum(1 for t in before if t.text in ("”", "»"))
    straight = sum(1 for t in before if t.text == '"')
    return opened > 0 or straight % 2 == 1


def _stranded_subject(verb: Token, by_token: dict[int, Mention]) -> list[Mention]:
    """A main verb the parser left without a subject: the actor names right before it, back to a comma
    or the sentence start ("…for both countries, Putin and Kim showed…" with Putin parsed as an apposition)."""
    out: list[Mention] = []
    i = verb.i - 1
    start = sentence_span(verb).start
    while i >= start:
        tok = verb.doc[i]
        if tok.i in by_token:
            m = by_token[tok.i]
            if all(m.actor != o.actor for o in out):
                out.insert(0, m)
            i = m.start - 1
            continue
        if tok.pos_ == "CCONJ" and out:
            i -= 1
            continue
        if tok.pos_ == "AUX" and not out:  # "X has shown"
            i -= 1
            continue
        break
    if not out or (i >= start and verb.doc[i].text != ","):
        return []
    return out


def _antecedent(verb: Token, by_token: dict[int, Mention]) -> list[Mention]:
    """A pronoun subject in a reported or subordinate clause ("Switzerland said it had expelled…",
    "the rebels said they would…") refers to the subject of the clause that governs it."""
    cur = verb
    for _ in range(6):
        if cur.head is cur or cur.dep_ not in ("ccomp", "xcomp", "advcl", "conj", "pcomp", "pobj", "prep", "relcl"):
            return []
        relative = cur.dep_ == "relcl" and _about_its_head(cur)
        cur = cur.head
        if relative and cur.pos_ in ("PROPN", "NOUN"):  # "the NLA, whose talks were frozen after it attacked…"
            found = _head_mention(cur, by_token)
            if found:
                return found
        if cur.pos_ in ("VERB", "AUX"):
            for subj in _child(cur, "nsubj", "nsubjpass"):
                found = _head_mention(subj, by_token)
                if found:
                    return found
    return []


def _describes(verb: Token) -> bool:
    """A relative clause in the simple present ("which guarantee the talks", "who chairs the bloc") says
    what its head is or habitually does; a past or perfect one ("which ratified the treaty") reports an act."""
    if verb.dep_ != "relcl" or verb.tag_ not in ("VBZ", "VBP"):
        return False
    return not any(c.dep_ in ("aux", "auxpass", "neg") for c in children(verb))


def _about_its_head(relcl: Token) -> bool:
    """A relative clause whose subject is its head noun or the head's ("X, which/who …", "X, whose talks …"),
    not a place or time ("Pyongyang, where he met…") nor an object ("the workers they abducted")."""
    near = [*children(relcl), *(g for c in children(relcl) if c.dep_ in ("nsubj", "nsubjpass") for g in children(c))]
    return any(t.tag_ == "WP$" or (t.tag_ in ("WDT", "WP") and t.dep_ in ("nsubj", "nsubjpass")) for t in near)


def objects(
    verb: Token,
    event_type: str,
    by_token: dict[int, Mention],
    skip: set,
    lex: Lexicon,
    extra_preps: tuple[str, ...] = (),
) -> list[Mention]:
    """The one acted on or the counterpart; `extra_preps` name a destination ("arrived in Pyongyang").
    A protest's route is not its target ("marched from the park to parliament"), but the site of a foreign
    mission is ("rallied outside the French embassy"); a transfer's origin is not its receiver when a
    destination is named ("deployed soldiers from the capital to the north"), but it is the counterpart of
    a recruitment from abroad ("plans to attract workers from the DPRK")."""
    out: list[Mention] = []
    counterpart = _words(lex, "counterpart_preps")
    sites = _words(lex, "protest_site_preps") if event_type == "PROTEST" else frozenset()
    if event_type == "PROTEST":
        counterpart = counterpart - _words(lex, "route_preps")
    elif event_type in TRANSFER_TYPES and _to_and_from(verb, lex):
        counterpart = counterpart - _words(lex, "origin_preps")
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
            mission = [o for o in _child(prep, "pobj") if o.lemma_.lower() in _words(lex, "mission_nouns")]
            if holder is verb and prep.lower_ in sites and mission:  # "rallied outside the French embassy"
                out.extend(m for o in mission for m in _head_mention(o, by_token))
            elif prep.lower_ in counterpart or (holder is verb and prep.lower_ in extra_preps):
                for pobj in _child(prep, "pobj"):
                    if event_type == "PROTEST" and pobj.ent_type_ in ("GPE", "LOC"):
                        continue  # "rallied at Tahrir Square", "protested in Nairobi": where, not whom
                    found = _head_mention(pobj, by_token)
                    if event_type == "MOBILIZE" and prep.lower_ in _words(lex, "route_preps"):
                        found = [m for m in found if m.actor.actor_type == "state"]  # a town is where, not whom
                    out.extend(found)
    return [m for m in out if m.actor not in skip]


def _to_and_from(verb: Token, lex: Lexicon) -> bool:
    """Does the verb (or its object) name both an origin and a destination ("from Jakarta to Wamena")?"""
    preps = {p.lower_ for h in (verb, *_child(verb, "dobj")) for p in _child(h, "prep", "dative")}
    return bool(preps & _words(lex, "origin_preps")) and bool(preps & {"to", "into", "toward", "towards"})


def _met_on_arrival(tok: Token, by_token: dict[int, Mention], skip: set, lex: Lexicon) -> list[Mention]:
    """Whom a journey's purpose meets: "flew to Abuja to meet President Tinubu" → Tinubu, before the host."""
    out: list[Mention] = []
    for purpose in _child(tok, "advcl", "xcomp"):
        if not any(c.dep_ == "aux" and c.lower_ == "to" for c in children(purpose)):
            continue
        found = lookup(purpose, lex)
        if found is not None and found[0].event_type == "CONSULT":
            out += objects(purpose, "CONSULT", by_token, skip, lex)
    return out


def _stative_in(tok: Token, trig: list[Token]) -> bool:
    """ "were engaged/involved in <event noun>": a passive form that describes what the subject does."""
    return any(t.dep_ == "prep" and t.lower_ == "in" and t.head.i == tok.i for t in trig)


def _is_action(tok: Token, lex: Lexicon) -> bool:
    if tok.pos_ not in ("VERB", "AUX", "NOUN"):
        return False
    if lookup(tok, lex) is not None or tok.lemma_.lower() in lex.deny_verbs:
        return True
    # a transparent verb passing on an action ("plans to begin deploying")
    return tok.lemma_.lower() in _transparent(lex) and any(_is_action(c, lex) for c in _child(tok, "xcomp"))


def _transparent(lex: Lexicon) -> frozenset[str]:
    return (
        lex.intent_verbs
        | lex.hypothetical_verbs
        | _words(lex, "aspect_verbs")
        | _words(lex, "negating_verbs")
        | _words(lex, "prepare_verbs")
        | _words(lex, "copulas")
    )


def _content(owner: Token, lex: Lexicon) -> set[int]:
    """Token indices of an event's content: its complements and arguments, not its subject, not
    its own coordinated verbs, and not relative clauses (they tell about a noun, not this action)."""
    out: set[int] = set()
    stack = [c for c in children(owner) if c.dep_ in CONTENT_DEPS and not _own_clause(c, lex)]
    while stack:
        t = stack.pop()
        out.add(t.i)
        stack.extend(
            c for c in children(t) if c.dep_ != "relcl" and not _own_clause(c, lex) and not _finite_conjunct(c)
        )
    return out


def _finite_conjunct(tok: Token) -> bool:
    """A past-tense verb the parser coordinated with an infinitive: in "fired tear gas to disperse the crowd
    and arrested 60 people" the arrest is the subject's own act, not part of the purpose."""
    head = tok.head
    return (
        tok.dep_ == "conj"
        and tok.tag_ in ("VBD", "VBZ")
        and head.tag_ == "VB"
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in children(head))
    )


def _own_clause(tok: Token, lex: Lexicon | None = None) -> bool:
    """A clause with its own subject that is not a complement ("as the opposition threatened…").
    A condition ("…unless Syria withdraws") belongs to the event it conditions."""
    if lex is not None and _condition(tok, lex):
        return False
    return tok.dep_ in ("advcl", "conj", "parataxis") and any(c.dep_ in ("nsubj", "nsubjpass") for c in children(tok))


def _condition(tok: Token, lex: Lexicon) -> bool:
    """Is `tok` the verb of an if/unless clause?"""
    marks = _words(lex, "threat_marks")
    return tok.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in marks for m in children(tok))


def _has_condition(toks: list[Token], lex: Lexicon) -> bool:
    marks = _words(lex, "threat_marks")
    for tok in toks:
        for adv in _child(tok, "advcl"):
            if any(m.dep_ == "mark" and m.lower_ in marks for m in children(adv)):
                return True
        for prep in _child(tok, "prep"):  # "unless" parsed as a preposition
            if prep.lower_ in marks:
                return True
    return False


def code_sentence(
    sent: Span, by_token: dict[int, Mention], lex: Lexicon, places: list | None = None
) -> list[CodedEvent]:
    events: list[CodedEvent] = []
    unowned: set[int] = set()  # content of event verbs whose actor is unknown: still not coded on its own
    _implied_subjects(sent, by_token, lex, places or [])
    doc, cols = sent.doc, columns(sent.doc)
    for i in range(sent.start, sent.end):
        if cols.pos[i] not in ("VERB",) and not (cols.pos[i] == "AUX" and cols.lemma[i] in lex.light_verbs):
            continue
        tok = doc[i]
        if _opens(tok, lex):
            events.extend(_opened_nouns(tok, sent, by_token, lex))
            continue  # "does not rule out sending troops": the sending is coded, hypothetical
        ev = _code_verb(tok, sent, by_token, lex)
        if ev is not None:
            events.append(ev)
        elif _speech_act(tok, lex):
            unowned |= _content(tok, lex)
    events = [one for ev in events for one in _each_subject(ev)]
    events.extend(_demands(sent, by_token, lex, events))
    events.extend(_nominal(sent, by_token, lex, events))
    events.extend(_nominal_agents(sent, by_token, lex, events, places or []))
    # an action inside another event's content ("threatened to [ban]", "accused X of [killing]") is not coded again
    kept = []
    for ev in events:
        owner = ev.owner or ev.trigger
        if owner.i in unowned or any(owner.i in _content(o.owner or o.trigger, lex) for o in events if o is not ev):
            continue
        kept.append(ev)
    return kept


def _each_subject(ev: CodedEvent) -> list[CodedEvent]:
    """One event per coordinated subject that acts on a counterpart of its own (rule 1): "Venezuela and
    Norway praised the government" → two SUPPORT events. "X and Y met" keeps one event, X → Y."""
    return [ev, *(replace(ev, actor1=m, co_actors=()) for m in ev.co_actors)]


def _opened_nouns(tok: Token, sent: Span, by_token, lex: Lexicon) -> list[CodedEvent]:
    """ "Iran does not rule out talks with the US" → CONSULT Iran→US, hypothetical."""
    out = []
    for obj in _child(tok, "dobj"):
        found = _noun_entry(obj, lex)
        if found is None or found[0].event_type == "NONE":
            continue
        ev = _build(tok, found[0], [tok, *found[1]], by_token, lex, sent, status="hypothetical", light=True)
        if ev is not None:
            if ev.actor2 is None:
                others = [m for p in _child(obj, "prep") for x in _child(p, "pobj") for m in _head_mention(x, by_token)]
                first = ev.actor1.actor if ev.actor1 is not None else None
                ev.actor2 = next((m for m in others if m.actor != first), None)
            ev.trigger, ev.owner, ev.how = obj, tok, "not_ruled_out"
            out.append(ev)
    return out


def _speech_act(tok: Token, lex: Lexicon) -> bool:
    """An event verb that governs another action as its content ("urge X to honour", "threatened to ban")."""
    lemma = tok.lemma_.lower()
    if lemma in _transparent(lex) or lemma in lex.agree_verbs or lemma in lex.deny_verbs:
        return False
    found = lookup(tok, lex)
    return found is not None and found[0].event_type in SPEECH_TYPES


def _code_verb(tok: Token, sent: Span, by_token, lex: Lexicon) -> CodedEvent | None:
    lemma = tok.lemma_.lower()
    participle = tok.dep_ == "acl" and tok.tag_ == "VBN" and not _child(tok, "agent", "aux", "auxpass")
    if participle and not _after_dateline(tok, lex):
        return None  # a participle describing a noun ("militiamen armed with machetes"), not a report
    if _describes(tok) or any(_describes(g) for g in _governors(tok, lex)):
        return None  # "Norway, which guarantees the talks, …", "militants who use X to launch attacks": a
        # standing role or habit, not a reported act (rule 2)
    actions = [c for c in children(tok) if (c.dep_ == "xcomp" or _infinitive_complement(c, lex)) and _is_action(c, lex)]
    has_object = bool(_child(tok, "dobj"))
    # a transparent governor hands its place to the action it governs ("plans to [attract]")
    if actions and lemma in _transparent(lex) and not has_object:
        return None
    # an agree verb governing an action: the action is coded as AGREE ("agreed to [deploy]")
    if actions and lemma in lex.agree_verbs:
        return None
    if lemma in lex.deny_verbs:
        return _deny(tok, sent, by_token, lex)
    if lemma in _words(lex, "receive_verbs"):
        got = _received(tok, sent, by_token, lex)
        if got is not None:
            believed = _belief(tok, _governors(tok, lex), lex) is not None
            if believed and got.status == "planned":
                return None  # a forecast (rule 2), as below
            if believed and got.status == "asserted":
                got.status = "hypothetical"
            return got
    found = lookup(tok, lex)
    how = None
    # "welcomed the president" is a visit, "welcomed the decision" is support
    alt = lex.verb_maps.get("object_actor", {}).get(lemma)
    if alt and (found is None or len(found[1]) == 1) and any(o.i in by_token for o in _child(tok, "dobj")):
        found = (alt, [tok], False)
        how = "object_actor"
    if found is None:
        return None
    entry, trig, light = found
    if how is None:
        how = "light_noun" if light else ("phrase" if len(trig) > 1 else "verb")
    chain = _governors(tok, lex)
    owner = tok
    agree_gov = next((g for g in chain if g.lemma_.lower() in lex.agree_verbs), None)
    if agree_gov is not None and _is_hostile(entry) and agree_gov.lemma_.lower() in _words(lex, "oath_verbs"):
        entry, owner, how = VerbEntry("THREATEN"), agree_gov, "chain_oath"  # "vowed to fight on"
    elif agree_gov is not None and entry.event_type != "AGREE":
        entry, how = lex.verbs.get(agree_gov.lemma_.lower(), VerbEntry("AGREE")), "chain_agree"
        if entry.event_type != "AGREE":
            entry = VerbEntry("AGREE")
    elif entry.event_type == "ASSAULT" and any(g.lemma_.lower() in _words(lex, "prepare_verbs") for g in chain):
        entry, how = VerbEntry("MOBILIZE"), "chain_prepare"  # "preparing to fight": forces readied, not yet used
    # the trigger's words: the governing verbs up to, not including, a reporting verb ("said that … sent")
    reporting = lex.speech_verbs | _words(lex, "observe_verbs")
    carried = list(itertools.takewhile(lambda g: g.lemma_.lower() not in reporting, chain))
    trig = [*carried, *trig] if carried and all(g.i < tok.i for g in carried) else trig
    if entry.event_type == "MOBILIZE" and lemma in _words(lex, "launch_verbs") and _targeted(tok, lex):
        entry, how = VerbEntry("ASSAULT", cameo="19"), "launch_target"  # fired or launched at a target
    ev = _build(tok, entry, trig, by_token, lex, sent, chain=chain, light=light)
    if ev is None or _rhetoric(ev, lex):
        return None
    if ev.status == "planned" and _belief(tok, chain, lex) is not None:
        return None  # "an expert believes Russia is preparing to receive weapons": a forecast (rule 2)
    ev.owner, ev.how = owner, how if ev.actor1 is not None else "agentless"
    state = VerbState(tok, chain, entry, lex)
    for name, rule in VERB_RULES:  # in order; a rule that changes the type names the event's `how`
        before = ev.event_type
        rule(ev, state)
        if ev.event_type != before:
            ev.how = name
    return ev


@dataclass
class VerbState:
    """What the rules after `_build` read: the verb, the verbs governing it, the type it was built with."""

    tok: Token
    chain: list[Token]
    entry: VerbEntry
    lex: Lexicon


def _rule_labour_strike(ev: CodedEvent, st: VerbState) -> None:
    """ "Kenyan nurses struck over pay", "doctors went on strike" → PROTEST (mode strike), not ASSAULT."""
    if _labour(ev, st.lex):
        ev.event_type, ev.entry = "PROTEST", VerbEntry("PROTEST", mode="strike")


def _rule_civil_protest(ev: CodedEvent, st: VerbState) -> None:
    """ "students blockaded three bridges" → PROTEST; "protesters stormed the parliament" → PROTEST, riot."""
    if _civil(ev, st.lex):
        mode = "riot" if st.tok.lemma_.lower() in _words(st.lex, "riot_verbs") else None
        ev.event_type, ev.entry = "PROTEST", VerbEntry("PROTEST", mode=mode)


def _rule_domestic_forces(ev: CodedEvent, st: VerbState) -> None:
    """ "Colombia sent 2,000 soldiers to the Catatumbo region" (no receiving state) → MOBILIZE, not AID."""
    if ev.event_type == "AID" and ev.actor2 is None and _forces(st.tok, st.lex):
        ev.event_type, ev.entry = "MOBILIZE", VerbEntry("MOBILIZE")


def _rule_possibility(ev: CodedEvent, st: VerbState) -> None:
    """ "raised the possibility of Russia helping", "did not rule out sending troops" → hypothetical."""
    if ev.status != "denied" and _hedged(st.tok, st.lex):
        ev.status = "hypothetical"


def _rule_belief(ev: CodedEvent, st: VerbState) -> None:
    """ "is believed to have sent", "US officials believe Pyongyang sent shells" → hypothetical (rule 6)."""
    if ev.status == "asserted" and _belief(st.tok, st.chain, st.lex) is not None:
        ev.status = "hypothetical"


def _belief(tok: Token, chain: list[Token], lex: Lexicon) -> Token | None:
    """The belief verb whose content the action is ("believes that X sent", "X is thought to have sent"),
    through the verbs governing it and up to three clausal complements; None when there is none."""
    beliefs = _words(lex, "belief_verbs")
    for gov in chain:
        if gov.lemma_.lower() in beliefs:
            return gov
    cur = chain[-1] if chain else tok
    for _ in range(3):
        if cur.dep_ not in ("ccomp", "xcomp") or cur.head is cur:
            return None
        cur = cur.head
        if cur.lemma_.lower() in beliefs:
            return cur
    return None


def _rule_refusal(ev: CodedEvent, st: VerbState) -> None:
    """ "will not accept", "did not agree to": the actor refuses → REJECT, asserted."""
    lex, tok = st.lex, st.tok
    refused = tok.lemma_.lower() in _words(lex, "refusable") and any(c.dep_ == "neg" for c in children(tok))
    if ev.event_type == "AGREE" and refused:
        ev.event_type, ev.entry, ev.status = "REJECT", lex.verbs.get("reject", VerbEntry("REJECT")), "asserted"


def _rule_condition(ev: CodedEvent, st: VerbState) -> None:
    """ "if Hamas ran in the election": a condition, not a report → hypothetical."""
    if ev.status == "asserted" and any(_condition(t, st.lex) for t in [st.tok, *st.chain]):
        ev.status = "hypothetical"


def _rule_conditional_threat(ev: CodedEvent, st: VerbState) -> None:
    """ "will withdraw unless…": a planned hostile action under a condition → THREATEN."""
    hostile = ev.status in ("planned", "hypothetical") and _is_hostile(st.entry)
    if hostile and _has_condition([st.tok, *st.chain], st.lex):
        ev.event_type, ev.entry = "THREATEN", VerbEntry("THREATEN")


# The rules applied, in this order, to an event a verb made (adding a rule is adding an entry).
VERB_RULES = (
    ("labour_strike", _rule_labour_strike),
    ("civil_protest", _rule_civil_protest),
    ("domestic_forces", _rule_domestic_forces),
    ("possibility", _rule_possibility),
    ("belief", _rule_belief),
    ("refusal", _rule_refusal),
    ("condition", _rule_condition),
    ("conditional_threat", _rule_conditional_threat),
)


def _is_hostile(entry: VerbEntry) -> bool:
    return entry.event_type in HOSTILE_TYPES


def _deny(tok: Token, sent: Span, by_token, lex: Lexicon) -> CodedEvent | None:
    """ "deny arms deliveries" → the delivery, denied; "denied the claims" → REJECT; "deny entry" → SANCTION.
    "neither confirmed nor denied" is no event (rule 6)."""
    if _neither_nor(tok):
        return None
    found = lookup(tok, lex)
    if found and len(found[1]) > 1 and not found[2]:
        return _named(_build(tok, found[0], found[1], by_token, lex, sent), "deny_phrase")
    if any(_is_action(c, lex) for c in _child(tok, "xcomp", "ccomp")):
        return None  # "denied sending troops": the action is coded, status denied
    for obj in _child(tok, "dobj"):
        if obj.lemma_.lower() in _words(lex, "claim_nouns"):
            break
        noun = _noun_entry(obj, lex)
        if noun:
            toks = [tok, *[c for c in obj.lefts if c.dep_ == "compound"], obj]
            return _named(_build(tok, noun[0], toks, by_token, lex, sent, status="denied"), "deny")
        break
    return _named(_build(tok, lex.verbs.get("reject", VerbEntry("REJECT")), [tok], by_token, lex, sent), "deny_claim")


def _received(tok: Token, sent: Span, by_token, lex: Lexicon) -> CodedEvent | None:
    """A receiver-subject verb: "Ukraine received weapons from Poland" → AID Poland → Ukraine, "obtained a
    loan from the World Bank", "received a visit from X" → CONSULT by X (the giver after "from" acts, the
    subject receives). Only what is given (`transfer_objects`, "20 tonnes of food aid", or an AID or
    CONSULT event noun). Receiving observers or inspectors is the host's RETREAT (CAMEO 086, allowing
    international involvement): "Kyrgyzstan received a mission of observers from the OSCE"."""
    for obj in _child(tok, "dobj"):
        what = obj
        if obj.lemma_.lower() in _words(lex, "quantity_heads") or obj.pos_ == "NUM" or _child(obj, "nummod"):
            what = next((p for pr in _child(obj, "prep") if pr.lower_ == "of" for p in _child(pr, "pobj")), obj)
        if obj.lemma_.lower() in _words(lex, "observer_holders"):  # "a mission of observers"
            what = next((p for pr in _child(obj, "prep") if pr.lower_ == "of" for p in _child(pr, "pobj")), obj)
        if what.lemma_.lower() in _words(lex, "observer_nouns") or what.lower_ in _words(lex, "observer_nouns"):
            # receiving observers or inspectors allows international involvement (CAMEO 086: RETREAT)
            hosts = subjects(tok, by_token, lex)[0]
            if not hosts:
                return None
            preps = [p for h in (tok, obj, what) for p in _child(h, "prep") if p.lower_ == "from"]
            senders = [m for p in preps for o in _child(p, "pobj") for m in _head_mention(o, by_token)]
            actor2 = next((m for m in senders if m.actor != hosts[0].actor), None)
            status = claim_status(tok, [tok, *_governors(tok, lex)], lex)
            entry = VerbEntry("RETREAT", cameo="08")
            return CodedEvent("RETREAT", entry, tok, [tok], status, hosts[0], actor2, sent, how="receiver")
        found = _noun_entry(what, lex)
        if found is not None and found[0].event_type not in ("AID", "CONSULT"):
            found = None
        given = _words(lex, "transfer_objects")
        if found is None and what.lemma_.lower() not in given and what.lower_ not in given:
            continue
        preps = [p for h in (tok, obj, what) for p in _child(h, "prep") if p.lower_ == "from"]
        givers = [m for p in preps for o in _child(p, "pobj") for m in _head_mention(o, by_token)]
        if not givers:
            return None
        entry = found[0] if found is not None else lex.verbs.get("supply", VerbEntry("AID"))
        receivers = subjects(tok, by_token, lex)[0]
        actor2 = next((m for m in receivers if m.actor != givers[0].actor), None)
        status = claim_status(tok, [tok, *_governors(tok, lex)], lex)
        return CodedEvent(entry.event_type, entry, tok, [tok], status, givers[0], actor2, sent, how="receiver")
    return None


def _named(ev: CodedEvent | None, how: str) -> CodedEvent | None:
    if ev is not None:
        ev.how = how
    return ev


def _neither_nor(tok: Token) -> bool:
    """ "neither confirmed nor denied": a denial coordinated with its opposite by neither/nor."""
    heads = [tok, tok.head] if tok.dep_ == "conj" else [tok, *_child(tok, "conj")]
    return any(c.lower_ in ("neither", "nor") for h in heads for c in children(h))


def _opens(tok: Token, lex: Lexicon) -> bool:
    """ "does not rule out talks", "did not exclude sending troops": the action stays possible."""
    lemma = tok.lemma_.lower()
    words = _words(lex, "open_verbs")
    phrase = lemma in words or any(f"{lemma} {p.lower_}" in words for p in _child(tok, "prt"))
    return phrase and any(c.dep_ == "neg" or c.lower_ in ("not", "n't", "never") for c in children(tok))


def _hedged(tok: Token, lex: Lexicon) -> bool:
    """An action under a possibility noun or an open verb: "raised the possibility of Russia [helping]",
    "did not rule out [sending] troops" → hypothetical (rule 6). Relative clauses end the walk."""
    nouns = _words(lex, "hypothetical_nouns")
    cur = tok
    for _ in range(8):
        if cur.head is cur or cur.dep_ in ("relcl", "ROOT"):
            return False
        cur = cur.head
        if (cur.pos_ == "NOUN" and cur.lemma_.lower() in nouns) or (cur.pos_ == "VERB" and _opens(cur, lex)):
            return True
    return False


def _targeted(tok: Token, lex: Lexicon) -> bool:
    """A launch or firing with a target: "fired missiles at the islands" (ASSAULT, not a test)."""
    preps, away = _words(lex, "target_preps"), _words(lex, "non_targets")
    holders = [tok, *_child(tok, "dobj")]
    for prep in (p for h in holders for p in _child(h, "prep") if p.lower_ in preps and p.i > tok.i):
        for pobj in (o for o in _child(prep, "pobj") if o.ent_type_ not in ("DATE", "TIME")):
            words = {pobj.lemma_.lower(), *(c.lemma_.lower() for c in children(pobj) if c.dep_ == "compound")}
            if not words & away:  # "into the Sea of Japan", "towards the open ocean": a test
                return True
    return False


def _rhetoric(ev: CodedEvent, lex: Lexicon) -> bool:
    """ "we will always fight together against imperialism": a hostile act aimed only at abstract
    nouns is rhetoric, no event (rule 2); "X and Y fight together" does not make Y its target."""
    if ev.event_type not in ("ASSAULT", "THREATEN"):
        return False
    abstract = _words(lex, "abstract_targets")
    targets = [
        p for prep in _child(ev.trigger, "prep") if prep.lower_ in ("against", "for") for p in _child(prep, "pobj")
    ] + _child(ev.trigger, "dobj")
    return bool(targets) and all(t.lemma_.lower() in abstract or t.lower_.endswith("ism") for t in targets)


def _civil(ev: CodedEvent, lex: Lexicon) -> bool:
    """A blockade, occupation, storming or arson by civilians is a protest (a riot), not an armed assault
    or a seizure: "protesters set fire to the embassy's gate" → PROTEST."""
    if ev.event_type not in ("ASSAULT", "COERCE") or ev.actor1 is None or ev.actor1.actor.actor_type != "group":
        return False
    if ev.trigger.lemma_.lower() not in _words(lex, "civil_protest_verbs"):
        return False
    return ev.actor1.actor.name.lower().split()[-1] in _words(lex, "civilian_nouns")


def _forces(tok: Token, lex: Lexicon) -> bool:
    """Does the verb move armed forces ("sent 2,000 soldiers", "moved tanks and troops")?"""
    forces = _words(lex, "force_nouns")
    objs = [o for d in _child(tok, "dobj") for o in (d, *d.conjuncts)]
    return any(o.lemma_.lower() in forces or o.lower_ in forces for o in objs)


def _labour(ev: CodedEvent, lex: Lexicon) -> bool:
    """ "doctors went on strike", "the strike by Nigerian nurses": a strike by workers is PROTEST."""
    strike = next((t for t in ev.trigger_tokens if t.lemma_.lower() == "strike"), None)
    if strike is None or ev.event_type != "ASSAULT" or ev.actor1 is None:
        return False
    if strike.pos_ == "VERB" and _child(strike, "dobj"):
        return False
    last = ev.actor1.actor.name.lower().split()[-1]
    return last in _words(lex, "labour_nouns")


def _demands(sent: Span, by_token, lex: Lexicon, events: list[CodedEvent]) -> list[CodedEvent]:
    """ "X said Y must …" → REQUEST from X to Y (a demand voiced by a named actor)."""
    modals = _words(lex, "demand_modals")
    out = []
    doc, cols = sent.doc, columns(sent.doc)
    for i in range(sent.start, sent.end):
        if cols.low_lemma[i] not in lex.speech_verbs and cols.low_lemma[i] not in ("conclude", "insist"):
            continue
        tok = doc[i]
        speakers = subjects(tok, by_token, lex)[0]
        if not speakers:
            continue
        for comp in _child(tok, "ccomp"):
            if not any(c.dep_ == "aux" and c.lower_ in modals for c in children(comp)):
                continue
            addressees = [m for s in _child(comp, "nsubj", "nsubjpass") for m in _head_mention(s, by_token)]
            addressees = [m for m in addressees if m.actor != speakers[0].actor]
            if not addressees:
                continue
            must = next(c for c in children(comp) if c.dep_ == "aux" and c.lower_ in modals)
            out.append(
                CodedEvent(
                    "REQUEST",
                    VerbEntry("REQUEST", cameo="02"),
                    comp,
                    [tok, must, comp],
                    "asserted",
                    speakers[0],
                    addressees[0],
                    sent,
                    owner=tok,
                    how="demand",
                )
            )
    return out


RECIPROCAL_TYPES = frozenset({"CONSULT", "AGREE"})
SPEECH_TYPES = frozenset({"REQUEST", "ACCUSE", "THREATEN", "REJECT", "SUPPORT"})


def _nominal(sent: Span, by_token, lex: Lexicon, events: list[CodedEvent]) -> list[CodedEvent]:
    """A reciprocal event noun as a clause's subject, its two sides named in it: "talks between X
    and Y were progressing", "a meeting of X with Y was held", "an agreement between X and Y was
    not announced". The status follows the clause's verb."""
    out = []
    taken = {t.i for ev in events for t in ev.trigger_tokens}
    doc, cols = sent.doc, columns(sent.doc)
    for i in range(sent.start, sent.end):
        if cols.pos[i] != "NOUN" or cols.dep[i] not in ("nsubj", "nsubjpass") or i in taken:
            continue
        noun = doc[i]
        found = _noun_entry(noun, lex)
        if found is None or found[0].event_type not in RECIPROCAL_TYPES or noun.head.i in taken:
            continue
        sides: list[Mention] = []
        for prep in _child(noun, "prep"):
            if prep.lower_ in ("between", "of", "with", "among"):
                for pobj in _child(prep, "pobj"):
                    for m in _head_mention(pobj, by_token):
                        if all(m.actor != o.actor for o in sides):
                            sides.append(m)
                    for sub in _child(pobj, "prep"):  # "a meeting of officials with representatives"
                        if sub.lower_ == "with":
                            sides += [m for x in _child(sub, "pobj") for m in _head_mention(x, by_token)]
        if len(sides) < 2:
            continue
        verb = noun.head
        status = claim_status(verb, [verb, *_governors(verb, lex)], lex)
        if status == "hypothetical":
            continue  # "the meeting between X and Y could focus on…": a forecast (rule 2)
        trig = [*found[1], verb] if verb.pos_ in ("VERB", "AUX") else found[1]
        out.append(
            CodedEvent(found[0].event_type, found[0], noun, trig, status, sides[0], sides[1], sent, True, how="nominal")
        )
    return out


def _noun_actor(noun: Token, by_token) -> list[Mention]:
    """Who does a nominal event: "a visit by Modi", "Modi's visit", "the Russian ratification"."""
    for agent in (c for c in children(noun) if c.dep_ in ("prep", "agent") and c.lower_ == "by"):
        found = [m for p in _child(agent, "pobj") for m in _head_mention(p, by_token)]
        if found:
            return found
    for c in noun.lefts:
        if c.dep_ in ("poss", "amod", "compound", "nmod") and c.i in by_token:
            return [by_token[c.i]]
        if c.dep_ == "poss":
            found = _head_mention(c, by_token)
            if found:
                return found
    return []


def _subtree_country(tok: Token, by_token: dict[int, Mention]) -> str | None:
    """The country of an actor named inside a phrase ("workers affiliated with the Serbian union")."""
    found = (by_token[t.i].actor.country for t in tok.subtree if t.i > tok.i and t.i in by_token)
    return next((c for c in found if c), None)


def _implied_actor(
    noun: Token, sent: Span, lex: Lexicon, places: list, agent: str | None = None, country: str | None = None
) -> Mention | None:
    """ "a riot broke out in Nairobi" → Kenyan rioters: the generic doer of a protest noun, of the
    country of the event's place (the first place of the sentence with a country), else of none."""
    from transforms.actors import Actor, _adjective_demonym, sector_code  # the actors module owns naming
    from transforms.places import event_place

    agent = agent or lex.word_maps.get("implied_agents", {}).get(noun.lemma_.lower())
    if agent is None:
        return None
    if country is None:
        place = event_place(noun, sent, places, set()) if places else None
        if place is None or not place.country:
            place = next((p for p in places if sent.start <= p.start < sent.end and p.country), None)
        country = place.country if place else None
    demonym = _adjective_demonym(country, lex) if country else None
    name = f"{demonym} {agent}" if demonym else agent
    sector = sector_code(lex, lex.agent_sectors.get(agent.lower()))
    return Mention(noun.i, noun.i + 1, Actor(name, "group", country, sector), name, "implied")


def _implied_subjects(sent: Span, by_token: dict[int, Mention], lex: Lexicon, places: list) -> None:
    """The unnamed crowd of a protest is a generic actor of the event's country (rule 1): "Thousands of
    farmers marched towards New Delhi" → Indian farmers, "people rallied in Tbilisi" → Georgian
    protesters; "students blockaded the bridges" too. Adds the mentions to `by_token`."""
    civil = _words(lex, "civilian_nouns")
    doc, cols = sent.doc, columns(sent.doc)
    for i in range(sent.start, sent.end):
        if cols.pos[i] != "VERB":
            continue
        verb = doc[i]
        found = lookup(verb, lex)
        protest = found is not None and found[0].event_type == "PROTEST"
        subjs = _child(verb, "nsubj")
        if verb.dep_ == "acl" and verb.tag_ == "VBG":
            subjs.append(verb.head)  # "protesters blocking highways"
        for subj in subjs:
            subj = _past_dateline(subj, verb, lex)
            common = subj.pos_ in ("NOUN", "NUM") or (subj.pos_ == "PROPN" and subj.lower_ in civil)
            known = _head_mention(subj, by_token)
            if any(m.source != "agent" or m.actor.country for m in known):
                continue  # a named or placed actor stays; a generic one of no country takes the event's
            if not common:
                continue
            head = subj
            if head.lemma_.lower() in _words(lex, "quantity_heads") or head.pos_ == "NUM":
                head = next((p for pr in _child(head, "prep") if pr.lower_ == "of" for p in _child(pr, "pobj")), head)
            noun = head.lemma_.lower() if head.lemma_.lower() in civil else head.lower_
            crowd = verb.lemma_.lower() in _words(lex, "civil_protest_verbs") | _words(lex, "crowd_verbs")
            if not (protest or (found is not None and noun in civil and crowd)):
                continue
            agent = head.lower_ if noun in civil and head.tag_ in ("NNS", "NNPS") else None
            m = _implied_actor(verb, sent, lex, places, agent, _subtree_country(subj, by_token))
            if m is not None and m.actor.country:  # a crowd of no known country stays unnamed
                for old in known:
                    for i in range(old.start, old.end):
                        by_token[i] = Mention(old.start, old.end, m.actor, old.text, "implied")
                said = known[0].text if known else head.text  # the surface form stays an alias ("supporters")
                by_token[subj.i] = Mention(subj.i, subj.i + 1, m.actor, said, "implied")


def _classified(verb: Token) -> bool:
    """A copula that classifies its subject instead of saying it happens: "the strike is the third since
    2019" (a predicate noun or adjective), unlike "the strike is in its second week"."""
    return verb.lemma_.lower() == "be" and any(c.dep_ in ("attr", "acomp") for c in children(verb))


def _nominal_agents(sent: Span, by_token, lex: Lexicon, events: list[CodedEvent], places: list) -> list[CodedEvent]:
    """Nominal events with their doer (rule 8): "the ratification of the treaty by X", "a visit by X to Y",
    "X's strike entered its third day", and a protest noun that happens ("protests erupted in Tehran",
    "a riot broke out in Nairobi") with its implied generic doer. The status follows the clause's verb."""
    out: list[CodedEvent] = []
    taken = {t.i for ev in events for t in ev.trigger_tokens}
    happen = _words(lex, "occur_verbs")
    doc, cols = sent.doc, columns(sent.doc)
    for i in range(sent.start, sent.end):
        if cols.pos[i] != "NOUN" or i in taken or i in by_token:
            continue
        noun = doc[i]
        found = _noun_entry(noun, lex)
        if found is None or found[0].event_type == "NONE":
            continue
        entry, toks = found
        verb = noun.head
        occurs = noun.dep_ in ("nsubj", "nsubjpass") and verb.lemma_.lower() in happen and not _classified(verb)
        actors = _noun_actor(noun, by_token)
        if not actors and occurs:
            implied = _implied_actor(noun, sent, lex, places)
            actors = [implied] if implied else []
        by_agent = any(c.lower_ == "by" for c in children(noun)) and noun.dep_ in ("nsubj", "nsubjpass")
        if not actors or not (occurs or by_agent):
            continue  # "during a visit by X", "X's visit comes after…": background, not a report
        others = []
        for prep in _child(noun, "prep"):
            if prep.lower_ in _words(lex, "counterpart_preps") or prep.lower_ in ("of", "in"):
                for pobj in _child(prep, "pobj"):
                    others += _head_mention(pobj, by_token)
        actor2 = next((m for m in others if m.actor != actors[0].actor), None)
        if actor2 is None and len(actors) > 1:
            actor2 = actors[1]
        status = "asserted"
        if noun.dep_ in ("nsubj", "nsubjpass") and verb.pos_ in ("VERB", "AUX"):
            status = claim_status(verb, [verb, *_governors(verb, lex)], lex)
            if status == "hypothetical":
                continue  # "the talks could focus on…": a forecast (rule 2)
        trig = [*toks, *([verb] if occurs else [])]
        if occurs:
            trig += [c for c in children(verb) if c.dep_ == "prt"]  # "broke out"
        how = "implied_doer" if actors[0].source == "implied" else "nominal_agent"
        ev = CodedEvent(entry.event_type, entry, noun, trig, status, actors[0], actor2, sent, True, how=how)
        if _labour(ev, lex) or (noun.lemma_.lower() == "strike" and actors[0].source == "implied"):
            ev.event_type, ev.entry = "PROTEST", VerbEntry("PROTEST", mode="strike")
        out.append(ev)
        taken |= {t.i for t in trig}
    return out


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
    chain = chain if chain is not None else _governors(tok, lex)
    actors1, passive = subjects(tok, by_token, lex)
    patient = []
    if passive:
        patient = [m for s in _passive_subject(tok) for m in _head_mention(s, by_token)]
        if not actors1 and patient and (entry.event_type in TRANSFER_TYPES or (light and _stative_in(tok, trig))):
            # "North Korean soldiers are stationed…", "the militia was engaged in looting": they act
            actors1, patient = patient, []
    if not actors1:
        return _agentless(tok, entry, trig, patient, lex, sent, status, chain, light) if passive else None
    actor1 = actors1[0]
    dest = ("in", "at") if tok.lemma_.lower() in _words(lex, "destination_verbs") else ()
    others = patient + objects(tok, entry.event_type, by_token, {actor1.actor}, lex, dest)
    if dest and entry.event_type == "CONSULT":
        others = _met_on_arrival(tok, by_token, {actor1.actor}, lex) + others
    if not others:
        # the content's participants: "demanded that the government [provide]", "threatened to [ban] X"
        for comp in _child(tok, "xcomp", "ccomp"):
            others += [m for s in _child(comp, "nsubj") for m in _head_mention(s, by_token)]
            others += objects(comp, entry.event_type, by_token, {actor1.actor}, lex)
    if not others:
        # the counterpart inside the object's complement: "accepted an invitation to visit North Korea",
        # "signed a deal to supply gas to Hungary"
        for acl in (a for o in _child(tok, "dobj") for a in _child(o, "acl", "relcl")):
            if any(c.dep_ == "aux" and c.lower_ == "to" for c in children(acl)):
                inner = ("in", "at") if acl.lemma_.lower() in _words(lex, "destination_verbs") else ()
                others += objects(acl, entry.event_type, by_token, {actor1.actor}, lex, inner)
    if not others and entry.event_type in _WITH_COUNTERPART:
        # the counterpart the object is made with: "agreed to a ceasefire with Hamas", "backed a deal with Iran"
        held = [
            *_child(tok, "dobj"),
            *(o for p in _child(tok, "prep") if p.lower_ in ("to", "on") for o in _child(p, "pobj")),
        ]
        for prep in (p for o in held for p in _child(o, "prep") if p.lower_ == "with"):
            others += [m for o in _child(prep, "pobj") for m in _head_mention(o, by_token)]
    if not others and entry.event_type in ("ASSAULT", "COERCE"):
        # the target of its purpose: "fired tear gas to disperse the crowd" → the crowd
        for purpose in _child(tok, "advcl"):
            if any(c.dep_ == "aux" and c.lower_ == "to" for c in children(purpose)):
                others += objects(purpose, entry.event_type, by_token, {actor1.actor}, lex)
    co_actors: tuple[Mention, ...] = ()
    if not others and len(actors1) > 1:
        others = actors1[1:]  # "X and Y met": the second is the counterpart
    elif others:  # "the EU and France suspended aid to Niger": each subject acts on the counterpart (rule 1)
        co_actors = tuple(m for m in actors1[1:] if m.actor != actor1.actor)
    actor2 = next((m for m in others if m.actor != actor1.actor), None)
    st = status or claim_status(tok, [tok, *chain], lex)
    ev = CodedEvent(entry.event_type, entry, tok, trig, st, actor1, actor2, sent, light)
    ev.co_actors = tuple(m for m in co_actors if actor2 is None or m.actor != actor2.actor)
    return ev


_WITH_COUNTERPART = frozenset({"AGREE", "CONSULT", "COOPERATE"})  # types whose object is made "with" someone


def _cumulative(verb: Token) -> bool:
    """A perfect tense counted from a past point: "have been killed since the 1960s"."""
    perfect = any(c.dep_ == "aux" and c.lemma_ == "have" for c in children(verb))
    return perfect and any(c.dep_ == "prep" and c.lower_ == "since" for c in children(verb))


def _passive_subject(tok: Token) -> list[Token]:
    """The passive subject nearest the verb: in a misparse with two ("Riot police in Tbilisi fired water
    cannon … and 30 people were detained"), the one right before the verb is what was acted on."""
    subjs = _child(tok, "nsubjpass")
    return sorted(subjs, key=lambda s: (s.i > tok.i, -s.i))[:1]


def _agentless(
    tok: Token,
    entry: VerbEntry,
    trig: list[Token],
    patient: list[Mention],
    lex: Lexicon,
    sent: Span,
    status: str | None,
    chain: list[Token],
    light: bool,
) -> CodedEvent | None:
    """An agentless passive of a hostile act whose victims are named: "40 teachers were arrested",
    "three civilians have been killed in a bombing" → the act with no actor1, the victims as actor2
    (the gold codes the unknown doer as null). Only a verb of the `agentless_types` with a noun subject,
    not in a relative clause."""
    if light or tok.pos_ != "VERB" or entry.event_type.lower() not in _words(lex, "agentless_types"):
        return None
    if tok.dep_ in ("relcl", "acl"):
        return None  # "Montenegro, where 28 people have been killed this year": background to a noun
    if tok.lemma_.lower() in _words(lex, "agentless_results"):
        return None  # "two people were injured": a harm with no act and no doer named
    if _cumulative(tok):
        return None  # "450,000 people have been killed since the 1960s": a background toll, not this event
    subj = next(iter(_passive_subject(tok)), None)
    if subj is None or subj.pos_ not in ("NOUN", "PROPN", "NUM"):
        return None  # "it was attacked": a pronoun's referent is for coreference, not this rule
    st = status or claim_status(tok, [tok, *chain], lex)
    actor2 = patient[0] if patient else None
    return CodedEvent(entry.event_type, entry, tok, trig, st, None, actor2, sent, light, how="agentless")
