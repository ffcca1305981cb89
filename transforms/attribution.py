"""Trigger → who the text says reported it (the claimant).

In: the trigger token, the sentence, the actor mentions by token, the
`Lexicon` (speech verbs, "according to" phrases). Out: the claimant `Mention`
or None. Patterns: "X said/reported/announced/claimed (that) …" (the trigger
sits in the clause of a speech verb whose subject is X), "according to X",
"…, X said." and "X reports on …" headlines. The reporter is the one inside
the text, never the outlet that published the article (guideline rule 5).
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from transforms.actors import Mention
from transforms.lexicon import Lexicon

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
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass") and child.dep_ != "nsubjpass":
            return mention_in(child, by_token)
        if child.dep_ == "agent":
            for pobj in child.children:
                return mention_in(pobj, by_token)
    return None


def claimant(trigger: Token, sent: Span, by_token: dict[int, Mention], lex: Lexicon) -> Mention | None:
    # 1. a speech verb governing the trigger's clause
    tok = trigger
    while tok.head is not tok and tok.dep_ in CLAUSE_DEPS:
        head = tok.head
        if head.lemma_.lower() in lex.speech_verbs and head.pos_ in ("VERB", "AUX"):
            found = _subject_mention(head, by_token)
            if found:
                return found
        tok = head
    # "…, X said." where the speech verb is a child of the trigger's clause root
    root = trigger
    while root.head is not root and root.dep_ not in ("ROOT",):
        root = root.head
    for child in list(root.children) + [root]:
        if (
            child is not trigger
            and child.lemma_.lower() in lex.speech_verbs
            and child.dep_ in ("parataxis", "ccomp", "advcl", "ROOT")
            and child.i > trigger.i
        ):
            found = _subject_mention(child, by_token)
            if found:
                return found
    # 2. "according to X", "citing X", "as reported by X"
    low = sent.text.lower()
    for phrase in lex.according_to:
        at = low.find(phrase)
        if at < 0:
            continue
        char = sent.start_char + at + len(phrase)
        for tok in sent:
            if tok.idx >= char:
                found = mention_in(tok.head if tok.dep_ == "det" else tok, by_token)
                if found is None:
                    for t in sent:
                        if t.idx >= char and t.i in by_token:
                            found = by_token[t.i]
                            break
                return found
    return None
