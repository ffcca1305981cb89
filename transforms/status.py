"""Trigger chain → status of the claim.

In: the trigger token and the verbs that govern it (the chain). Out: one of
`asserted`, `planned`, `denied`, `negated`, `hypothetical` (guideline rule 6):
negation or a negating governor ("failed to reach") → negated; a denial
verb governing the action → denied; modals could/may/might/would/can/should
and hypothetical governors ("is considering sending") → hypothetical;
will/shall/going to, "is to", intent and agree verbs → planned. Aspect verbs ("began
shelling", "continued to fight") leave the status as it is.
"""

from __future__ import annotations

from spacy.tokens import Token

from transforms.lexicon import Lexicon
from transforms.tree import children


def _has_neg(tok: Token) -> bool:
    return any(c.dep_ == "neg" or c.lower_ in ("never", "not", "n't") for c in children(tok))


def _modals(tok: Token) -> set[str]:
    return {c.lower_ for c in children(tok) if c.dep_ == "aux" and c.tag_ == "MD"}


def _to_infinitive(tok: Token) -> bool:
    """ "X is to visit", "was to sign": a copula with a to-infinitive complement is a schedule."""
    return any(
        c.dep_ == "xcomp" and any(a.dep_ == "aux" and a.lower_ == "to" for a in children(c)) for c in children(tok)
    )


def claim_status(trigger: Token, chain: list[Token], lex: Lexicon) -> str:
    """`chain` is the trigger followed by the verbs governing it, innermost first."""
    words = lex.verb_lists
    hypothetical_modals, future_modals = (
        words.get("hypothetical_modals", frozenset()),
        words.get("future_modals", frozenset()),
    )
    status = "asserted"
    for tok in chain:
        lemma = tok.lemma_.lower()
        if tok is not trigger and lemma in lex.deny_verbs:
            return "denied"
        if _has_neg(tok) or (tok is not trigger and lemma in lex.verb_lists.get("negating_verbs", ())):
            return "negated"
        modals = _modals(tok)
        hedge = tok is not trigger and tok.pos_ == "ADJ" and tok.lower_ in words.get("hedge_adjectives", ())
        if modals & hypothetical_modals or hedge or (tok is not trigger and lemma in lex.hypothetical_verbs):
            status = "hypothetical"
        elif status == "asserted" and (
            modals & future_modals
            or (tok is not trigger and (lemma in lex.intent_verbs or lemma in lex.agree_verbs))
            or (tok is not trigger and tok.lower_ in words.get("intent_adjectives", ()))
            or (tok.lower_ == "going" and any(c.dep_ == "xcomp" for c in children(tok)))
            or (tok is not trigger and tok.lemma_ == "be" and _to_infinitive(tok))  # "is to visit Japan"
        ):
            status = "planned"
    return status
