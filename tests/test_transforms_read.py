"""Reading and cleaning: bytes → clean text, or a reason (transforms/clean.py, transforms/parse.py)."""

from __future__ import annotations

from datetime import date

from transforms.clean import DecodeError, clean_text, decode_bytes
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
