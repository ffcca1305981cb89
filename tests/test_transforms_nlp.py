"""spaCy stage: line breaks end sentences, long texts are cut into pieces with exact offsets."""

from __future__ import annotations

from transforms.nlp import chunk_text, pipe_texts


def test_line_breaks_end_sentences(nlp):
    doc = nlp("Putin persuades DPRK to open offices\nRussia wants to use workers from the DPRK")
    sents = [s.text.strip() for s in doc.sents]
    assert sents == ["Putin persuades DPRK to open offices", "Russia wants to use workers from the DPRK"]


def test_chunks_cover_the_text_exactly():
    text = ("Kim met Putin. " * 5000) + "x" * 30_000
    pieces = chunk_text(text, limit=10_000)
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 10_000 for _, p in pieces)
    assert all(text[o : o + len(p)] == p for o, p in pieces)


def test_pipe_keeps_offsets_into_the_article(nlp):
    text = "Kim met Putin in Vladivostok. " * 10
    [pieces] = list(pipe_texts(nlp, [text]))
    for offset, doc in pieces:
        for sent in doc.sents:
            assert text[offset + sent.start_char : offset + sent.end_char] == sent.text
