"""Per-doc views of a spaCy doc's tokens and dependency tree, made once per doc and kept in `doc.user_data`.

In: a spaCy `Doc`. Out: its tokens as one list, its sentences' (start, end) token bounds, each token's children
(indexes, in order) and dependency label, and `children(tok)`, the same tokens as `Token.children`. spaCy
makes a new `Token` object on each `doc[i]` or step over the doc and scans a token's whole subtree for its
children, `doc.sents` is rebuilt on each use; the extractor asks these questions many times per token.
Pure: nothing but the caches in `user_data` changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy import parts_of_speech  # type: ignore[attr-defined]
from spacy.attrs import DEP, HEAD, LEMMA, LOWER, ORTH, POS, TAG
from spacy.tokens import Doc, Span, Token

_KIDS = "newsevents_children"
_TOKENS = "newsevents_tokens"
_SENTS = "newsevents_sentences"
_DEPS = "newsevents_deps"
_TEXT = "newsevents_text"
_ENTS = "newsevents_ents"
_COLUMNS = "newsevents_columns"
_SENT_OF = "newsevents_sentence_of"


@dataclass(frozen=True)
class Columns:
    """A doc's token attributes as plain lists, one entry per token (index = `Token.i`): the same values as
    the `Token` properties of the same names (`head` is the head's index, `low_lemma` is `lemma_.lower()`).
    A list index costs a tenth of a `Token` property (each makes a `Token` or looks a string up)."""

    head: list[int]
    dep: list[str]
    pos: list[str]
    tag: list[str]
    lower: list[str]
    lemma: list[str]
    low_lemma: list[str]
    text: list[str]


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """The (start, end) tokens of each sentence, as `doc.sents` gives them (a sentence starts at every token
    after the first whose SENT_START is 1), made once per doc: spaCy rebuilds `doc.sents` on each use."""
    bounds = doc.user_data.get(_SENTS)
    if bounds is None or (bounds and bounds[-1][1] != len(doc)):
        starts = doc.to_array("SENT_START").astype("int64").tolist()
        cuts = [0, *(i for i in range(1, len(starts)) if starts[i] == 1), len(doc)]
        bounds = doc.user_data[_SENTS] = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if a < b]
    return bounds


def sentence_span(tok: Token) -> Span:
    """`Token.sent` (the sentence holding `tok`, by the doc's sentence starts) from `sentence_bounds`, with a
    token → sentence list made once per doc: spaCy scans the sentence from the token on each use."""
    doc = tok.doc
    of = doc.user_data.get(_SENT_OF)
    if of is None or len(of) != len(doc):
        of = [(0, 0)] * len(doc)
        for start, end in sentence_bounds(doc):
            of[start:end] = [(start, end)] * (end - start)
        doc.user_data[_SENT_OF] = of
    start, end = of[tok.i]
    return doc[start:end]


def dependency_tree(doc: Doc) -> tuple[list[list[int]], list[str]]:
    """Each token's children (indexes, in order) and each token's dependency label, made once per doc (one
    look-up for the callers that need both on every step, such as `events._child`)."""
    tree = doc.user_data.get(_DEPS)
    if tree is None or len(tree[1]) != len(doc):
        tree = doc.user_data[_DEPS] = (child_lists(doc), [t.dep_ for t in doc_tokens(doc)])
    return tree


def doc_tokens(doc: Doc) -> list[Token]:
    """The doc's tokens as one list, made once per doc: `for tok in doc` and `doc[i]` make a new `Token`
    object on every step, and the mention passes walk every token of the doc many times. The objects are
    shared between the passes (compare them with `==` or by `.i`, never with `is`)."""
    toks = doc.user_data.get(_TOKENS)
    if toks is None or len(toks) != len(doc):
        toks = doc.user_data[_TOKENS] = list(doc)
    return toks


def columns(doc: Doc) -> Columns:
    """The doc's `Columns`, made once per doc (after `events.repair_lemmas`, which drops them when it runs)."""
    found = doc.user_data.get(_COLUMNS)
    if found is None or len(found.head) != len(doc):
        heads = doc.to_array(HEAD).astype("int64").tolist()  # signed offsets to the head
        arr = doc.to_array([DEP, POS, TAG, LOWER, LEMMA, ORTH]).T.tolist()  # hashes (unsigned), a row per attribute
        lemma = _strings(arr[4], doc)
        found = doc.user_data[_COLUMNS] = Columns(
            head=[i + h for i, h in enumerate(heads)],
            dep=_strings(arr[0], doc),
            pos=list(map(parts_of_speech.NAMES.__getitem__, arr[1])),
            tag=_strings(arr[2], doc),
            lower=_strings(arr[3], doc),
            lemma=lemma,
            low_lemma=[w.lower() for w in lemma],
            text=_strings(arr[5], doc),
        )
    return found


_STRING_OF: dict[int, str] = {}  # string hash → string: a hash names one string in every vocab


def _strings(hashes: list[int], doc: Doc) -> list[str]:
    """The strings of these hashes (each one looked up in the doc's vocab once per process)."""
    known = _STRING_OF
    for h in set(hashes).difference(known):
        known[h] = doc.vocab.strings[h]
    return list(map(known.__getitem__, hashes))


def forget_columns(doc: Doc) -> None:
    """Drop the doc's `Columns` (its tokens' attributes were changed)."""
    doc.user_data.pop(_COLUMNS, None)


def doc_text(doc: Doc) -> str:
    """`doc.text`, made once per doc: spaCy joins every token's text on each access."""
    text = doc.user_data.get(_TEXT)
    if text is None or text[0] != len(doc):
        text = doc.user_data[_TEXT] = (len(doc), doc.text)
    return text[1]


def doc_ents(doc: Doc) -> tuple[Span, ...]:
    """`doc.ents`, made once per doc: spaCy builds a new tuple of new `Span`s from the whole doc on each access."""
    ents = doc.user_data.get(_ENTS)
    if ents is None or ents[0] != len(doc):
        ents = doc.user_data[_ENTS] = (len(doc), tuple(doc.ents))
    return ents[1]


def child_lists(doc: Doc) -> list[list[int]]:
    """Each token's children (indexes, in order), built once per doc: spaCy's `Token.rights` and `.subtree`
    scan the whole width of the token's subtree on every step, quadratic on a long list of names."""
    kids = doc.user_data.get(_KIDS)
    if kids is None or len(kids) != len(doc):
        kids = [[] for _ in range(len(doc))]
        for i, head in enumerate(doc.to_array("HEAD").astype("int64").tolist()):  # the head's offset from i
            if head:
                kids[i + head].append(i)
        doc.user_data[_KIDS] = kids
    return kids


def children(tok: Token) -> list[Token]:
    """`Token.children` (new `Token` objects, in order) from the doc's children lists: spaCy scans the token's
    whole subtree for them on each use."""
    doc = tok.doc
    return [doc[i] for i in child_lists(doc)[tok.i]]
