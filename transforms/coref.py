"""Pronoun subjects across sentences → the actors they refer to (conservative).

In: one sentence (spaCy `Span`), the actor mentions by token index and the paragraph's `Context`
(what the previous sentences of the paragraph made available). Out: `Mention`s with source
`coref` for the pronoun subjects the sentence itself cannot resolve, and an updated `Context`.

Only the subject of a sentence's main clause is resolved ("They took part in battles", "He said…"),
never a pronoun in a reported clause ("Norway said it had…" is resolved by the grammar,
`transforms.events`). "he"/"she" is the last person the paragraph made its subject, or the one
person a sentence named; "they" is the last coordinated subject ("X and Y met", "the two leaders"),
or else the last group the previous sentence named ("… sent 13,000 of its soldiers. They…").
A new subject that is no actor ("Officials said…") makes the pronoun unresolved. Across a
paragraph break only what the previous paragraph's last sentence named is kept (news paragraphs
are often one sentence long: "… the two leaders arrived. ¶ They held talks…").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from transforms.actors import Mention
from transforms.events import _head_mention
from transforms.tree import children

PERSON_PRONOUNS = frozenset({"he", "she"})
PLURAL_PRONOUNS = frozenset({"they"})


@dataclass
class Context:
    person: Mention | None = None  # "he"/"she"
    plural: list[Mention] = field(default_factory=list)  # "they"
    person_fresh: bool = False  # set by the last sentence (not carried from an older one)
    plural_fresh: bool = False

    def new_paragraph(self) -> None:
        """A paragraph break: only what the paragraph's last sentence named reaches the next one."""
        if not self.person_fresh:
            self.person = None
        if not self.plural_fresh:
            self.plural = []


def _main_verbs(sent: Span) -> list[Token]:
    root = sent.root
    return [root, *(c for c in children(root) if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX"))]


def pronoun_mentions(sent: Span, by_token: dict[int, Mention], ctx: Context) -> list[Mention]:
    """Mentions for the main-clause pronoun subjects of `sent` that the context resolves."""
    out = []
    for verb in _main_verbs(sent):
        for tok in (c for c in children(verb) if c.dep_ in ("nsubj", "nsubjpass")):
            if tok.i in by_token:
                continue
            low = tok.lower_
            if low in PERSON_PRONOUNS and ctx.person is not None:
                target = [ctx.person]
            elif low in PLURAL_PRONOUNS and ctx.plural:
                target = ctx.plural
            else:
                continue
            partner = target[1].actor if len(target) > 1 else None
            out.append(Mention(tok.i, tok.i + 1, target[0].actor, tok.text, "coref", partner=partner))
    return out


def remember(sent: Span, by_token: dict[int, Mention], ctx: Context) -> None:
    """Update the context with what `sent` makes available to the next sentence."""
    subj = next((c for c in children(sent.root) if c.dep_ in ("nsubj", "nsubjpass")), None)
    found = _head_mention(subj, by_token) if subj is not None else []
    # the sentence's own tokens are looked up (not every mention of the doc: linear in a long doc)
    named = {by_token[i].start: by_token[i] for i in range(sent.start, sent.end) if i in by_token}
    persons = {a for m in named.values() for a in (m.actor, m.partner) if a is not None and a.actor_type == "person"}
    groups = [m for m in sorted(named.values(), key=lambda m: m.start) if m.actor.actor_type == "group"]
    ctx.person_fresh = ctx.plural_fresh = False
    # he/she
    if len(found) == 1 and found[0].actor.actor_type == "person":
        ctx.person, ctx.person_fresh = found[0], True
    elif len(persons) == 1:
        ctx.person, ctx.person_fresh = next(m for m in named.values() if m.actor.actor_type == "person"), True
    elif persons or (subj is not None and not found and subj.pos_ in ("NOUN", "PROPN") and subj.tag_ != "NNS"):
        ctx.person = None  # two persons, or a new singular subject that is no actor: ambiguous
    # they
    if len(found) >= 2 or (found and found[0].partner is not None):
        ctx.plural, ctx.plural_fresh = found, True
    elif groups:
        ctx.plural, ctx.plural_fresh = [groups[-1]], True
    elif subj is not None and not found and subj.tag_ == "NNS":
        ctx.plural = []  # "Officials said…": a plural subject that is no actor
