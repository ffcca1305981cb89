"""Metadata of text, Markdown and JSON Lines inputs: front matter, header lines, crawler field names,
outlet from the url's registered domain (issue 11, items 4-6). No Prefect here."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from flows.discover import discover
from flows.incremental import read_documents
from transforms.documents import Document, RawInput, Rejection
from transforms.fields import FIELDS, markdown_table
from transforms.parse import parse_document

INPUTS_DOC = Path(__file__).resolve().parents[1] / "docs" / "inputs.md"

STRIKE = (
    "Dock workers in Lagos went on strike on Tuesday over unpaid wages, the Maritime Workers Union said. "
    "Police arrested twelve union members outside the port gates later that day."
)
CEASEFIRE = (
    "Sudan's army and the Rapid Support Forces agreed to a seven-day ceasefire on Saturday, mediators in "
    "Jeddah said. Aid agencies said they would send food convoys to Khartoum once the truce held."
)


def parse(text: str, uri: str = "/in/a.md", metadata: dict | None = None) -> Document | Rejection:
    return parse_document(RawInput(uri, Path(uri).name, data=text.encode(), metadata=metadata or {}))


def test_front_matter_becomes_metadata_and_leaves_the_text():
    doc = parse(
        "---\ntitle: Dockers strike in Lagos\ndate: 2024-05-02\nsource: Premium Times\n"
        "url: https://www.premiumtimesng.com/news/strike\nauthors: [Ada Obi, Musa Bello]\n---\n\n" + STRIKE
    )
    assert isinstance(doc, Document)
    assert doc.title == "Dockers strike in Lagos"
    assert doc.published_date == date(2024, 5, 2) and doc.date_source == "metadata"
    assert doc.outlet == "Premium Times"
    assert doc.author == "Ada Obi, Musa Bello"
    assert doc.uri == "/in/a.md"  # a file's uri stays its path
    assert doc.text.startswith("Dock workers in Lagos") and "---" not in doc.text and "title:" not in doc.text


def test_front_matter_source_url_gives_the_registered_domain():
    doc = parse("---\ntitle: Truce in Sudan\nsource: https://www.bbc.co.uk/news/world-africa-1\n---\n" + CEASEFIRE)
    assert doc.outlet == "bbc.co.uk"
    assert doc.published_date is None and doc.date_source is None


def test_invalid_front_matter_is_quarantined_with_its_line():
    r = parse("---\ntitle: [Truce in Sudan\ndate: 2023-05-20\n---\n" + CEASEFIRE)
    assert isinstance(r, Rejection) and (r.stage, r.reason) == ("parse", "bad_front_matter")
    assert "line" in r.detail and "\n" not in r.detail


def test_a_markdown_rule_over_prose_is_text_and_never_the_title():
    doc = parse("---\nSudan truce holds\n---\n" + CEASEFIRE)
    assert isinstance(doc, Document)
    assert doc.title == "Sudan truce holds"
    assert "Rapid Support Forces" in doc.text


def test_header_lines_become_metadata_and_are_cut_from_the_text():
    doc = parse(
        "Kenya police arrest protesters in Nairobi\nPublished: 27 February 2025\nBy Jane Wanjiru\n"
        "— write: www.nation.africa\n"
        "Police in Nairobi arrested 40 protesters on Thursday during a march against tax increases, "
        "witnesses said.",
        uri="/in/kenya.txt",
    )
    assert doc.title == "Kenya police arrest protesters in Nairobi"
    assert doc.published_date == date(2025, 2, 27) and doc.date_source == "text"
    assert doc.author == "Jane Wanjiru"
    assert doc.outlet == "nation.africa"
    assert doc.text == (
        "Kenya police arrest protesters in Nairobi\nPolice in Nairobi arrested 40 protesters on Thursday "
        "during a march against tax increases, witnesses said."
    )


def test_a_date_prefix_is_cut_and_never_the_title():
    doc = parse("date 2023-09-14 Putin met Kim at the cosmodrome on Wednesday, the Kremlin said.", uri="/in/x.txt")
    assert doc.published_date == date(2023, 9, 14) and doc.date_source == "text"
    assert doc.text.startswith("Putin met Kim") and doc.title.startswith("Putin met Kim")
    dated = parse("Thursday, February 27, 2025 10:32 GMT\nProtesters clash with police in Tbilisi\n" + STRIKE)
    assert dated.title == "Protesters clash with police in Tbilisi"
    assert dated.published_date == date(2025, 2, 27)


def test_a_sentence_beginning_with_by_stays_text():
    doc = parse("Sanctions on Iran\nBy the end of March, the European Union had imposed new sanctions on Iran.\n")
    assert doc.author is None
    assert "By the end of March" in doc.text


def test_feed_metadata_wins_over_header_lines():
    doc = parse(
        "Published: 3 March 2024\n" + STRIKE,
        uri="https://www.reuters.com/world/africa/lagos-strike",
        metadata={"url": "https://www.reuters.com/world/africa/lagos-strike", "published": "2024-03-04"},
    )
    assert doc.published_date == date(2024, 3, 4) and doc.date_source == "metadata"
    assert doc.outlet == "reuters.com"  # no outlet field: the url's registered domain
    assert "Published" not in doc.text


def test_crawler_field_names_are_read(tmp_path):
    feed = tmp_path / "crawl.jsonl"
    lines = [
        {  # news-please
            "title": "Dockers strike in Lagos",
            "maintext": STRIKE,
            "date_publish": "2024-05-02 09:15:00",
            "source_domain": "premiumtimesng.com",
            "url": "https://www.premiumtimesng.com/news/strike",
            "authors": ["Ada Obi"],
        },
        {  # trafilatura JSON
            "title": "Sudan truce",
            "text": CEASEFIRE,
            "date": "2023-05-20",
            "sitename": "Sudan Tribune",
            "hostname": "sudantribune.com",
            "url": "https://sudantribune.com/article/1",
            "author": "Ali Hassan",
        },
        {  # RSS-like record, no outlet: the link's registered domain
            "content": "Georgian police detained 30 protesters in Tbilisi on Sunday, the interior ministry said.",
            "pubDate": "Sun, 10 Mar 2024 18:00:00 GMT",
            "link": "https://news.example.co.uk/georgia-protest",
        },
    ]
    feed.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    docs, rejections = read_documents(discover([str(feed)]))
    assert rejections == []
    by_uri = {d.uri: d for d in docs}
    lagos = by_uri["https://www.premiumtimesng.com/news/strike"]
    assert (lagos.title, lagos.outlet, lagos.author) == ("Dockers strike in Lagos", "premiumtimesng.com", "Ada Obi")
    assert lagos.published_date == date(2024, 5, 2) and lagos.date_source == "metadata"
    sudan = by_uri["https://sudantribune.com/article/1"]
    assert (sudan.outlet, sudan.author, sudan.published_date) == ("Sudan Tribune", "Ali Hassan", date(2023, 5, 20))
    tbilisi = by_uri["https://news.example.co.uk/georgia-protest"]
    assert tbilisi.outlet == "example.co.uk" and tbilisi.published_date == date(2024, 3, 10)


def test_a_line_without_any_text_field_names_them(tmp_path):
    feed = tmp_path / "bad.jsonl"
    feed.write_text(json.dumps({"title": "No body", "summary": "x"}) + "\n", encoding="utf-8")
    docs, rejections = read_documents(discover([str(feed)]))
    assert docs == [] and [r.reason for r in rejections] == ["no_text"]
    assert all(f"`{n}`" in rejections[0].detail for n in FIELDS["text"])


def test_a_local_file_gets_no_outlet_from_its_name():
    doc = parse(CEASEFIRE, uri="/in/notes.md")
    assert doc.outlet is None


def test_readme_table_is_the_fields_table():
    block = re.search(r"<!-- fields-table -->\n(.*?)\n<!-- /fields-table -->", INPUTS_DOC.read_text(), re.S)
    assert block and block[1].strip() == markdown_table()


def test_an_outlet_credit_after_the_headline_gives_the_outlet_not_the_title():
    doc = parse(
        "“Police detain 200 at Belgrade election protest”, — write: www.rferl.org\n"
        "Serbian police detained 200 people in Belgrade on Sunday, the interior ministry said.",
        uri="/in/serbia.txt",
    )
    assert doc.outlet == "rferl.org"
    assert doc.title == "“Police detain 200 at Belgrade election protest”"
    assert doc.text.startswith("“Police detain 200")  # the headline stays text: it is coded


def test_a_published_line_wins_over_an_updated_line_and_a_source_sentence_stays_text():
    doc = parse(
        "Updated: 5 March 2024\nPublished: 3 March 2024\n"
        "Source: officials said, on Monday, that the talks failed\n" + CEASEFIRE,
        uri="/in/sudan.txt",
    )
    assert doc.published_date == date(2024, 3, 3)
    assert doc.outlet is None and doc.text.startswith("Source: officials said")
