"""Trigger → who the text says reported it (the claimant).

In: the trigger token, the sentence, the actor mentions by token, the
`Lexicon` (speech verbs, "according to" phrases). Out: the claimant `Mention`
or None. Patterns: "X said/reported/announced/claimed (that) …" (the trigger
sits in the clause of a speech verb whose subject is X), "according to X",
"…, X said." and "X reports on …" headlines. The reporter is the one inside
the text, never the outlet that published the article (guideline rule 5).
"""

from __future__ import annotations

import re
from functools import cache

from spacy.tokens import Span, Token

from transforms.actors import Mention
from transforms.lexicon import Lexicon
from transforms.tree import children, columns

CLAUSE_DEPS = frozenset({"ccomp", "xcomp", "advcl", "conj", "dobj", "pobj", "prep", "relcl", "acl", "parataxis"})


def mention_in(tok: Token, by_token: dict[int, Mention]) -> Mention | None:
    """The mention a token heads, or the first one in its subtree (nouns like "a report by TASS")."""
    if tok.i in by_token:
        return by_token[tok.i]
    for sub in tok.subtree:
        if sub.i in by_token:
            return by_token[sub.i]
    return None


def _subject_mention(verb: Token, by_token: dict[int, Mention]) -> Mention | None:
    for child in children(verb):
        if child.dep_ in ("nsubj", "nsubjpass") and child.dep_ != "nsubjpass":
            return mention_in(child, by_token)
        if child.dep_ == "agent":
            for pobj in children(child):
                return mention_in(pobj, by_token)
    return None


def _source_noun_reporter(noun: Token, by_token: dict[int, Mention]) -> Mention | None:
    """Who a report or statement is by: "GUR reports on…", "the ministry's statement", "a report by TASS",
    "the group released a report in which…"."""
    for child in children(noun):
        if child.dep_ in ("compound", "poss", "nmod") and child.i < noun.i:
            found = mention_in(child, by_token)
            if found:
                return found
        if child.dep_ == "prep" and child.lower_ in ("by", "from", "of"):
            for pobj in children(child):
                if pobj.dep_ == "pobj" and pobj.i in by_token:
                    return by_token[pobj.i]
    if noun.dep_ == "dobj":
        return _subject_mention(noun.head, by_token)
    return None


def _trailing_reporter(verb: Token, by_token: dict[int, Mention]) -> Mention | None:
    """ "…, the Institute for the Study of War said." when the parser hangs the name on the clause before."""
    doc = verb.doc
    before = by_token.get(verb.i - 1)
    if before is None:
        return None
    start = before.start - (1 if before.start > 0 and doc[before.start - 1].lower_ == "the" else 0)
    return before if start > 0 and doc[start - 1].text == "," else None


def claimant(
    trigger: Token, sent: Span, by_token: dict[int, Mention], lex: Lexicon, previous: Mention | None = None
) -> Mention | None:
    """The reporter of the claim the trigger belongs to; `previous` resolves "according to him"."""
    # 1. a speech verb governing the trigger's clause
    tok = trigger
    while tok.head is not tok and tok.dep_ in CLAUSE_DEPS:
        head = tok.head
        if head.pos_ in ("VERB", "AUX") and (
            head.lemma_.lower() in lex.speech_verbs or head.lemma_.lower() in lex.verb_lists.get("observe_verbs", ())
        ):  # "X said…", and an observer: "Estonian intelligence observed trucks carrying shells" (rule 8)
            found = _subject_mention(head, by_token)
            if found:
                return found
        if head.pos_ in ("VERB", "AUX") and any(
            c.dep_ == "dobj" and c.lemma_.lower() in lex.source_nouns for c in children(head)
        ):  # "X released a report in which it indicated that…"
            found = _subject_mention(head, by_token)
            if found:
                return found
        if head.pos_ in ("NOUN", "PROPN") and head.lemma_.lower() in lex.source_nouns:
            found = _source_noun_reporter(head, by_token)
            if found:
                return found
        tok = head
    # "…, X said." where the speech verb is a child of the trigger's clause root
    root = trigger
    while root.head is not root and root.dep_ not in ("ROOT",):
        root = root.head
    for child in list(children(root)) + [root]:
        if (
            child is not trigger
            and child.lemma_.lower() in lex.speech_verbs
            and child.dep_ in ("parataxis", "ccomp", "advcl", "ROOT")
            and child.i > trigger.i
        ):
            found = _subject_mention(child, by_token) or _trailing_reporter(child, by_token)
            if found:
                return found
    # 2. "according to X", "citing X", "as reported by X": the noun phrase right after the phrase
    return according_to(sent, by_token, lex, previous)


PRONOUNS = frozenset({"him", "her", "them", "he", "she", "they"})
_NP_DEPS = frozenset({"det", "amod", "compound", "poss", "nummod", "case", "punct", "nmod"})


@cache
def _according_patterns(phrases: tuple[str, ...]) -> list[tuple[str, re.Pattern[str]]]:
    """The phrases longest first, each with its whole-word pattern (compiled once)."""
    return [(p, re.compile(rf"(?<![\w-]){re.escape(p)}(?![\w-])")) for p in sorted(phrases, key=len, reverse=True)]


def according_to(sent: Span, by_token: dict[int, Mention], lex: Lexicon, previous: Mention | None = None):
    """The reporter after "according to", "citing", "as reported by"… (whole words only: "per" is not
    in "perform"). A pronoun ("according to him") is the last person who spoke, `previous`."""
    low = sent.text.lower()
    for phrase, pattern in _according_patterns(lex.according_to):
        if phrase not in low:
            continue  # most sentences hold none of the phrases: no regex search for them
        for found in pattern.finditer(low):
            char = sent.start_char + found.end()
            first = next((t for t in sent if t.idx >= char), None)
            if first is None:
                continue
            head = first
            while head.dep_ in _NP_DEPS and head.head.i > head.i and head.head.i < sent.end:
                head = head.head
            if head.pos_ == "PRON":
                return previous if head.lower_ in PRONOUNS else None
            if head.i in by_token:
                return by_token[head.i]
            for tok in head.subtree:
                if tok.i in by_token and tok.dep_ not in ("relcl", "acl"):
                    return by_token[tok.i]
            if phrase == "per" or phrase.endswith((" by", " from", " of")):
                continue
            return None
    return None


def source_statement(sent: Span, by_token: dict[int, Mention], lex: Lexicon) -> Mention | None:
    """A sentence that names the source of the report around it without reporting a claim itself:
    "The National Resistance Center reported the information.", "GUR reports on …", "TASS said so."
    Out: the reporter, or None."""
    root = sent.root
    if root.lemma_.lower() not in lex.speech_verbs or root.pos_ not in ("VERB", "AUX"):
        return None
    if any(c.dep_ in ("ccomp", "xcomp", "parataxis") for c in children(root)):
        return None  # it reports a claim of its own: coded with the claim
    objects = [c for c in children(root) if c.dep_ in ("dobj", "prep")]
    if any(o.dep_ == "dobj" and o.lemma_.lower() not in REPORT_OBJECTS for o in objects):
        return None
    return _subject_mention(root, by_token)


REPORT_OBJECTS = frozenset({"information", "news", "report", "data", "details", "this", "it", "that", "so", "finding"})


def speakers(sent: Span, by_token: dict[int, Mention], lex: Lexicon) -> list[Mention]:
    """Persons who say something in the sentence ("Analyst X said that…"), in order."""
    out = []
    doc, cols = sent.doc, columns(sent.doc)
    for i in range(sent.start, sent.end):
        if cols.low_lemma[i] in lex.speech_verbs and cols.pos[i] in ("VERB", "AUX"):
            tok = doc[i]
            found = _subject_mention(tok, by_token)
            if found is not None and found.actor.actor_type == "person":
                out.append(found)
    return out
