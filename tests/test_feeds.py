"""JSON Lines feeds: one article a line, metadata carried, bad lines named and quarantined (no Prefect here)."""

from __future__ import annotations

import json

from flows.discover import discover
from flows.feeds import is_feed, read_inputs
from flows.incremental import read_documents
from transforms.documents import Document

ARTICLE = (
    "Poland sends troops to the border\n"
    "Poland sent 2,000 soldiers to its border with Belarus on Monday, the defence ministry said. "
    "Officials in Warsaw said the deployment would last until the end of the month."
)
OTHER = (
    "Kenya and Ethiopia sign trade deal\n"
    "Kenya signed a trade agreement with Ethiopia on Friday, the two governments said in a joint statement."
)


def write_feed(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_good_lines_become_documents_with_metadata(tmp_path):
    feed = write_feed(
        tmp_path / "wire.jsonl",
        [
            json.dumps(
                {
                    "text": ARTICLE,
                    "url": "https://news.example.org/poland-border",
                    "title": "Poland moves troops",
                    "published": "2024-03-04",
                    "outlet": "Example News",
                }
            ),
            json.dumps({"text": OTHER}),
        ],
    )
    (found,) = discover([str(feed)])
    assert is_feed(found)
    docs, rejections = read_documents([found])
    assert rejections == []
    assert [type(d) for d in docs] == [Document, Document]
    first, second = docs
    assert first.uri == "https://news.example.org/poland-border"
    assert first.title == "Poland moves troops" and first.outlet == "Example News"
    assert str(first.published_date) == "2024-03-04"
    assert first.file_name == "wire.jsonl"
    assert "2,000 soldiers" in first.text
    # no url: the line's place in the file is its uri
    assert second.uri == f"{feed}#L2"
    assert second.title == "Kenya and Ethiopia sign trade deal"


def test_bad_lines_are_quarantined_with_the_line_named(tmp_path):
    feed = write_feed(
        tmp_path / "scraped.jsonl",
        [
            json.dumps({"text": ARTICLE}),
            "{not json at all",
            json.dumps({"title": "headline only", "url": "https://news.example.org/empty"}),
            json.dumps(["a", "list"]),
            "",
            json.dumps({"text": "   "}),
        ],
    )
    docs, rejections = read_documents(discover([str(feed)]))
    assert len(docs) == 1 and docs[0].uri == f"{feed}#L1"
    got = {(r.uri, r.stage, r.reason) for r in rejections}
    assert got == {
        (f"{feed}#L2", "read", "bad_json"),
        ("https://news.example.org/empty", "read", "no_text"),
        (f"{feed}#L4", "read", "not_an_object"),
        (f"{feed}#L6", "read", "no_text"),
    }
    details = {r.reason: r.detail for r in rejections if r.reason == "bad_json"}
    assert "line 2 of scraped.jsonl" in details["bad_json"]


def test_empty_feed_and_plain_files_keep_their_paths(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    plain = tmp_path / "story.txt"
    plain.write_text(ARTICLE, encoding="utf-8")
    found = {f.path.name: f for f in discover([str(tmp_path)])}
    (raw,) = read_inputs(found["empty.jsonl"])
    assert raw.error == "empty"
    (raw,) = read_inputs(found["story.txt"])
    assert raw.uri == str(plain) and raw.data.startswith(b"Poland")


def test_line_separator_inside_a_json_string_does_not_split_the_line(tmp_path):
    feed = write_feed(
        tmp_path / "u2028.jsonl", [json.dumps({"text": ARTICLE + "\u2028Extra line."}, ensure_ascii=False)]
    )
    docs, rejections = read_documents(discover([str(feed)]))
    assert rejections == [] and len(docs) == 1
