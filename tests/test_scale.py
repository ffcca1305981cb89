"""Extraction cost on big inputs: the imported actors' plain token index, linear passes on hostile text."""

from __future__ import annotations

import pytest
import spacy
from spacy.matcher import PhraseMatcher

from tests.conftest import sabotage_extraction
from transforms.matching import TokenIndex, pattern_docs, phrase_tokens


def test_token_index_finds_what_a_phrase_matcher_finds():
    """Overlapping names, punctuation inside names and one surface shared by two entries: the same
    (key, start, end) triples as spaCy's PhraseMatcher on ORTH, in a doc and in a span of it."""
    nlp = spacy.blank("en")
    entries = {
        1: ["Al-Shabaab", "al-Shabaab"],
        2: ["Free Syrian Army", "FSA"],
        3: ["Syrian Army"],
        4: ["Mr. Ouattara", "Alassane Ouattara"],
        5: ["Ouattara"],
        6: ["FSA"],
    }
    pm = PhraseMatcher(nlp.vocab, attr="ORTH")
    for key, forms in entries.items():
        pm.add(str(key), pattern_docs(nlp.vocab, forms))
    index = TokenIndex.build(entries.items())
    doc = nlp(
        "The Free Syrian Army (FSA) shelled a base near Aleppo, while al-Shabaab fighters attacked Mogadishu "
        "and Mr. Ouattara, like Alassane Ouattara's aides, met the Syrian Army."
    )
    for part in (doc, doc[3:20], doc[20:]):
        want = sorted((int(nlp.vocab.strings[m]), s, e) for m, s, e in pm(part))
        assert sorted(index.matches(part)) == want
    assert (2, 1, 4) in index.matches(doc) and (3, 2, 4) in index.matches(doc)


def test_phrase_tokens_follow_the_tokenizer():
    tok = spacy.blank("en").tokenizer
    for phrase in ("Evo Morales", "Cannot Stop Movement", "Kassym-Jomart Tokayev", "U.S. Army", "Hun  Sen", "Im Ho"):
        assert phrase_tokens(phrase) == tuple(t.text for t in tok(phrase))


def test_imported_actor_names_stay_out_of_the_vocab(lex):
    """The ~26,000 imported actors are matched outside spaCy: building the index adds none of their words
    to the model's vocab, and an imported leader is still found."""
    from transforms.actors import actor_index

    blank = spacy.blank("en")
    idx = actor_index(lex, blank("Hello."))
    kibaki = next(i for i, a in enumerate(lex.actors) if a.imported and a.name == "Mwai Kibaki")
    assert "Kibaki" not in blank.vocab.strings and "Twentieth" not in blank.vocab.strings
    doc = blank("Mwai Kibaki spoke in Nairobi.")
    assert (kibaki, 0, 2) in idx.match(doc)


NAMES = (("Vladimir Putin", "Vladimir Putin"), ("Kenya", "Kenya"), ("Hamas", "Hamas"), ("Mwai Kibaki", "Mwai Kibaki"))


@pytest.mark.slow
def test_five_thousand_names_in_one_sentence_are_all_found(nlp, lex):
    """A hostile single line: 5,000 actor names (hand-written and imported, persons, a state, a group) in
    one comma-separated sentence. Every one is found as a mention of its actor (the passes are linear: the
    same line took minutes when they looped over every entity or mention for each name)."""
    from transforms.actors import ArticleActors, find_mentions

    text = ", ".join(NAMES[i % len(NAMES)][0] for i in range(5000)) + "."
    assert "\n" not in text
    doc = nlp(text)
    mentions = find_mentions(doc, lex, ArticleActors())
    found = {doc[m.start].idx: m.actor.name for m in mentions}
    at, want = 0, {}
    for i in range(5000):
        surface, actor = NAMES[i % len(NAMES)]
        want[at] = actor
        at += len(surface) + 2
    assert {k: found.get(k) for k in want} == want


@pytest.mark.slow
def test_worker_processes_code_a_batch_like_one_process(nlp, lex, monkeypatch):
    """Two worker processes parse and extract shares of a batch: the same rows in the same order as coding
    it here, and a document the extractor fails on is quarantined with its reason while the rest go on."""
    from flows import workers
    from transforms.documents import RawInput
    from transforms.parse import parse_document

    texts = [
        "Kenyan teachers went on strike in Nairobi on Monday, the union said.",
        "Police arrested 40 protesters in Dhaka on Tuesday, officials said.",
        "The European Union imposed sanctions on Belarus on Friday.",
        "Colombia and the ELN agreed to a ceasefire in Havana on Sunday.",
        "Japan sent aid to Turkey after the earthquake, officials said on Wednesday.",
        "Rioters burned a police station in Lagos on Saturday, police said.",
    ] * 6
    docs = [parse_document(RawInput(f"mem://{i}", f"{i}.txt", t.encode())) for i, t in enumerate(texts)]
    here = workers.code_here(docs, nlp, lex, 0)
    monkeypatch.setattr(workers, "SHARES_PER_PROCESS", 2)
    monkeypatch.setattr(workers, "processes", lambda n, k=None: 2)
    there = workers.code_batch(docs, nlp, lex, 2, 0)
    assert [d.uri for d in there.kept] == [d.uri for d in here.kept]
    assert there.events == here.events and there.actors == here.actors
    assert any(e["event_type"] == "PROTEST" for e in there.events)

    sabotage_extraction(monkeypatch, lambda doc: doc.uri == "mem://7", KeyError("boom"))
    failed = workers.code_batch(docs, nlp, lex, 2, 0)
    assert [(r.uri, r.reason) for r in failed.failed] == [("mem://7", "extract_error")]
    assert len(failed.kept) == len(docs) - 1


@pytest.mark.slow
def test_a_document_that_kills_its_worker_is_the_only_one_quarantined(nlp, lex, monkeypatch):
    """A worker process that dies (here SIGKILL, as the OOM killer sends) on one document: its share and
    the unfinished ones are coded again in fresh processes, halved until the killer is alone, and only
    that document is quarantined, with the signal; every other document keeps its rows, in order."""
    import os
    import signal

    from flows import workers
    from transforms.documents import RawInput
    from transforms.parse import parse_document

    texts = [
        "Farmers blocked roads in Warsaw on Monday to protest against grain imports, police said.",
        "Security forces arrested an opposition leader in Kampala on Tuesday, his party said.",
        "The United States imposed sanctions on Venezuelan officials on Thursday.",
        "Thailand and Cambodia agreed to a ceasefire on the border on Saturday.",
    ] * 3
    docs = [parse_document(RawInput(f"mem://{i}", f"{i}.txt", t.encode())) for i, t in enumerate(texts)]
    here = workers.code_here([d for d in docs if d.uri != "mem://5"], nlp, lex, 0)
    # only ever in a forked worker: the test process codes nothing
    sabotage_extraction(monkeypatch, lambda doc: doc.uri == "mem://5", lambda: os.kill(os.getpid(), signal.SIGKILL))
    monkeypatch.setattr(workers, "SHARES_PER_PROCESS", 2)
    monkeypatch.setattr(workers, "processes", lambda n, k=None: 2)
    out = workers.code_batch(docs, nlp, lex, 2, 0)
    assert [(r.uri, r.reason) for r in out.failed] == [("mem://5", "extract_error")]
    assert "SIGKILL" in out.failed[0].detail
    assert [d.uri for d in out.kept] == [d.uri for d in docs if d.uri != "mem://5"]
    assert out.events == here.events and out.actors == here.actors
    assert {e["event_type"] for e in out.events} >= {"PROTEST", "COERCE", "SANCTION"}


def test_shares_keep_the_order_and_lose_nothing():
    from flows.workers import shares

    docs = list(range(10))
    parts = shares(docs, 4)
    assert [x for p in parts for x in p] == docs and max(map(len, parts)) - min(map(len, parts)) <= 1
    assert shares(docs[:2], 8) == [[0], [1]]
