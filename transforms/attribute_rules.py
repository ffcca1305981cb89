"""The model's attribute rules, applied per token key: what spaCy's `attribute_ruler` sets, for less.

In: the loaded pipeline's `AttributeRuler` (its rules: Matcher patterns, the attributes each sets and
the index of the token it sets them on). Out: `AttributeRules`, a pipeline component that sets exactly
the same attributes on every token (POS and MORPH from the tag, the word exceptions, the lemma fixes).

Why: the ruler runs a Matcher of ~180 patterns over every token and then builds a `Span` and calls
`set_token_attrs` once per match — about 12 % of the whole model's time on news text, more than the
parser's own transitions. Nearly every rule is one token tested on its tag, lower-case form, dependency
label or whitespace-ness, so which rules match a token is a function of those four values: the component
works it out once per distinct key (a value no rule mentions is one key for all) and sets the merged
attributes in one call. Rules of several tokens, or with a test this module does not evaluate itself,
still go through a Matcher of their own, and their attributes are merged in the ruler's order (a later
rule overrides an earlier one, as in `AttributeRuler.match`). `tests/test_nlp.py` holds the tokens'
attributes equal to the original ruler's on real text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, cast

from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

# the token tests evaluated here: Matcher attribute name → the doc.to_array column it reads
_COLUMNS = {"TAG": TAG, "LOWER": LOWER, "DEP": DEP, "IS_SPACE": IS_SPACE}
_TEXT = ("TAG", "LOWER", "DEP")  # string attributes: compared as text; IS_SPACE is a flag
_OPS = {"IN", "NOT_IN", "REGEX"}
_MAX_CACHED = 200_000  # distinct keys remembered before a memo starts again


def _simple(pattern: list[dict]) -> bool:
    """One token whose every test is one this module evaluates exactly as the Matcher does."""
    if len(pattern) != 1:
        return False
    for name, spec in pattern[0].items():
        if name not in _COLUMNS:
            return False
        if isinstance(spec, dict):
            if not spec or set(spec) - _OPS or name == "IS_SPACE":
                return False
        elif not isinstance(spec, bool if name == "IS_SPACE" else str):
            return False
    return True


def _holds(spec: Any, value: Any) -> bool:
    """The Matcher's test of one attribute value (None: a value no rule names or matches)."""
    if not isinstance(spec, dict):
        return value == spec
    for op, arg in spec.items():
        if op == "IN" and value not in arg:
            return False
        if op == "NOT_IN" and value in arg:
            return False
        if op == "REGEX" and (value is None or re.search(arg, value) is None):
            return False
    return True


class _Classes:
    """Maps an attribute's value to itself if some rule could tell it apart, else to None (one key)."""

    def __init__(self, specs: list[Any]):
        self.literals: set[str] = set()
        self.regexes: list[re.Pattern[str]] = []
        for spec in specs:
            if isinstance(spec, str):
                self.literals.add(spec)
            elif isinstance(spec, dict):
                for op, arg in spec.items():
                    if op == "REGEX":
                        self.regexes.append(re.compile(arg))
                    else:
                        self.literals.update(arg)

    def __call__(self, value: str) -> str | None:  # asked only when a token's key is new (`by_hash`)
        relevant = value in self.literals or any(r.search(value) for r in self.regexes)
        return value if relevant else None


class AttributeRules:
    """A drop-in for the model's `attribute_ruler` (see the module docstring); keeps its rules' order."""

    def __init__(self, ruler: AttributeRuler):
        self.vocab = ruler.vocab
        self.attrs: list[dict] = list(ruler.attrs)
        self.indices: list[int] = list(ruler.indices)
        self.single: list[tuple[int, dict]] = []  # (rule, token test) in rule order
        self.matcher = Matcher(self.vocab)
        for rule, entry in enumerate(ruler.patterns):
            patterns: list[Any] = cast(list, entry["patterns"])
            for pattern in patterns:
                if _simple(pattern) and self.indices[rule] in (0, -1):
                    self.single.append((rule, pattern[0]))
                else:
                    self.matcher.add(str(rule), [pattern])
        specs: dict[str, list[Any]] = {name: [] for name in _TEXT}
        for _, test in self.single:
            for name, spec in test.items():
                if name in specs:
                    specs[name].append(spec)
        self.classes: dict[str, Callable[[str], str | None]] = {name: _Classes(specs[name]) for name in _TEXT}
        self.merged: dict[tuple, tuple[tuple[int, ...], dict]] = {}  # by the values' classes
        self.by_hash: dict[tuple, tuple[tuple[int, ...], dict]] = {}  # by the values' hashes, in front

    def _rules(self, key: tuple) -> tuple[tuple[int, ...], dict]:
        """The rules a token of this key matches, in order, and their attributes merged (later wins)."""
        found = self.merged.get(key)
        if found is None:
            values = dict(zip((*_TEXT, "IS_SPACE"), key, strict=True))
            rules = tuple(
                sorted({rule for rule, test in self.single if all(_holds(s, values[n]) for n, s in test.items())})
            )
            attrs: dict = {}
            for rule in rules:
                attrs.update(self.attrs[rule])
            found = (rules, attrs)
            if len(self.merged) >= _MAX_CACHED:
                self.merged.clear()
            self.merged[key] = found
        return found

    def _multi(self, doc: Doc) -> dict[int, list[int]]:
        """Token index → the rules of the Matcher's matches that set it (several-token rules)."""
        touched: dict[int, list[int]] = {}
        if len(self.matcher) == 0:
            return touched
        strings = self.vocab.strings
        for match_id, start, end in self.matcher(doc, allow_missing=True, as_spans=False):
            rule = int(strings[match_id])
            span = doc[start:end]
            index = self.indices[rule]
            if not -len(span) <= index < len(span):
                raise ValueError(f"attribute rule {rule}: index {index} outside its match {span.text!r}")
            touched.setdefault(span[index].i, []).append(rule)
        return touched

    def __call__(self, doc: Doc) -> Doc:
        touched = self._multi(doc)
        strings = self.vocab.strings
        tag, lower, dep = (self.classes[name] for name in _TEXT)
        columns = doc.to_array([_COLUMNS[name] for name in (*_TEXT, "IS_SPACE")]).tolist()
        by_hash = self.by_hash
        for i, row in enumerate(columns):
            found = by_hash.get(row := tuple(row))
            if found is None:
                t, lw, d, space = row
                found = self._rules((tag(strings[t]), lower(strings[lw]), dep(strings[d]), bool(space)))
                if len(by_hash) >= _MAX_CACHED:
                    by_hash.clear()
                by_hash[row] = found
            rules, attrs = found
            if i in touched:
                attrs = {}
                for rule in sorted({*rules, *touched[i]}):
                    attrs.update(self.attrs[rule])
            if attrs:
                set_token_attrs(doc[i], attrs)
        return doc


@Language.factory("newsevents_attribute_rules")
def make_attribute_rules(nlp: Language, name: str) -> AttributeRules:
    """The component, over the rules of the pipeline's own `attribute_ruler`."""
    return AttributeRules(cast(AttributeRuler, nlp.get_pipe("attribute_ruler")))


def speed_up(nlp: Language) -> None:
    """Replace the pipeline's `attribute_ruler`, if it has one, by `AttributeRules` over the same rules."""
    if "attribute_ruler" in nlp.pipe_names:
        nlp.add_pipe("newsevents_attribute_rules", after="attribute_ruler")
        nlp.remove_pipe("attribute_ruler")
