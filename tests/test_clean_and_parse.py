"""Reading and cleaning: bytes → clean text, or a reason (transforms/clean.py, transforms/parse.py)."""

from __future__ import annotations

from datetime import date

import pytest

from transforms.clean import DecodeError, _utf16_without_bom, clean_text, decode_bytes
from transforms.documents import Document, RawInput, Rejection
from transforms.parse import parse_document

ARTICLE = (
    "Russia and North Korea signed a treaty on Wednesday. The two leaders met in Pyongyang and "
    "discussed military cooperation, officials said."
)


def parse(data: bytes, name: str = "a.txt"):
    return parse_document(RawInput(f"/in/{name}", name, data))


def test_utf8_bom_and_utf16_decode_to_the_same_text():
    plain = decode_bytes(ARTICLE.encode("utf-8")).text
    assert decode_bytes(b"\xef\xbb\xbf" + ARTICLE.encode("utf-8")).text == plain
    assert decode_bytes(ARTICLE.encode("utf-16")).text == plain
    assert decode_bytes(ARTICLE.encode("utf-16-le")).text == plain


def test_cp1252_falls_back_without_loss():
    text = "Kyiv’s “allies” met — again"
    assert decode_bytes(text.encode("cp1252")).text == text


def test_binary_is_refused_with_a_reason():
    result = decode_bytes(bytes(range(256)) * 40)
    assert isinstance(result, DecodeError) and result.reason == "binary"


def test_cleaning_repairs_mojibake_and_odd_spaces():
    broken = "Kyivâ€™s\u00a0allies\u200b met"
    assert clean_text(broken) == "Kyiv’s allies met"


def test_empty_and_whitespace_files_are_quarantined():
    for data in (b"", b"   \n\t  \n"):
        r = parse(data)
        assert isinstance(r, Rejection) and r.reason == "empty"


def test_non_english_text_is_quarantined():
    german = (
        "Russland und Nordkorea haben am Mittwoch einen Vertrag unterzeichnet. Die beiden Staatschefs "
        "trafen sich in Pjöngjang und sprachen über die militärische Zusammenarbeit."
    )
    r = parse(german.encode())
    assert isinstance(r, Rejection) and r.reason == "not_english"


def test_date_line_gives_the_publication_date_and_body_start():
    doc = parse(b"date 2023-09-14 Putin met Kim at the cosmodrome on Wednesday, the Kremlin said.")
    assert isinstance(doc, Document)
    assert doc.published_date == date(2023, 9, 14)
    assert doc.text[doc.body_start :].strip().startswith("Putin met Kim")


def test_headline_becomes_the_title_and_ids_come_from_content():
    doc = parse(("Kim visits Russia\n" + ARTICLE).encode(), "x.txt")
    same = parse(("Kim visits Russia\n" + ARTICLE).encode(), "y.txt")
    assert doc.title == "Kim visits Russia"
    assert doc.source_id == same.source_id  # same text, same source


def test_html_page_keeps_title_and_article_drops_script():
    page = (
        b"<html><head><title>Summit news</title><script>var x = 'Russia attacked';</script></head>"
        b"<body><p>" + ARTICLE.encode() + b"</p></body></html>"
    )
    doc = parse(page, "page.html")
    assert isinstance(doc, Document)
    assert doc.title == "Summit news"
    assert "var x" not in doc.text and "signed a treaty" in doc.text


# --- properties: reading and cleaning never raise, and cleaning is stable ------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from transforms.clean import html_to_text  # noqa: E402

ODD = "\u00a0\u200b\u200d\ufeff\u2028\x00\x85\x9d\t\r\n é’“â€™ÃƒÂ<p><script>"
texty = st.text(alphabet=st.sampled_from(list("Russia and Korea signed. ") + list(ODD)), max_size=400)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_reading_arbitrary_bytes_never_raises(data):
    result = parse_document(RawInput("/in/x.txt", "x.txt", data))
    assert isinstance(result, Document | Rejection)
    if isinstance(result, Document):
        assert result.text and result.text == clean_text(result.text)  # stored text is already clean
        assert result.source_id == result.content_sha256[:16]
        result.text.encode("utf-8")  # storable: no lone surrogates
    else:
        assert result.reason and result.stage in ("read", "parse")


@settings(max_examples=300, deadline=None)
@given(texty)
def test_cleaning_is_idempotent_and_removes_invisible_characters(text):
    once = clean_text(text)
    assert clean_text(once) == once
    assert not any(c in once for c in "\u00a0\u200b\u200d\ufeff\u2028\x00\x85\r\t")


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500))
def test_html_extraction_never_raises(markup):
    body, title = html_to_text("<html><body>" + markup)
    assert isinstance(body, str) and (title is None or isinstance(title, str))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]), texty)
def test_encodings_decode_to_the_same_clean_text(encoding, text):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    if encoding.startswith("utf-8") and _utf16_without_bom(data):
        return  # NUL-heavy UTF-8 whose bytes are also valid BOM-less UTF-16: genuinely ambiguous
    decoded = decode_bytes(data)
    if isinstance(decoded, DecodeError):
        assert decoded.reason == "binary"  # e.g. text that is mostly NULs
        return
    assert clean_text(decoded.text) == clean_text(text) or encoding == "cp1252"


# invisible direction and format marks (Unicode Cf), as pasted from right-to-left pages, and their mojibake
BIDI = ["\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
BIDI += ["\u061c", "\u2061", "\u2062", "\u2063", "\u2064", "\u180e", "â€Ž", "â€\x8f"]


@pytest.mark.parametrize("mark", BIDI)
def test_direction_marks_are_removed_like_zero_width_spaces(mark):
    text = f"Police in {mark}Cairo{mark} detained 30 journalists on Monday."
    assert clean_text(text) == "Police in Cairo detained 30 journalists on Monday."


def test_a_name_between_direction_marks_is_still_found(nlp, lex):
    from tests.conftest import code_article, one

    arrest = one(code_article(nlp, lex, "Police in \u2066Cairo\u2069 detained 30 journalists on Monday.")[0], "COERCE")
    assert arrest["actor1_country"] == "EGY"
    arrest = one(
        code_article(nlp, lex, "Israeli troops arrested 12 protesters in \u200fHebron\u200f on Friday.")[0], "COERCE"
    )
    assert (arrest["actor1_country"], arrest["actor2_country"]) == ("ISR", "PSE")


@pytest.mark.parametrize(
    "text",
    [
        "Police in Nairobi arrested\x0b40 protesters on Monday.",  # a word processor's line break (vertical tab)
        "Police in Nairobi arrested\x0b40 protesters on Monday, José Ruiz said.",  # ftfy deletes it
    ],
)
def test_a_vertical_tab_separates_words_in_any_text(text):
    assert "arrested 40 protesters" in clean_text(text)


def test_stop_words_are_spacys_without_importing_spacy():
    """The plan's English test reads spaCy's stop-word file without importing spaCy: the very same words."""
    import subprocess
    import sys

    from spacy.lang.en.stop_words import STOP_WORDS

    from transforms import parse

    assert parse._stop_words_from_source() == frozenset(STOP_WORDS)
    code = (
        "import sys; from transforms.parse import english_score;"
        "score, n = english_score('The police said that they were not there when it happened in Lagos.');"
        "print(round(score, 2), n, 'spacy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[2] == "False" and float(out[0]) > 0.5
