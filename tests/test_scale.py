"""Extraction cost on big inputs: the imported actors' plain token index, linear passes on hostile text."""

from __future__ import annotations

import spacy
from spacy.matcher import PhraseMatcher

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
