"""Phrase patterns for spaCy matchers, and a plain token index for very long phrase lists.

In: a vocab and phrases. Out: pattern `Doc`s in that vocab, tokenised by
spaCy's English rules (the same as the model's tokenizer); or a `TokenIndex`
of the phrases as token tuples, which finds the same (key, start, end) matches
as a `PhraseMatcher` on `ORTH` without creating any entry in the model's
vocab (spaCy makes a lexeme for every word of every pattern `Doc`: for the
~29,000 imported actor names that cost seconds of start-up, memory in every
worker process and a slower matcher).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import spacy
from spacy.tokens import Doc, Span

_PLAIN = re.compile(r"[A-Za-z]+(?: [A-Za-z]+)*")


@cache
def _tokenizer():
    return spacy.blank("en").tokenizer


def pattern_docs(vocab, phrases) -> list[Doc]:
    tok = _tokenizer()
    out = []
    for phrase in phrases:
        words = [t.text for t in tok(phrase)]
        if words:
            out.append(Doc(vocab, words=words))
    return out


@cache
def _special_words() -> frozenset[str]:
    """Letter-only words the tokenizer splits by a special case ("Cannot" → "Can", "not")."""
    return frozenset(k for k in _tokenizer().rules if k.isalpha())


def phrase_tokens(phrase: str) -> tuple[str, ...]:
    """The tokens spaCy's English tokenizer makes of a phrase: plain words separated by single spaces are
    split on the spaces (what the tokenizer does with them, much faster), anything else is tokenised."""
    if _PLAIN.fullmatch(phrase) and not any(w in _special_words() for w in phrase.split(" ")):
        return tuple(sys.intern(w) for w in phrase.split(" "))
    return tuple(sys.intern(t.text) for t in _tokenizer()(phrase))


@dataclass(frozen=True)
class TokenIndex:
    """Phrases as token tuples → their keys; `longest` gives, per first token, its longest phrase's length.

    `TokenIndex.build([(7, ["New York", "NYC"])]).matches(doc)` → [(7, 3, 5)] for "I saw New York …":
    every occurrence of every phrase (overlaps included), by start, like a `PhraseMatcher` on `ORTH`."""

    phrases: dict[tuple[str, ...], tuple[int, ...]]
    longest: dict[str, int]

    @classmethod
    def build(cls, keyed: Iterable[tuple[int, Iterable[str]]]) -> TokenIndex:
        phrases: dict[tuple[str, ...], list[int]] = {}
        longest: dict[str, int] = {}
        for key, forms in keyed:
            for form in forms:
                words = phrase_tokens(form)
                if not words:
                    continue
                keys = phrases.setdefault(words, [])
                if key not in keys:
                    keys.append(key)
                longest[words[0]] = max(longest.get(words[0], 0), len(words))
        return cls({k: tuple(v) for k, v in phrases.items()}, longest)

    def matches(self, doclike: Doc | Span) -> list[tuple[int, int, int]]:
        """(key, start, end) of every phrase inside `doclike`, token offsets in its doc, by start then end."""
        start0 = doclike.start if isinstance(doclike, Span) else 0
        words = [t.text for t in doclike]
        out: list[tuple[int, int, int]] = []
        for i, word in enumerate(words):
            most = self.longest.get(word)
            if most is None:
                continue
            for n in range(1, min(most, len(words) - i) + 1):
                keys = self.phrases.get(tuple(words[i : i + n]))
                if keys:
                    out.extend((k, start0 + i, start0 + i + n) for k in keys)
        return out
