"""Phrase patterns for spaCy matchers, tokenised like the model tokenises text.

In: a vocab and phrases. Out: pattern `Doc`s in that vocab, tokenised by
spaCy's English rules (the same as the model's tokenizer).
"""

from __future__ import annotations

from functools import cache

import spacy
from spacy.tokens import Doc


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
