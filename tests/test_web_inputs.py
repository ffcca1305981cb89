"""Web pages (trafilatura), WARC archives (warcio) and RSS/Atom feeds (feedparser) as inputs (issue 11,
items 1-3 and 7). Every fixture is built here: pages written by hand, archives written with warcio."""

from __future__ import annotations

import gzip
import io
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from flows.discover import discover
from flows.incremental import plan_run, read_documents
from flows.settings import Settings
from tests.conftest import query
from transforms.documents import Document, RawInput
from transforms.parse import parse_document
from warehouse.connect import connect
from warehouse.known import read_known

PROTEST = (
    "Thousands of farmers marched through Santiago on Thursday to protest against a new water law, the "
    "National Agriculture Society said. Police detained fourteen people near the presidential palace after "
    "clashes, according to the interior ministry."
)
SANCTION = (
    "The European Union imposed sanctions on six Belarusian officials on Monday over the jailing of "
    "opposition activists, the bloc's foreign policy chief said in Brussels. Minsk called the measures "
    "an act of economic war and promised a response."
)
AID = (
    "The World Food Programme delivered 1,200 tonnes of food aid to flood victims in Sindh province on "
    "Friday, a spokesperson for the agency said in Karachi. Pakistan's government said more than 300,000 "
    "people had lost their homes."
)
FURNITURE = ("Most read", "cookies", "Subscribe", "Privacy policy", "var tracking", "Sport", "All rights reserved")


def page(body: str, head: str = "", title: str | None = None, lang: str = "en", lead: str = "", h1: str = "") -> str:
    """A news page: menus, a cookie note, a "Most read" box and a footer around the article (`h1`: its
    headline, `lead`: a line before its paragraphs)."""
    paragraphs = (
        (f"<h1>{h1}</h1>" if h1 else "")
        + (f"<p>{lead}</p>" if lead else "")
        + "".join(f"<p>{s.strip().rstrip('.')}.</p>" for s in body.split(". ") if s.strip())
    )
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">
<title>{title or "News"}</title>{head}
<script>var tracking = {{"id": 1}}; document.write("Most read");</script><style>.nav {{ color: red }}</style>
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a>
</li><li><a href="/subscribe">Subscribe</a></li></ul></nav></header>
<div id="cookie-banner" class="cookie-notice">We use cookies to improve your experience. Accept all cookies.</div>
<main><article>{paragraphs}</article></main>
<aside class="most-read"><h2>Most read</h2><ol><li><a href="/a">Storm hits coastal towns overnight</a></li>
<li><a href="/b">Football club sacks its manager after defeat</a></li></ol></aside>
<footer><p>© 2024 The Outlet. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
</body></html>"""


def parse_html(html: str, uri: str = "/in/page.html", metadata: dict | None = None):
    return parse_document(RawInput(uri, Path(uri).name, data=html.encode(), metadata=metadata or {}))


def no_furniture(text: str) -> None:
    for bit in FURNITURE:
        assert bit.lower() not in text.lower(), bit


def test_a_page_with_metadata_gives_title_outlet_date_author_and_no_furniture():
    head = (
        '<meta property="og:title" content="Farmers march in Santiago against water law">'
        '<meta property="og:site_name" content="Andes Wire">'
        '<meta property="article:published_time" content="2024-04-11T09:15:00-04:00">'
        '<meta name="author" content="Camila Rojas">'
        '<link rel="canonical" href="https://www.andeswire.cl/news/farmers-march">'
    )
    title = "Farmers march in Santiago against water law"
    doc = parse_html(page(PROTEST, head, f"{title} | Andes Wire", h1=title))
    assert isinstance(doc, Document)
    assert doc.title == "Farmers march in Santiago against water law"
    assert doc.outlet == "Andes Wire"
    assert doc.published_date == date(2024, 4, 11) and doc.date_source == "metadata"
    assert doc.author == "Camila Rojas"
    assert "Police detained fourteen people" in doc.text
    assert doc.text.startswith(f"{title}\n\nThousands of farmers")  # the article's headline, then its body
    no_furniture(doc.text)


def test_a_page_without_metadata_cuts_the_site_suffix_and_reads_the_date_line():
    title = "EU sanctions Belarusian officials - Baltic Daily News"
    doc = parse_html(page(SANCTION, title=title, lead="Published: 17 June 2024"))
    assert isinstance(doc, Document)
    assert doc.title == "EU sanctions Belarusian officials"
    assert doc.outlet == "Baltic Daily News"
    assert doc.published_date == date(2024, 6, 17) and doc.date_source == "text"
    assert doc.author is None
    assert "Published" not in doc.text and "imposed sanctions" in doc.text
    no_furniture(doc.text)


def test_a_page_with_no_date_anywhere_has_none():
    doc = parse_html(page(AID, title="Food aid reaches Sindh"))
    assert isinstance(doc, Document)
    assert doc.published_date is None and doc.date_source is None
    assert doc.outlet is None  # a local file: no url to take a domain from


def test_a_fragment_too_small_for_trafilatura_falls_back_to_the_plain_reader():
    doc = parse_html("<html><body><p>Police arrested twelve protesters in Nairobi on Tuesday.</p></body></html>")
    assert isinstance(doc, Document)
    assert "arrested twelve protesters" in doc.text


def test_a_french_page_is_quarantined_naming_its_declared_language():
    text = (
        "Des milliers de manifestants ont défilé à Paris jeudi contre la réforme des retraites, selon les "
        "syndicats. La police a interpellé une vingtaine de personnes près de la place de la République."
    )
    got = parse_html(page(text, title="Manifestation à Paris", lang="fr"))
    assert got.reason == "not_english" and "`fr`" in got.detail


# ---- WARC -------------------------------------------------------------------------------------------------


def _http(status: str, ctype: str) -> StatusAndHeaders:
    return StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")


def write_warc(path: Path, records: list[tuple], gz: bool = True) -> list[int]:
    """records: (kind, url, body, content type, status, WARC-Date); returns each record's byte offset."""
    offsets = []
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "newsevents tests"}))
        for kind, url, body, ctype, status, when in records:
            offsets.append(fh.tell())
            headers = {"WARC-Date": when} if when else None
            if kind == "request":
                req = StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], is_http_request=True)
                rec = writer.create_warc_record(url, "request", http_headers=req, warc_headers_dict=headers)
            elif kind == "metadata":
                rec = writer.create_warc_record(url, "metadata", payload=io.BytesIO(body), warc_content_type=ctype)
            else:
                rec = writer.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=_http(status, ctype),
                    warc_headers_dict=headers,
                )
            writer.write_record(rec)
    return offsets


HTML = "text/html; charset=utf-8"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
SANCTION_HEAD = (
    '<meta property="og:site_name" content="Baltic Daily News">'
    '<meta property="article:published_time" content="2024-06-17">'
    '<meta name="author" content="Jonas Petraitis">'
)


def news_archive(path: Path, gz: bool = True, corrected: bool = True) -> list[int]:
    first = page(PROTEST, title="Farmers march in Santiago | Andes Wire").encode()
    again = page(PROTEST + " The law was withdrawn on Friday.", title="Farmers march in Santiago | Andes Wire")
    return write_warc(
        path,
        [
            ("request", "https://www.andeswire.cl/news/farmers", b"", "", "", "2024-04-12T08:00:00Z"),
            ("response", "https://www.andeswire.cl/news/farmers", first, HTML, "200 OK", "2024-04-12T08:00:01Z"),
            ("response", "https://www.andeswire.cl/logo.png", PNG, "image/png", "200 OK", ""),
            ("response", "https://balticnews.lt/eu-sanctions", page(SANCTION, SANCTION_HEAD, "EU sanctions").encode(),
             HTML, "200 OK", "2024-06-18T10:00:00Z"),
            ("response", "https://balticnews.lt/missing", b"<html><body>Not found</body></html>", HTML, "404 Not Found",
             ""),
            ("metadata", "https://balticnews.lt/eu-sanctions", b"outlinks: 3", "application/warc-fields", "", ""),
            ("response", "https://www.dawn.com/news/food-aid", page(AID, title="Food aid reaches Sindh").encode(),
             "text/html; charset=windows-1252", "200 OK", "2024-09-06T06:30:00Z"),
        ]
        + (
            [("response", "https://www.andeswire.cl/news/farmers", again.encode(), HTML, "200 OK",
              "2024-04-13T08:00:00Z")]
            if corrected
            else []
        ),
        gz=gz,
    )  # fmt: skip


def test_a_warc_gives_one_source_per_html_response_and_counts_the_rest(tmp_path):
    news_archive(tmp_path / "crawl.warc.gz")
    skipped = Counter()
    docs, rejections = read_documents(discover([str(tmp_path)]), skipped=skipped)
    by_uri = {d.uri: d for d in docs}
    assert set(by_uri) == {
        "https://www.andeswire.cl/news/farmers",
        "https://balticnews.lt/eu-sanctions",
        "https://www.dawn.com/news/food-aid",
    }
    farmers = by_uri["https://www.andeswire.cl/news/farmers"]
    assert "withdrawn on Friday" in farmers.text  # the later fetch of the url is the page
    assert farmers.title == "Farmers march in Santiago" and farmers.outlet == "Andes Wire"
    assert farmers.published_date == date(2024, 4, 13) and farmers.date_source == "fetched"  # WARC-Date
    baltic = by_uri["https://balticnews.lt/eu-sanctions"]
    assert (baltic.outlet, baltic.author) == ("Baltic Daily News", "Jonas Petraitis")
    assert baltic.published_date == date(2024, 6, 17) and baltic.date_source == "metadata"
    aid = by_uri["https://www.dawn.com/news/food-aid"]
    assert aid.outlet == "dawn.com"  # no site name anywhere: the url's registered domain
    assert aid.origin.startswith(str(tmp_path / "crawl.warc.gz") + "#offset=")
    for d in docs:
        no_furniture(d.text)
    assert [r.reason for r in rejections] == ["uri_conflict"]  # the first fetch, replaced by the second
    assert "#offset=" in rejections[0].uri
    assert skipped == Counter(
        {"warcinfo": 1, "request": 1, "response image/png": 1, "response status 404": 1, "metadata": 1}
    )


@pytest.mark.parametrize("gz", [True, False])
def test_a_corrupt_record_is_one_quarantine_row_and_the_rest_loads(tmp_path, gz):
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    offsets = news_archive(path, gz=gz, corrected=False)
    data = bytearray(path.read_bytes())
    baltic = offsets[3]  # the EU sanctions page
    if gz:
        middle = baltic + (offsets[4] - baltic) // 2
        data[middle : middle + 40] = b"\x00" * 40  # a damaged gzip member
    else:
        data[baltic : baltic + 5] = b"WORC/"  # a broken record header
    path.write_bytes(bytes(data))
    docs, rejections = read_documents(discover([str(path)]))
    assert {d.uri for d in docs} == {"https://www.andeswire.cl/news/farmers", "https://www.dawn.com/news/food-aid"}
    assert [r.reason for r in rejections] == ["corrupt_record"]
    assert rejections[0].uri == f"{path}#offset={baltic}"


def test_a_truncated_or_non_archive_warc_is_quarantined_not_a_traceback(tmp_path):
    (tmp_path / "notes.warc").write_text("These are my notes, not an archive.\n")
    gzip_whole = tmp_path / "whole.warc.gz"
    news_archive(tmp_path / "plain.warc", gz=False)
    gzip_whole.write_bytes(gzip.compress((tmp_path / "plain.warc").read_bytes()))  # one gzip member for all
    (tmp_path / "plain.warc").unlink()
    docs, rejections = read_documents(discover([str(tmp_path)]))
    reasons = {(Path(r.uri.split("#")[0]).name, r.reason) for r in rejections}
    assert ("notes.warc", "not_warc") in reasons
    assert ("whole.warc.gz", "corrupt_record") in reasons or docs  # warcio reads the first record, then says why


@pytest.mark.parametrize("gz", [True, False])
def test_an_archive_cut_short_loads_its_whole_records_and_quarantines_the_cut_one(tmp_path, gz):
    path = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
    offsets = news_archive(path, gz=gz, corrected=False)
    data = path.read_bytes()
    path.write_bytes(data[: offsets[6] + (len(data) - offsets[6]) // 2])  # cut inside the last page (food aid)
    docs, rejections = read_documents(discover([str(path)]))
    assert {d.uri for d in docs} == {"https://www.andeswire.cl/news/farmers", "https://balticnews.lt/eu-sanctions"}
    assert [(r.uri, r.reason) for r in rejections] == [(f"{path}#offset={offsets[6]}", "corrupt_record")]
    assert "cut short" in rejections[0].detail


# ---- RSS / Atom -----------------------------------------------------------------------------------------

RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Andes Wire</title><link>https://www.andeswire.cl/</link>
<lastBuildDate>Sat, 13 Apr 2024 07:00:00 GMT</lastBuildDate>
<item><title>Farmers march in Santiago</title><link>https://www.andeswire.cl/feed/farmers</link>
<pubDate>Thu, 11 Apr 2024 14:00:00 GMT</pubDate><dc:creator>Camila Rojas</dc:creator>
<description>Farmers protest a water law.</description>
<content:encoded><![CDATA[<p>{PROTEST}</p>]]></content:encoded></item>
<item><title>EU sanctions Belarusian officials</title><link>https://www.andeswire.cl/news/eu</link>
<description><![CDATA[<p>{SANCTION}</p>]]></description></item>
<item><title>An item with nothing in it</title><link>https://www.andeswire.cl/news/empty</link></item>
</channel></rss>"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Dawn</title><updated>2024-09-07T00:00:00Z</updated>
<id>urn:dawn</id>
<entry><title>Food aid reaches Sindh</title><link href="https://www.dawn.com/news/food-aid"/>
<id>urn:1</id><published>2024-09-06T05:00:00Z</published><author><name>Imran Ali</name></author>
<content type="html">&lt;p&gt;{AID}&lt;/p&gt;</content></entry>
</feed>"""


def test_rss_items_are_sources_with_link_title_date_and_content(tmp_path):
    (tmp_path / "andes.rss").write_text(RSS)
    (tmp_path / "dawn.xml").write_text(ATOM)
    docs, rejections = read_documents(discover([str(tmp_path)]))
    by_uri = {d.uri: d for d in docs}
    farmers = by_uri["https://www.andeswire.cl/feed/farmers"]
    assert farmers.title == "Farmers march in Santiago"
    assert "Police detained fourteen people" in farmers.text  # the full content, not the one-line summary
    assert farmers.published_date == date(2024, 4, 11) and farmers.date_source == "metadata"
    assert (farmers.author, farmers.outlet) == ("Camila Rojas", "Andes Wire")
    eu = by_uri["https://www.andeswire.cl/news/eu"]
    assert "imposed sanctions" in eu.text and "<p>" not in eu.text
    assert eu.published_date == date(2024, 4, 13) and eu.date_source == "fetched"  # the feed's build date
    aid = by_uri["https://www.dawn.com/news/food-aid"]
    assert (aid.title, aid.author, aid.outlet) == ("Food aid reaches Sindh", "Imran Ali", "Dawn")
    assert aid.published_date == date(2024, 9, 6)
    assert [(r.uri, r.reason) for r in rejections] == [("https://www.andeswire.cl/news/empty", "no_text")]


def test_a_broken_feed_is_one_row_and_an_xml_that_is_no_feed_is_a_file(tmp_path):
    (tmp_path / "broken.rss").write_text("<rss><channel><item><title>cut off")
    (tmp_path / "sitemap.xml").write_text('<?xml version="1.0"?><urlset><url><loc>https://x.org/</loc></url></urlset>')
    docs, rejections = read_documents(discover([str(tmp_path)]))
    reasons = {Path(r.uri).name: r.reason for r in rejections}
    assert reasons == {"broken.rss": "bad_feed"}
    assert [Path(d.uri).name for d in docs] == ["sitemap.xml"]  # read as one file, as before, never as a feed


# ---- re-runs through the flow -----------------------------------------------------------------------------


def test_reruns_skip_what_is_unchanged_and_a_corrected_item_replaces_the_old(prefect_harness, tmp_path):
    from flows.pipeline import run_pipeline

    inbox = tmp_path / "in"
    inbox.mkdir()
    news_archive(inbox / "crawl.warc.gz")
    (inbox / "andes.rss").write_text(RSS)
    db = tmp_path / "w.duckdb"
    settings = Settings(inputs=[str(inbox)], db=str(db), data_docs=False)  # the re-runs' rows, not the docs
    first = run_pipeline(settings)
    assert first.error is None and first.loaded == 5
    assert first.records_skipped["request"] == 1 and first.records_skipped["response image/png"] == 1
    sources = dict(query(db, "SELECT uri, date_source FROM sources"))
    assert sources["https://www.andeswire.cl/feed/farmers"] == "metadata"  # the RSS item's pubDate
    assert sources["https://www.andeswire.cl/news/farmers"] == "fetched"  # the archived page's WARC-Date
    assert sources["https://balticnews.lt/eu-sanctions"] == "metadata"

    again = run_pipeline(settings)  # nothing changed: nothing loaded, nothing new in quarantine
    assert again.loaded == 0 and again.skipped == first.loaded
    # the same feed fetched again into another file: its items are skipped, not conflicts (the plan says so)
    (inbox / "andes-later.rss").write_text(RSS)
    con = connect(db)
    try:
        known = read_known(con)
    finally:
        con.close()
    plan = plan_run(discover([str(inbox)]), known, first.extractor_version)
    assert plan.todo_documents == 0 and plan.new_rejections == 0 and plan.skipped == first.loaded + 2
    assert plan.records_skipped["request"] == 1
    (inbox / "andes-later.rss").unlink()
    # the feed file re-fetched with a corrected item: the new text replaces the old under the same url
    (inbox / "andes.rss").write_text(RSS.replace("after clashes", "after violent clashes"))
    fixed = run_pipeline(settings)
    assert fixed.loaded == 1
    texts = query(db, "SELECT text FROM sources WHERE uri = 'https://www.andeswire.cl/news/eu'")
    assert len(texts) == 1
    texts = query(db, "SELECT text FROM sources WHERE uri = 'https://www.andeswire.cl/feed/farmers'")
    assert len(texts) == 1 and "violent clashes" in texts[0][0]


@pytest.mark.slow
def test_the_readers_libraries_load_only_when_a_page_feed_or_archive_is_read():
    import subprocess
    import sys

    code = (
        "import sys, flows.cli, flows.incremental, warehouse.export, warehouse.report\n"
        "print(sorted(m for m in ('trafilatura', 'htmldate', 'feedparser', 'warcio') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_pages_feeds_and_archives_are_read_without_the_network(tmp_path, monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("a reader tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    news_archive(tmp_path / "crawl.warc.gz")
    (tmp_path / "andes.rss").write_text(RSS)
    (tmp_path / "page.html").write_text(page(AID, title="Food aid reaches Sindh | Dawn", h1="Food aid reaches Sindh"))
    docs, _ = read_documents(discover([str(tmp_path)]))
    assert {"https://www.dawn.com/news/food-aid", "https://www.andeswire.cl/feed/farmers"} <= {d.uri for d in docs}
    assert any(d.uri.endswith("page.html") and d.outlet == "Dawn" for d in docs)
