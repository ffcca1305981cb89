"""Trigger → a count tied to the action, with its unit.

In: the trigger token (and the object it acts on). Out: `(quantity, unit)` or
None: "deploy 1,000 engineers" → (1000, "engineers"), "up to 12,000 workers" →
(12000, "workers"), "two Russian citizens" → (2, "citizens"), "5 million
shells" → (5000000, "shells"). Vague amounts without a number ("millions of
shells") give None.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from transforms.tree import children

WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "dozen": 12,
    "dozens": 24,
    "hundreds": 200,
    "thousand": 1000,
}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "k": 1_000}
NOT_UNITS = frozenset(
    {
        "year",
        "years",
        "month",
        "months",
        "day",
        "days",
        "week",
        "weeks",
        "percent",
        "%",
        "time",
        "times",
        "hour",
        "hours",
        "minute",
        "minutes",
        "km",
        "kilometers",
        "kilometres",
        "miles",
    }
)
_NUM = re.compile(r"^\d{1,3}(?:[,\s]\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")


def parse_number(tokens: list[Token]) -> float | None:
    value, scale = None, 1
    for tok in tokens:
        low = tok.lower_.replace(",", "")
        if _NUM.match(tok.text.replace(" ", "")):
            value = float(tok.text.replace(",", "").replace(" ", ""))
        elif low in SCALES and value is not None:
            scale *= SCALES[low]
        elif low in WORD_NUMBERS and value is None:
            value = float(WORD_NUMBERS[low])
        elif low in SCALES and value is None:
            value = float(SCALES[low])
    if value is None:
        return None
    return value * scale


def _count_of(noun: Token) -> tuple[float, str] | None:
    nums = [c for c in children(noun) if c.dep_ == "nummod" or (c.like_num and c.dep_ in ("amod", "compound"))]
    if not nums:
        return None
    num = nums[0]
    tokens = sorted(
        [num, *[c for c in children(num) if c.dep_ in ("compound", "quantmod") or c.like_num]], key=lambda t: t.i
    )
    value = parse_number(tokens)
    if value is None or noun.lower_ in NOT_UNITS or noun.ent_type_ in ("DATE", "TIME", "MONEY", "PERCENT"):
        return None
    if num.ent_type_ in ("DATE", "TIME", "PERCENT"):
        return None
    mods = [c for c in noun.lefts if c.dep_ in ("compound", "amod") and c.i > num.i and not c.like_num]
    unit = " ".join([*(m.text for m in mods if m.pos_ == "NOUN"), noun.text]).lower()
    return value, unit


def event_quantity(trigger: Token, objects: list[Token]) -> tuple[float, str] | None:
    """The count on the action's object (or on the nouns the trigger governs through a preposition)."""
    seen: list[Token] = []
    for obj in objects:
        seen.append(obj)
        seen.extend(c for c in children(obj) if c.dep_ in ("conj", "appos"))
    for obj in objects:  # "imposed sanctions on two Russian citizens"
        for prep in children(obj):
            if prep.dep_ == "prep" and prep.lower_ in ("on", "against", "of"):
                seen.extend(c for c in children(prep) if c.dep_ == "pobj")
    for child in children(trigger):
        if child.dep_ in ("dobj", "nsubjpass", "attr", "oprd"):
            seen.append(child)
        if child.dep_ == "prep" and child.lower_ in ("of", "with", "for"):
            seen.extend(c for c in children(child) if c.dep_ == "pobj")
    for noun in seen:
        found = _count_of(noun)
        if found:
            return found
        # "thousands of soldiers" / "up to 12,000 of its workers": number as head, noun under "of"
        if noun.like_num or noun.lower_ in WORD_NUMBERS or noun.lower_ in SCALES:
            for prep in children(noun):
                if prep.lower_ == "of":
                    for pobj in children(prep):
                        value = parse_number([noun])
                        if value is not None and noun.like_num:
                            return value, pobj.text.lower()
    return None
