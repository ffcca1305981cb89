"""Hostile input: every file under the input paths ends as a source or as a quarantine row with a reason.

One test per kind of input at the read/clean level (in-process, fast), a property test that offsets always
point at the sentence, and one flow run over a whole hostile folder, run twice: the second run changes nothing.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.discover import discover
from flows.feeds import read_inputs
from tests.conftest import SEEDS, sabotage_extraction, snapshot
from tests.conftest import query as q
from transforms.clean import clean_text
from transforms.documents import Document, Rejection
from transforms.nlp import MAX_CHUNK, chunk_text, pipe_texts
from transforms.parse import parse_document

SEED = sorted(SEEDS.glob("*.txt"))
ARTICLE = SEED[0].read_text(encoding="utf-8")
OTHER = SEED[1].read_text(encoding="utf-8")
GERMAN = (
    "Russland und Nordkorea haben am Mittwoch einen Vertrag unterzeichnet. Die beiden Staatschefs trafen sich "
    "in Pjöngjang und sprachen über die militärische Zusammenarbeit der beiden Länder."
)


def read_all(folder: Path) -> dict[str, Document | Rejection]:
    """file name → what reading and cleaning made of it."""
    out = {}
    for found in discover([str(folder)]):
        for raw in read_inputs(found):
            out[found.path.name] = parse_document(raw)
    return out


def one(tmp_path: Path, name: str, data: bytes | str) -> Document | Rejection:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return read_all(folder)[name]


def reason(result) -> str | None:
    return result.reason if isinstance(result, Rejection) else None


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", b"\n" * 1000, "\u00a0\u200b \u3000".encode()])
def test_empty_and_whitespace_only(tmp_path, data):
    assert reason(one(tmp_path, "e.txt", data)) == "empty"


def test_binary(tmp_path):
    r = one(tmp_path, "photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 20)
    assert reason(r) == "binary" and r.stage == "read"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_utf16_and_bom_give_the_same_text_as_utf8(tmp_path, encoding):
    plain = one(tmp_path, "plain.txt", ARTICLE)
    other = one(tmp_path, "enc.txt", ARTICLE.encode(encoding))
    assert isinstance(other, Document) and other.text == plain.text
    assert other.source_id == plain.source_id  # the same text is the same source


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_legacy_encodings(tmp_path, encoding):
    text = "Ukraine's café owners met in Kyiv on Monday, officials said. The mayor spoke."
    if encoding == "cp1252":
        text = text.replace("'", "\u2019") + " \u201cWe stay,\u201d he said \u2014 again."
    doc = one(tmp_path, "old.txt", text.encode(encoding))
    assert isinstance(doc, Document) and doc.text == text


def test_nul_bytes_are_removed(tmp_path):
    doc = one(tmp_path, "nul.txt", ARTICLE[:800].replace(" the ", " the\x00 ").encode())
    assert isinstance(doc, Document) and "\x00" not in doc.text
    assert doc.text == clean_text(ARTICLE[:800])


def test_mojibake_is_repaired(tmp_path):
    text = "Ukraine\u2019s \u201callies\u201d met in Kyiv \u2014 again, officials said on Monday."
    broken = text.encode("utf-8").decode("sloppy-windows-1252")  # UTF-8 read as Windows-1252 (ftfy's codec)
    assert broken != text and "â€" in broken
    doc = one(tmp_path, "moji.txt", broken.encode("utf-8"))
    assert isinstance(doc, Document) and doc.text == text


def test_zero_width_and_non_breaking_spaces_are_normalised(tmp_path):
    dirty = "Kim\u00a0Jong\u202fUn met Vladi\u200bmir Putin\u2060 in Vladivostok\u3000on Wednesday.\u2028Russia agreed."
    doc = one(tmp_path, "odd.txt", dirty)
    assert doc.text == "Kim Jong Un met Vladimir Putin in Vladivostok on Wednesday.\nRussia agreed."


def test_html_page_keeps_title_and_article_without_scripts(tmp_path):
    paras = "".join(f"<p>{p}</p>" for p in ARTICLE.split("\n") if p)
    page = (
        "<!DOCTYPE html><html><head><title>Putin and Kim &amp; the offices</title>"
        "<style>p {color: red}</style><script>var story = 'Russia attacked';</script></head>"
        f"<body><nav><a href='/'>Home</a></nav><article>{paras}</article>"
        "<footer>Subscribe now</footer><script>track()</script></body></html>"
    )
    doc = one(tmp_path, "page.html", page)
    assert isinstance(doc, Document)
    assert doc.title == "Putin and Kim & the offices"
    assert "var story" not in doc.text and "track()" not in doc.text and "color" not in doc.text
    assert "Subscribe" not in doc.text and "Home" not in doc.text
    # every paragraph of the article, nothing else, each its own paragraph
    assert doc.text.split("\n\n") == [p for p in clean_text(ARTICLE).split("\n") if p]


def test_non_english_is_quarantined(tmp_path):
    r = one(tmp_path, "de.txt", GERMAN)
    assert reason(r) == "not_english" and r.stage == "parse"


def test_long_single_line_is_kept_whole_and_cut_into_bounded_pieces(tmp_path):
    from transforms.documents import RawInput

    line = ARTICLE.replace("\n", " ").strip() + " "
    big = (line * (1_400_000 // len(line) + 1))[:1_400_000]
    # over the default size limit: quarantined before any NLP, with its size
    r = one(tmp_path, "oneline.txt", big)
    assert reason(r) == "too_large" and "1,400,000" in r.detail
    # under a raised limit it is kept whole and parsed in bounded pieces
    doc = parse_document(RawInput("/in/oneline.txt", "oneline.txt", big.encode()), max_chars=2_000_000)
    assert isinstance(doc, Document) and len(doc.text) > 1_390_000
    pieces = chunk_text(doc.text)
    assert "".join(p for _, p in pieces) == doc.text  # nothing dropped
    assert all(len(p) <= MAX_CHUNK for _, p in pieces) and len(pieces) >= 14


def test_200k_character_word_is_processed_in_pieces(tmp_path, nlp, lex):
    from transforms.extract import extract_article

    doc = one(tmp_path, "word.txt", "Russia and Ukraine met. " + "a" * 200_000)
    assert isinstance(doc, Document) and len(doc.text) == 200_024
    [pieces] = list(pipe_texts(nlp, [doc.text]))
    assert len(pieces) >= 3 and sum(len(d.text) for _, d in pieces) == len(doc.text)
    rows = extract_article(doc, pieces, lex)  # no crash; offsets checked in the flow test
    for e in rows.events:
        assert doc.text[e["sentence_start"] : e["sentence_end"]] == e["sentence"]


def test_headline_only(tmp_path):
    doc = one(tmp_path, "h.txt", "North Korea sends engineers to Kursk\n")
    assert isinstance(doc, Document) and doc.title == doc.text == "North Korea sends engineers to Kursk"


@pytest.mark.parametrize("name", [".DS_Store", "Thumbs.db", ".hidden.txt", "desktop.ini"])
def test_hidden_and_system_files(tmp_path, name):
    assert reason(one(tmp_path, name, ARTICLE)) == "hidden"


def test_hidden_folder(tmp_path):
    (tmp_path / "in" / ".git").mkdir(parents=True)
    (tmp_path / "in" / ".git" / "HEAD.txt").write_text(ARTICLE)
    assert reason(read_all(tmp_path / "in")["HEAD.txt"]) == "hidden"


def test_symlink_outside_the_input_folder_is_never_read(tmp_path, monkeypatch):
    secret = tmp_path / "secret.txt"
    secret.write_text(ARTICLE)
    (tmp_path / "in").mkdir()
    os.symlink(secret, tmp_path / "in" / "link.txt")
    os.symlink(tmp_path, tmp_path / "in" / "up")  # a link to a folder above
    opened = []
    real_open = os.open  # inputs are opened with os.open (non-blocking)
    monkeypatch.setattr(os, "open", lambda f, *a, **k: opened.append(str(f)) or real_open(f, *a, **k))
    got = read_all(tmp_path / "in")
    assert reason(got["link.txt"]) == "outside_input" and reason(got["up"]) == "outside_input"
    assert str(secret) in got["link.txt"].detail
    assert not any("secret" in f for f in opened)


def test_symlink_inside_the_folder_is_read(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(ARTICLE)
    os.symlink(tmp_path / "in" / "a.txt", tmp_path / "in" / "b.txt")
    got = read_all(tmp_path / "in")
    assert got["a.txt"].text == got["b.txt"].text  # the flow then quarantines b as a duplicate


def test_pipes_and_dangling_links_are_not_opened(tmp_path):
    (tmp_path / "in").mkdir()
    os.mkfifo(tmp_path / "in" / "pipe.txt")  # opening it would block forever
    os.symlink(tmp_path / "in" / "pipe.txt", tmp_path / "in" / "to_pipe.txt")
    os.symlink(tmp_path / "in" / "gone.txt", tmp_path / "in" / "dangling.txt")
    got = read_all(tmp_path / "in")
    assert {n: reason(r) for n, r in got.items()} == {
        "pipe.txt": "not_a_file",
        "to_pipe.txt": "not_a_file",
        "dangling.txt": "not_a_file",
    }


def test_unreadable_file(tmp_path, monkeypatch):
    """Tests run as root, so chmod 000 cannot stop a read: the permission error is simulated."""
    real_open = os.open

    def deny(f, *a, **k):
        if str(f).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", str(f))
        return real_open(f, *a, **k)

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "locked.txt").write_text(ARTICLE)
    monkeypatch.setattr(os, "open", deny)
    r = read_all(tmp_path / "in")["locked.txt"]
    assert reason(r) == "unreadable" and "permission denied" in r.detail


def test_file_names_with_quotes_and_sql_keep_their_name(tmp_path):
    name = 'it\'s "x"; DROP TABLE events;--.txt'
    doc = one(tmp_path, name, ARTICLE)
    assert doc.file_name == name and doc.uri.endswith(name)


# --- offsets always point at the sentence ----------------------------------------------------------------

SENTENCES = [s for s in (ARTICLE + "\n" + OTHER).split("\n") if 30 < len(s) < 300][:12]
NOISE = ["\u00a0", "\u200b", "\ufeff", "\u2060", "\r\n", "\t", "  ", "\x00", "\u2028", "\n\n\n"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=4),
    st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(NOISE)), max_size=8),
)
def test_offsets_point_at_the_sentence_in_the_stored_text(nlp, lex, sentences, noise):
    from transforms.documents import RawInput
    from transforms.extract import extract_article

    text = "\n".join(sentences)
    for pos, junk in noise:  # invisible characters and odd spaces anywhere, also inside words
        pos %= len(text) + 1
        text = text[:pos] + junk + text[pos:]
    doc = parse_document(RawInput("/in/p.txt", "p.txt", text.encode("utf-8")))
    if not isinstance(doc, Document):
        return
    [pieces] = list(pipe_texts(nlp, [doc.text]))
    for e in extract_article(doc, pieces, lex).events:
        assert doc.text[e["sentence_start"] : e["sentence_end"]] == e["sentence"]


# --- a whole hostile folder through the flow, twice --------------------------------------------------------


def build_hostile_folder(root: Path) -> Path:
    """One file of each kind (the 1.4 MB line is left to the in-process test above: NLP on it takes minutes)."""
    root.mkdir(parents=True)
    files: dict[str, bytes | str] = {
        "empty.txt": b"",
        "blank.txt": b"  \n\t \r\n ",
        "binary.bin": bytes(range(256)) * 50,
        "utf16.txt": ARTICLE.encode("utf-16"),
        "bom.txt": codecs.BOM_UTF8 + OTHER.encode("utf-8"),
        "cp1252.txt": "Ukraine\u2019s allies \u201cmet\u201d in Kyiv on Monday \u2014 officials said.".encode("cp1252"),
        "nul.txt": SEED[2].read_text(encoding="utf-8")[:900].replace(" the ", " the\x00 "),
        "mojibake.txt": "Poland\u2019s \u201callies\u201d sent aid to Kyiv, officials said.".encode("utf-8").decode(
            "sloppy-windows-1252"
        ),
        "spaces.txt": "Kim\u00a0Jong\u00a0Un met Vladi\u200bmir Putin in Vladivostok on Wednesday.",
        "page.html": f"<html><head><title>Summit</title><script>var x = 1;</script></head>"
        f"<body><p>{SEED[3].read_text(encoding='utf-8')[:1200]}</p></body></html>",
        "german.txt": GERMAN,
        "word.txt": "z" * 200_000,
        "repeat.txt": ("North Korea sent 1,000 engineers to Kursk, the ministry said.\n\n") * 40,
        "headline.txt": "Russia and North Korea sign defence pact\n",
        "utf16_copy.txt": ARTICLE,  # the same text as utf16.txt: a duplicate
        ".DS_Store": b"\x00\x00\x00\x01Bud1\x00",
        'it\'s "x"; DROP TABLE events;--.txt': "Turkey\u2019s president met Iraqi leaders in Ankara on Tuesday.",
    }
    for name, data in files.items():
        (root / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    outside = root.parent / "outside.txt"
    outside.write_text(SEED[4].read_text(encoding="utf-8"))
    os.symlink(outside, root / "link_out.txt")
    (root / "locked.txt").write_text("Iran condemned the strike on Monday.")
    return root


@pytest.fixture(scope="module")
def hostile_run(prefect_harness, tmp_path_factory):
    from flows.pipeline import run_pipeline
    from flows.settings import Settings

    base = tmp_path_factory.mktemp("hostile")
    folder = build_hostile_folder(base / "in")
    settings = Settings(inputs=[str(folder)], db=str(base / "h.duckdb"), batch_size=4)
    mp = pytest.MonkeyPatch()
    real_open = os.open

    def deny(f, *a, **k):  # the tests run as root, where chmod 000 does not stop a read
        if str(f).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", str(f))
        return real_open(f, *a, **k)

    mp.setattr(os, "open", deny)
    try:
        first = run_pipeline(settings)
        after_first = snapshot(base / "h.duckdb")
        second = run_pipeline(settings)
    finally:
        mp.undo()
    return folder, base / "h.duckdb", first, second, after_first


def test_hostile_run_finishes(hostile_run):
    _, _, first, second, _ = hostile_run
    assert first.error is None and second.error is None


def test_every_file_is_a_source_or_a_quarantine_row(hostile_run):
    folder, db, *_ = hostile_run
    uris = {str(p) for p in folder.iterdir()}
    sources = {r[0] for r in q(db, "SELECT uri FROM sources")}
    quarantined = {r[0]: r[1] for r in q(db, "SELECT uri, reason FROM quarantine")}
    assert uris == sources | set(quarantined), uris ^ (sources | set(quarantined))
    assert not sources & set(quarantined) - {u for (u,) in q(db, "SELECT uri FROM quarantine WHERE stage = 'validate'")}
    name = {Path(u).name: r for u, r in quarantined.items()}
    assert name == {
        "empty.txt": "empty",
        "blank.txt": "empty",
        "binary.bin": "binary",
        "german.txt": "not_english",
        "utf16_copy.txt": "duplicate",
        ".DS_Store": "hidden",
        "link_out.txt": "outside_input",
        "locked.txt": "unreadable",
    } | {n: r for n, r in name.items() if r == "expectation_failed"}


def test_duplicate_names_the_source_it_duplicates(hostile_run):
    folder, db, *_ = hostile_run
    [(detail,)] = q(db, "SELECT detail FROM quarantine WHERE reason = 'duplicate'")
    [(source_id,)] = q(db, "SELECT source_id FROM sources WHERE uri = ?", [str(folder / "utf16.txt")])
    assert source_id in detail and str(folder / "utf16.txt") in detail


def test_stored_texts_are_clean_and_offsets_exact(hostile_run):
    folder, db, *_ = hostile_run
    texts = dict(q(db, "SELECT file_name, text FROM sources"))
    assert texts["spaces.txt"] == "Kim Jong Un met Vladimir Putin in Vladivostok on Wednesday."
    assert texts["mojibake.txt"] == "Poland\u2019s \u201callies\u201d sent aid to Kyiv, officials said."
    assert "\x00" not in texts["nul.txt"] and "var x" not in texts["page.html"]
    assert len(texts["word.txt"]) == 200_000
    assert q(db, "SELECT title FROM sources WHERE file_name = 'page.html'") == [("Summit",)]
    assert q(db, "SELECT count(*) FROM sources WHERE file_name = ?", ['it\'s "x"; DROP TABLE events;--.txt']) == [(1,)]
    bad = q(
        db,
        """SELECT count(*) FROM events e JOIN sources s USING (source_id)
           WHERE substr(s.text, e.sentence_start + 1, e.sentence_end - e.sentence_start) <> e.sentence""",
    )
    assert bad == [(0,)]


def test_repeated_article_gives_one_event_row_per_sentence(hostile_run):
    _, db, *_ = hostile_run
    per_sentence = q(
        db,
        """SELECT count(*), count(DISTINCT sentence_start) FROM events e JOIN sources s USING (source_id)
           WHERE s.file_name = 'repeat.txt'""",
    )
    n, starts = per_sentence[0]
    assert n >= 40 and starts == 40  # the grain is one event per sentence: 40 repeats give 40 rows


def test_second_run_changes_nothing_quarantine_included(hostile_run):
    _, db, first, second, after_first = hostile_run
    assert second.loaded == 0
    assert snapshot(db) == after_first
    assert q(db, "SELECT count(*) - count(DISTINCT (uri, stage, reason)) FROM quarantine") == [(0,)]


def test_a_text_the_extractor_fails_on_is_quarantined_and_the_run_goes_on(prefect_harness, tmp_path, monkeypatch):
    """An extractor bug met by one text costs that text (quarantined with the error), not the run."""
    import flows.pipeline as pipeline
    from flows.settings import Settings

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "fine.txt").write_text("Iran condemned the strike on Monday, officials said.")
    (folder / "trap.txt").write_text("Poland sent aid to Kyiv on Tuesday, officials said.")
    sabotage_extraction(monkeypatch, lambda doc: doc.file_name == "trap.txt", IndexError("list index out of range"))
    db = tmp_path / "w.duckdb"
    summary = pipeline.run_pipeline(Settings(inputs=[str(folder)], db=str(db), data_docs=False))
    assert summary.error is None and summary.loaded == 1
    assert q(db, "SELECT file_name FROM sources") == [("fine.txt",)]
    assert q(db, "SELECT uri, stage, reason, detail FROM quarantine") == [
        (
            str(folder / "trap.txt"),
            "extract",
            "extract_error",
            "the extractor failed: IndexError: list index out of range",
        )
    ]
