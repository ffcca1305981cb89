"""Documents → coded rows: spaCy and extraction for a list of documents, one document at a time.

In: `Document`s, the spaCy pipeline and the `Lexicon`; optionally `guard`, a callable giving a context
manager around each document's extraction (the flow passes a time budget). Out: a `CodedBatch`: the
documents coded, their event rows and actor maps (plain dicts, as `extract_article` gives them), the
documents the extractor failed on with the exception, and the seconds spent waiting for spaCy and
extracting. Pure: no I/O; one bad document never stops the others.

This is what each worker process of a run does with its share of a batch (`flows/workers.py`): parse
and extract where the parse happens, so the flow's process only plans, validates and loads.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from spacy.language import Language

from transforms.documents import Document
from transforms.extract import extract_article
from transforms.lexicon import Lexicon
from transforms.nlp import pipe_texts


@dataclass
class CodedBatch:
    kept: list[Document] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    actors: list[dict[str, dict]] = field(default_factory=list)  # one actor map per kept document
    failed: list[tuple[Document, BaseException]] = field(default_factory=list)
    nlp_seconds: float = 0.0
    extract_seconds: float = 0.0


def code_documents(
    docs: list[Document],
    nlp: Language,
    lexicon: Lexicon,
    guard: Callable[[], AbstractContextManager] | None = None,
    n_process: int = 1,
) -> CodedBatch:
    """Parse the documents' texts (`n_process` spaCy processes, 1: this one) and extract each one's rows.

    `code_documents([doc], load_nlp(), load_lexicon()).events` → the event rows of one article."""
    out = CodedBatch()
    t0 = time.perf_counter()
    for doc, pieces in zip(docs, pipe_texts(nlp, [d.text for d in docs], n_process=n_process), strict=True):
        ts = time.perf_counter()
        try:
            with guard() if guard else contextlib.nullcontext():
                rows = extract_article(doc, pieces, lexicon)
        except Exception as exc:  # noqa: BLE001 - the caller quarantines it with its reason
            out.failed.append((doc, exc))
        else:
            out.kept.append(doc)
            out.events.extend(rows.events)
            out.actors.append(rows.actors)
        out.extract_seconds += time.perf_counter() - ts
    out.nlp_seconds = time.perf_counter() - t0 - out.extract_seconds
    return out
