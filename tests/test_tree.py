"""The per-doc views the extractor reads instead of spaCy's properties give spaCy's own values."""

from __future__ import annotations

import re

from transforms.discards import _pattern
from transforms.lexicon import Discard
from transforms.tree import columns, doc_ents, doc_text, forget_columns, sentence_bounds, sentence_span

TEXT = (
    "NAIROBI, Kenya (AP) — Riot police fired tear gas at striking teachers outside parliament on Tuesday.\n\n"
    "Dockworkers in Chittagong walked off the job, and Bangladesh's junta arrested 14 union leaders. "
    "The European Union imposed sanctions on Belarus after the disputed election. "
    "Colombia's president, Gustavo Petro, said the ceasefire with the ELN would hold."
)


def test_columns_are_the_tokens_attributes(nlp):
    doc = nlp(TEXT)
    cols = columns(doc)
    for t in doc:
        assert cols.head[t.i] == t.head.i and cols.dep[t.i] == t.dep_ and cols.pos[t.i] == t.pos_
        assert cols.tag[t.i] == t.tag_ and cols.lower[t.i] == t.lower_ and cols.text[t.i] == t.text
        assert cols.lemma[t.i] == t.lemma_ and cols.low_lemma[t.i] == t.lemma_.lower()
    assert columns(nlp("")).pos == []


def test_columns_follow_a_changed_lemma(nlp):
    doc = nlp("Farmers staged a protest in Paris.")
    assert columns(doc).lemma[1] == doc[1].lemma_
    doc[1].lemma_ = "stage"
    forget_columns(doc)  # what `events.repair_lemmas` does when it runs
    assert columns(doc).lemma[1] == "stage"


def test_sentences_text_and_entities_are_spacys(nlp):
    doc = nlp(TEXT)
    assert [(s.start, s.end) for s in doc.sents] == sentence_bounds(doc)
    for t in doc:
        assert (sentence_span(t).start, sentence_span(t).end) == (t.sent.start, t.sent.end)
    assert doc_text(doc) == doc.text
    assert [(e.start, e.end, e.label_) for e in doc_ents(doc)] == [(e.start, e.end, e.label_) for e in doc.ents]
    assert {"Chittagong", "Belarus"} <= {e.text for e in doc_ents(doc)}


class _Lex:
    """Only what `discards._pattern` reads; hashable, as the cache needs."""

    def __init__(self, discards):
        self.discards = discards


def test_discard_trie_matches_what_a_plain_alternation_matches():
    phrases = [
        Discard("world cup", story=False, whole_word=False),
        Discard("world series", story=True, whole_word=False),
        Discard("box", story=False, whole_word=True),
        Discard("boxing", story=False, whole_word=False),
        Discard("semi-final", story=False, whole_word=False),
        Discard("queen's anthem", story=False, whole_word=False),
    ]
    lex = _Lex(phrases)
    texts = [
        "Brazil won the World Cup final.",
        "Brazil won the world  cups.",
        "the worldcup",
        "He boxed a box.",
        "A boxer in a box-office hit.",
        "The Kenyan boxings were cancelled.",
        "kickboxing in Accra",
        "a SEMI-FINAL in Lagos",
        "the Queen's\nanthem played",
        "Police arrested 40 protesters in Lagos on Tuesday.",
        "World Series tickets",
    ]
    for story in (False, True):
        parts = []
        for d in sorted(phrases, key=lambda d: -len(d.phrase)):
            if story and not d.story:
                continue
            body = r"\s+".join(re.escape(w) for w in d.phrase.split())
            parts.append(body + (r"(?![\w])" if d.whole_word else ""))
        flat = re.compile(r"(?<![\w])(?:" + "|".join(parts) + ")", re.IGNORECASE)
        trie = _pattern(lex, story)
        assert trie is not None
        assert [bool(trie.search(t)) for t in texts] == [bool(flat.search(t)) for t in texts]
    assert _pattern(lex, False).search("He boxed a box.") and not _pattern(lex, False).search("kickboxing in Accra")
