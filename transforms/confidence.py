"""A coded event's evidence → its confidence: the estimated share of such events that are coded right.

In: a `CodedEvent`, the claimant `Mention` (or None) and the number of events coded in its sentence.
Out: a score in [0, 1]. Pure: the weights are data (`dictionaries/confidence.yaml`), read once.

The evidence says how the event was found, never what the sentence says (docs/coding.md "Confidence"); each
feature is `family=value`:

- `how`: the rule that found the type (`CodedEvent.how` when set, else read off the trigger: verb,
  phrase, light "held talks", noun, nominal "talks between X and Y were…", chain "vowed to fight");
- `a1`, `a2`: how each actor was found (`Mention.source`: dictionary, demonym, role, ner, pair, coref…,
  or none); `a1kind`, `a2kind`: its type (state, person, organization, group, none);
- `a1role`: actor1 is the trigger's subject or by-agent, the subject of a governing verb, other, none;
- `claimant` yes/no; `status` (asserted, planned, denied, negated, hypothetical); `type` (PLOVER) and
  `quad` (its quad class 1–4: types of a class share strength, a type's own weight is what differs);
- `len`: sentence tokens, short ≤ 15 < medium ≤ 30 < long ≤ 45 < very_long;
- `dist`: tokens between trigger and actor1, near ≤ 2 < mid ≤ 6 < far ≤ 15 < very_far, or none;
- `root`: the trigger is its sentence's root; `dep`: the trigger's clause (root, ccomp, xcomp, conj,
  advcl, relcl, noun, other); `events`: events coded in the sentence (1, 2, 3+);
- `a1country`: actor1 has a country code (yes, no, none: no actor1); `tag`: the trigger's part-of-speech
  tag (VBD a reported past act, VB an infinitive or a plan, VBN a passive…); `cl`: how the claimant was
  found (`Mention.source`, or none);
- `a2gap`: no actor2 where the type names a counterpart as a rule (yes), an actor2 (no), or a type that
  often stands alone (na: PROTEST, MOBILIZE, RETREAT); `a2role`: actor2 is the trigger's object, the object
  of a preposition on it or on its object ("sanctions on X"), other, none;
- `clause`: the nearest embedding of the trigger (main, reported, relative, adverbial, complement, noun);
  `verbs`: verbs in the sentence (1, 2-3, 4-5, 6+); `same`: actor1 is actor2; `a1gen`: actor1 named, a
  generic group noun ("police", "rebels"), a pronoun or coreference, none.

The model uses only the families its weights file lists under `families` (chosen by comparing grouped
out-of-fold log loss in `benchmarks/calibrate.py`; a family absent there weighs nothing).

The score is a logistic model over these one-hot features (a dict lookup, a sum and a sigmoid), its
weights already rescaled (Platt) on out-of-fold predictions so that the score reads as "share right".
Fitted by `uv run python benchmarks/calibrate.py --fit` (the file's header says on what).
"""

from __future__ import annotations

import math
import re
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

from transforms.plover import ACTOR_TYPES, EVENT_TYPES, STATUSES, quad_class
from transforms.tree import columns

WEIGHTS_PATH = Path(__file__).parent / "dictionaries" / "confidence.yaml"
_OPEN = re.compile(r"^[a-z][a-z0-9_]*$")  # values of open families (rule and source names added by other rules)
FAMILIES: dict[str, frozenset[str] | None] = {  # None: an open family, any lower-case rule name
    "how": None,
    "a1": None,
    "a2": None,
    "a1kind": frozenset({*ACTOR_TYPES, "none"}),
    "a2kind": frozenset({*ACTOR_TYPES, "none"}),
    "claimant": frozenset({"yes", "no"}),
    "status": frozenset(STATUSES),
    "type": frozenset(EVENT_TYPES),
    "quad": frozenset({"1", "2", "3", "4"}),
    "len": frozenset({"short", "medium", "long", "very_long"}),
    "dist": frozenset({"near", "mid", "far", "very_far", "none"}),
    "root": frozenset({"yes", "no"}),
    "dep": frozenset({"root", "ccomp", "xcomp", "conj", "advcl", "relcl", "noun", "other"}),
    "a1role": frozenset({"subject", "governor", "other", "none"}),
    "events": frozenset({"1", "2", "3+"}),
    "a1country": frozenset({"yes", "no", "none"}),
    "tag": frozenset({"VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "NN", "NNS", "other"}),
    "cl": None,
    "a2gap": frozenset({"yes", "no", "na"}),
    "verbs": frozenset({"1", "2-3", "4-5", "6+"}),
    "clause": frozenset({"main", "reported", "relative", "adverbial", "complement", "noun"}),
    "same": frozenset({"yes", "no"}),
    "a2role": frozenset({"object", "prep", "other", "none"}),
    "a1gen": frozenset({"named", "generic", "pronoun", "none"}),
}
# types whose events name a counterpart as a rule (events.md: whom one agrees with, consults, aids, attacks…);
# a missing actor2 there is evidence of a missed argument. PROTEST, MOBILIZE and RETREAT often stand alone.
DYADIC_TYPES = frozenset(EVENT_TYPES) - {"PROTEST", "MOBILIZE", "RETREAT"}


def check_feature(name: str) -> str:
    """A feature name `family=value` of a known family and value, else ValueError."""
    family, sep, value = name.partition("=")
    if not sep or family not in FAMILIES:
        raise ValueError(f"unknown confidence feature {name!r} (families: {', '.join(FAMILIES)})")
    allowed = FAMILIES[family]
    if (allowed is None and not _OPEN.match(value)) or (allowed is not None and value not in allowed):
        raise ValueError(f"unknown value in confidence feature {name!r}")
    return name


class Weights(BaseModel):
    """The fitted model: score = 1 / (1 + e^-(intercept + Σ weights[feature])); absent features weigh 0."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fitted: dict[str, str | int | float | list[str]] = {}
    families: tuple[str, ...] = tuple(FAMILIES)  # the families the model was fitted on
    intercept: float
    weights: dict[str, float]

    @field_validator("families")
    @classmethod
    def _families(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [f for f in value if f not in FAMILIES]
        if unknown:
            raise ValueError(f"unknown confidence families {unknown} (families: {', '.join(FAMILIES)})")
        return value

    @field_validator("weights")
    @classmethod
    def _known(cls, value: dict[str, float]) -> dict[str, float]:
        for name in value:
            check_feature(name)
        return value

    def logit(self, features: list[str]) -> float:
        return self.intercept + sum(self.weights.get(f, 0.0) for f in features)

    def score(self, features: list[str]) -> float:
        z = self.logit(features)
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def load_weights(path: Path = WEIGHTS_PATH) -> Weights:
    """The weights file, validated (unknown keys or feature names: ValueError with the file's name)."""
    try:
        return Weights.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from None


@cache
def _weights() -> Weights:
    return load_weights()


def how_found(ev) -> str:
    """The rule that found the type: `CodedEvent.how` when a rule named itself, else read off the trigger
    (a bare "verb", the field's default, is read off the trigger too: it may be a phrase or a light verb)."""
    how = getattr(ev, "how", None)
    if how and how != "verb":
        return str(how)
    trig = ev.trigger
    if ev.light:
        return "nominal" if trig.pos_ == "NOUN" and trig.dep_ in ("nsubj", "nsubjpass") else "light"
    if (ev.owner is not None and ev.owner is not trig) or any(
        t.i < trig.i and t.pos_ in ("VERB", "AUX") for t in ev.trigger_tokens
    ):
        return "chain"  # a governing verb shaped the event ("vowed to fight", "plans to send")
    if trig.pos_ == "NOUN":
        return "noun"
    return "phrase" if len(ev.trigger_tokens) > 1 else "verb"


def _bin(n: int, edges: tuple[int, ...], names: tuple[str, ...]) -> str:
    return next((name for edge, name in zip(edges, names, strict=False) if n <= edge), names[-1])


_TAGS = frozenset({"VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "NN", "NNS"})
_DEPS = {"ROOT": "root", "ccomp": "ccomp", "xcomp": "xcomp", "conj": "conj", "advcl": "advcl", "relcl": "relcl"}


def _dep(trig) -> str:
    """The trigger's clause: the sentence's main verb, reported content, a complement, a conjunct…"""
    return "noun" if trig.pos_ in ("NOUN", "PROPN") else _DEPS.get(trig.dep_, "other")


def _role(trig, mention) -> str:
    """How actor1 hangs on the trigger: its own subject or by-agent, the subject of a verb governing it, or else."""
    if mention is None:
        return "none"
    cols = columns(trig.doc)
    heads = {cols.head[i] for i in range(mention.start, mention.end)} - set(range(mention.start, mention.end))
    heads |= {cols.head[h] for h in heads if cols.dep[h] in ("agent", "prep")}
    if trig.i in heads:
        return "subject"
    return "governor" if heads & {a.i for a in trig.ancestors} else "other"


_CLAUSES = {"relcl": "relative", "acl": "relative", "advcl": "adverbial", "ccomp": "reported", "xcomp": "complement"}


def _clause(trig) -> str:
    """The clause the trigger sits in, its nearest embedding first: main, reported (ccomp), relative
    (relcl/acl), adverbial (advcl), complement (xcomp: "agreed to send"), noun (a nominal event)."""
    if trig.pos_ in ("NOUN", "PROPN"):
        return "noun"
    for tok in (trig, *trig.ancestors):
        if tok.dep_ in _CLAUSES:
            return _CLAUSES[tok.dep_]
    return "main"


def _verbs(sentence) -> str:
    """Verbs in the sentence (candidate events): 1, 2-3, 4-5, 6+."""
    pos = columns(sentence.doc).pos
    n = sum(1 for i in range(sentence.start, sentence.end) if pos[i] == "VERB")
    return _bin(n, (1, 3, 5), ("1", "2-3", "4-5", "6+"))


def _a2role(trig, mention) -> str:
    """How actor2 hangs on the trigger: its object, the object of a preposition on it or on its object
    ("imposed sanctions on X"), or farther."""
    if mention is None:
        return "none"
    cols = columns(trig.doc)
    span = set(range(mention.start, mention.end))
    heads = {cols.head[i] for i in span} - span
    if trig.i in heads:
        return "object"
    near = {trig.i} | {c.i for c in trig.children if c.dep_ in ("dobj", "attr", "oprd")}  # "sanctions on X"
    if any(cols.dep[h] in ("prep", "agent", "dative") and cols.head[h] in near for h in heads):
        return "prep"
    return "other"


def _generic(mention) -> str:
    """Actor1 named (dictionary, NER, role…), a generic noun ("police", "protesters") or a pronoun/coreference."""
    if mention is None:
        return "none"
    if mention.source in ("coref", "pair"):
        return "pronoun"
    return "generic" if mention.source == "agent" or mention.actor.actor_type == "group" else "named"


def evidence(ev, claimant=None, n_events: int = 1) -> list[str]:
    """The event's evidence as feature names (`family=value`, see the module's table)."""
    a1, a2 = ev.actor1, ev.actor2
    feats = [
        f"how={how_found(ev)}",
        f"a1={a1.source if a1 else 'none'}",
        f"a2={a2.source if a2 else 'none'}",
        f"a1kind={a1.actor.actor_type if a1 else 'none'}",
        f"a2kind={a2.actor.actor_type if a2 else 'none'}",
        f"claimant={'yes' if claimant is not None else 'no'}",
        f"status={ev.status}",
        f"type={ev.event_type}",
        f"quad={quad_class(ev.event_type)}",
        f"len={_bin(len(ev.sentence), (15, 30, 45), ('short', 'medium', 'long', 'very_long'))}",
        f"root={'yes' if ev.trigger.dep_ == 'ROOT' else 'no'}",
        f"events={n_events if n_events < 3 else '3+'}",
        f"dep={_dep(ev.trigger)}",
        f"a1role={_role(ev.trigger, a1)}",
        f"a1country={'none' if a1 is None else ('yes' if a1.actor.country else 'no')}",
        f"tag={ev.trigger.tag_ if ev.trigger.tag_ in _TAGS else 'other'}",
        f"cl={(getattr(claimant, 'source', None) or 'none') if claimant is not None else 'none'}",
        f"a2gap={'no' if a2 else ('yes' if ev.event_type in DYADIC_TYPES else 'na')}",
        f"verbs={_verbs(ev.sentence)}",
        f"clause={_clause(ev.trigger)}",
        f"same={'yes' if a1 and a2 and a1.actor.actor_id == a2.actor.actor_id else 'no'}",
        f"a2role={_a2role(ev.trigger, a2)}",
        f"a1gen={_generic(a1)}",
    ]
    if a1 is None:
        feats.append("dist=none")
    else:
        gap = max(a1.start - ev.trigger.i, ev.trigger.i - a1.end + 1, 0)
        feats.append(f"dist={_bin(gap, (2, 6, 15), ('near', 'mid', 'far', 'very_far'))}")
    return feats


def confidence(ev, claimant=None, n_events: int = 1) -> float:
    """The share of events with this evidence that are coded right, in [0, 1] (rounded to 3 places)."""
    return round(_weights().score(evidence(ev, claimant, n_events)), 3)
