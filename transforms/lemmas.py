"""The model's lemmatizer, remembered per token key: the same lemmas, without a Python call per token.

In: the loaded pipeline's rule `Lemmatizer`. Out: `Lemmas`, a pipeline component that gives every token
the lemma the lemmatizer gives it. The rule lemmatizer's answer is a function of the token's text, its
part of speech and its morphology alone (spaCy keys its own cache on exactly those three), so the component
reads them as columns, asks the lemmatizer once per distinct key and writes the lemma column back in one
call; a token whose lemma is already set (an attribute rule's fix) keeps it, as with the lemmatizer.
`tests/test_nlp.py` holds the lemmas equal to the lemmatizer's on real text.
"""

from __future__ import annotations

from typing import Any, cast

from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc

_MAX_CACHED = 500_000  # distinct keys remembered before the memo starts again


class Lemmas:
    """A drop-in for the model's `lemmatizer` (see the module docstring)."""

    def __init__(self, lemmatizer: Lemmatizer):
        self.lemmatizer = lemmatizer
        self.memo: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        columns = doc.to_array([ORTH, POS, MORPH, LEMMA])
        overwrite, memo, strings = self.lemmatizer.overwrite, self.memo, doc.vocab.strings
        changed = False
        for i, (orth, pos, morph, lemma) in enumerate(columns.tolist()):
            if lemma and not overwrite:
                continue
            found = memo.get(key := (orth, pos, morph))
            if found is None:
                found = strings.add(self.lemmatizer.lemmatize(doc[i])[0])
                if len(memo) >= _MAX_CACHED:
                    memo.clear()
                memo[key] = found
            columns[i, 3] = found
            changed = True
        if changed:
            doc.from_array([LEMMA], cast(Any, columns[:, 3:4]))
        return doc


@Language.factory("newsevents_lemmas")
def make_lemmas(nlp: Language, name: str) -> Lemmas:
    """The component, over the pipeline's own `lemmatizer`."""
    return Lemmas(cast(Lemmatizer, nlp.get_pipe("lemmatizer")))


def speed_up(nlp: Language) -> None:
    """Replace the pipeline's rule `lemmatizer`, if it has one, by `Lemmas` over it."""
    if "lemmatizer" in nlp.pipe_names and getattr(nlp.get_pipe("lemmatizer"), "mode", "") == "rule":
        nlp.add_pipe("newsevents_lemmas", after="lemmatizer")
        nlp.remove_pipe("lemmatizer")
