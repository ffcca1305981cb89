"""The analyst views of warehouse/views.sql on a tiny warehouse built directly with the loader (no NLP).

The warehouse holds five short articles: Russian shelling of Kharkiv reported in one article's lead and
body and again in a second article a day later (one real-world action: one cluster, two sources, three
mentions), a later shelling two weeks on (another cluster), North Korean worker deliveries with
different counts, and undated meetings in two undated articles.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from transforms.documents import Document, stable_id
from transforms.rows import actors_frame, events_frame, quarantine_frame, sources_frame
from warehouse.connect import connect
from warehouse.load import Batch, load_batch

QUAD = {"ASSAULT": (4, "18"), "AID": (2, "07"), "ACCUSE": (3, "11"), "CONSULT": (1, "04")}
PLACE = {"ASSAULT": ("Kharkiv", "UKR"), "AID": ("Russia", "RUS")}

ACTORS = {
    "Russia": ("state", "RUS"),
    "Ukraine": ("state", "UKR"),
    "North Korea": ("state", "PRK"),
    "Kim Jong Un": ("person", "PRK"),
    "Vladimir Putin": ("person", "RUS"),
    "Ukrainian Air Force": ("organization", "UKR"),
}

# (file, outlet, published, [(sentence, trigger, type, actor1, actor2, event date, quantity, unit, claimant)])
ARTICLES = [
    (
        "a.txt",
        "Kyiv Daily",
        date(2024, 3, 5),
        [
            ("Russia shelled Kharkiv on Monday.", "shelled", "ASSAULT", "Russia", "Ukraine", date(2024, 3, 4)),
            (
                "Russian artillery shelled Kharkiv on Monday, the Ukrainian Air Force said.",
                "shelled",
                "ASSAULT",
                "Russia",
                "Ukraine",
                date(2024, 3, 4),
                None,
                None,
                "Ukrainian Air Force",
            ),
            ("Ukraine accused Russia of war crimes.", "accused", "ACCUSE", "Ukraine", "Russia", date(2024, 3, 4)),
        ],
    ),
    (
        "b.txt",
        "Wire Service",
        date(2024, 3, 6),
        [
            ("Russian forces shelled Kharkiv on Tuesday.", "shelled", "ASSAULT", "Russia", "Ukraine", date(2024, 3, 5)),
            ("Russia shelled Kharkiv again on March 20.", "shelled", "ASSAULT", "Russia", "Ukraine", date(2024, 3, 20)),
        ],
    ),
    (
        "c.txt",
        "Seoul Paper",
        date(2024, 3, 5),
        [
            (
                "North Korea sent 1,000 workers to Russia.",
                "sent",
                "AID",
                "North Korea",
                "Russia",
                date(2024, 3, 4),
                1000.0,
                "workers",
            ),
            (
                "North Korea sent 5,000 workers to Russia.",
                "sent",
                "AID",
                "North Korea",
                "Russia",
                date(2024, 3, 4),
                5000.0,
                "workers",
            ),
        ],
    ),
    (
        "d.txt",
        "Tokyo Paper",
        date(2024, 3, 6),
        [
            (
                "Pyongyang has sent about 1,100 workers to Russia.",
                "sent",
                "AID",
                "North Korea",
                "Russia",
                date(2024, 3, 5),
                1100.0,
                "workers",
            ),
            ("North Korea sent workers to Russia.", "sent", "AID", "North Korea", "Russia", date(2024, 3, 5)),
        ],
    ),
    (
        "e.txt",
        None,
        None,
        [
            ("Kim Jong Un met Vladimir Putin.", "met", "CONSULT", "Kim Jong Un", "Vladimir Putin", None),
            ("Kim Jong Un met Putin at the cosmodrome.", "met", "CONSULT", "Kim Jong Un", "Vladimir Putin", None),
        ],
    ),
    (
        "f.txt",
        None,
        None,
        [("Kim Jong Un met Vladimir Putin in the Far East.", "met", "CONSULT", "Kim Jong Un", "Vladimir Putin", None)],
    ),
]


def actor_id(name: str) -> str:
    return stable_id("actor", name)


def build_batch(root: str = "/data/news", articles=ARTICLES) -> Batch:
    docs, events = [], []
    for file_name, outlet, published, reports in articles:
        text = " ".join(r[0] for r in reports)
        doc = Document(
            source_id=stable_id(text),
            uri=f"{root}/{file_name}",
            file_name=file_name,
            text=text,
            title=reports[0][0].rstrip("."),
            outlet=outlet,
            published_date=published,
        )
        docs.append(doc)
        for sentence, trigger, etype, a1, a2, day, *more in reports:
            quantity, unit, claimant = (list(more) + [None, None, None])[:3]
            start = text.index(sentence)
            quad, cameo = QUAD[etype]
            events.append(
                {
                    "event_id": stable_id(doc.source_id, start, etype),
                    "source_id": doc.source_id,
                    "event_type": etype,
                    "cameo_root": cameo,
                    "quad_class": quad,
                    "trigger": trigger,
                    "actor1_id": actor_id(a1),
                    "actor2_id": actor_id(a2),
                    "claimant_id": actor_id(claimant) if claimant else None,
                    "event_date": day,
                    "date_precision": "day" if day else None,
                    "location": PLACE.get(etype, (None, None))[0],
                    "country_code": PLACE.get(etype, (None, None))[1],
                    "quantity": quantity,
                    "quantity_unit": unit,
                    "status": "asserted",
                    "sentence": sentence,
                    "sentence_start": start,
                    "sentence_end": start + len(sentence),
                    "confidence": 0.8,
                }
            )
    actors = {
        actor_id(n): {"actor_id": actor_id(n), "name": n, "actor_type": t, "country_code": c, "aliases": [n]}
        for n, (t, c) in ACTORS.items()
    }
    return Batch(
        sources=sources_frame(docs, "test"),
        events=events_frame(events),
        actors=actors_frame([actors]),
        quarantine=quarantine_frame([]),
        run_id="test-run",
    )


def build_warehouse(path) -> None:
    con = connect(path)
    try:
        load_batch(con, build_batch())
    finally:
        con.close()


@pytest.fixture()
def con(tmp_path):
    db = tmp_path / "w.duckdb"
    build_warehouse(db)
    con = connect(db, read_only=True)
    yield con
    con.close()


def q(con, sql: str, params=None) -> pl.DataFrame:
    return con.sql(sql, params=params).pl() if params else con.sql(sql).pl()


def test_event_facts_carry_names_countries_and_source(con):
    facts = q(con, "SELECT * FROM event_facts")
    assert facts.height == q(con, "SELECT count(*) AS n FROM events")["n"][0] == 12
    joined = q(
        con,
        """SELECT f.actor1_name, a.name, f.actor1_country, a.country_code, f.source_outlet, s.outlet,
                  f.source_title, s.title, f.source_published_date, s.published_date
           FROM event_facts f JOIN actors a ON a.actor_id = f.actor1_id JOIN sources s USING (source_id)""",
    )
    assert joined.height == facts.height
    assert (joined["actor1_name"] == joined["name"]).all()
    assert (joined["actor1_country"] == joined["country_code"]).all()
    assert (joined["source_title"] == joined["title"]).all()
    row = facts.filter(pl.col("claimant_name").is_not_null()).row(0, named=True)
    assert (row["actor1_name"], row["actor2_name"], row["claimant_name"]) == (
        "Russia",
        "Ukraine",
        "Ukrainian Air Force",
    )
    assert (row["actor1_country"], row["actor2_country"], row["claimant_country"]) == ("RUS", "UKR", "UKR")
    assert (row["source_outlet"], row["source_published_date"]) == ("Kyiv Daily", date(2024, 3, 5))
    assert (row["cameo_root"], row["quad_class"], row["quad_class_name"]) == ("18", 4, "material conflict")
    # every fact row names its cluster
    assert facts["cluster_id"].null_count() == 0


def clusters_of(con, etype: str) -> pl.DataFrame:
    return q(con, "SELECT * FROM event_clusters WHERE event_type = ? ORDER BY first_event_date, quantity", [etype])


def test_two_sources_reporting_one_shelling_form_one_cluster(con):
    assault = clusters_of(con, "ASSAULT")
    assert assault.height == 2  # March 4/5 reports are one action, March 20 another
    first, later = assault.row(0, named=True), assault.row(1, named=True)
    assert (first["num_sources"], first["num_mentions"]) == (2, 3)
    assert (first["first_reported"], first["last_reported"]) == (date(2024, 3, 5), date(2024, 3, 6))
    assert (first["first_event_date"], first["last_event_date"]) == (date(2024, 3, 4), date(2024, 3, 5))
    assert (first["actor1_name"], first["actor2_name"]) == ("Russia", "Ukraine")
    assert (later["num_sources"], later["num_mentions"], later["first_event_date"]) == (1, 1, date(2024, 3, 20))
    # an accusation on the same day by the reverse pair is not part of the shelling
    assert clusters_of(con, "ACCUSE")["num_mentions"].to_list() == [1]


def test_cluster_leads_to_member_events_and_their_sentences(con):
    cid = clusters_of(con, "ASSAULT")["cluster_id"][0]
    members = q(
        con,
        """SELECT m.event_id, m.sentence, m.sentence_start, m.sentence_end, s.text, s.file_name
           FROM event_cluster_members m JOIN sources s USING (source_id) WHERE m.cluster_id = ?
           ORDER BY s.file_name, m.sentence_start""",
        [cid],
    )
    assert members["file_name"].to_list() == ["a.txt", "a.txt", "b.txt"]
    for r in members.iter_rows(named=True):
        assert r["text"][r["sentence_start"] : r["sentence_end"]] == r["sentence"]
        assert "shelled Kharkiv" in r["sentence"]
    listed = con.execute("SELECT event_ids FROM event_clusters WHERE cluster_id = ?", [cid]).fetchall()[0][0]
    assert sorted(listed) == sorted(members["event_id"].to_list())


def test_quantities_split_clusters_and_missing_quantity_joins(con):
    aid = clusters_of(con, "AID")
    # 1,000 and 1,100 workers (and an uncounted report) are one delivery; 5,000 is another
    assert aid["quantity"].to_list() == [1100.0, 5000.0]
    assert aid["num_mentions"].to_list() == [3, 1]
    assert aid["num_sources"].to_list() == [2, 1]


def test_undated_reports_group_only_within_their_source(con):
    consult = con.execute(
        "SELECT num_sources, num_mentions FROM event_clusters WHERE event_type = 'CONSULT' ORDER BY num_mentions"
    ).fetchall()
    assert consult == [(1, 1), (1, 2)]


def test_daily_campaign_is_cut_into_short_clusters(tmp_path):
    days = [date(2024, 5, d) for d in range(1, 11)]  # ten days of daily shelling, one article a day
    articles = [
        (
            f"day{d.day}.txt",
            "Kyiv Daily",
            d,
            [(f"Russia shelled Kharkiv on May {d.day}.", "shelled", "ASSAULT", "Russia", "Ukraine", d)],
        )
        for d in days
    ]
    con = connect(tmp_path / "daily.duckdb")
    load_batch(con, build_batch(articles=articles))
    spans = con.sql(
        "SELECT first_event_date, last_event_date, num_mentions FROM event_clusters ORDER BY first_event_date"
    ).fetchall()
    con.close()
    assert [s[0].day for s in spans] == [1, 4, 7, 10]
    assert all((last - first).days <= 2 for first, last, _ in spans)
    assert sum(n for _, _, n in spans) == 10


def test_every_event_in_exactly_one_cluster(con):
    counts = q(con, "SELECT event_id, count(*) AS n FROM event_cluster_members GROUP BY event_id")
    assert counts.height == 12 and (counts["n"] == 1).all()
    total = q(con, "SELECT sum(num_mentions) AS n FROM event_clusters")["n"][0]
    assert total == 12


def test_cluster_ids_stable_across_reload(tmp_path):
    db = tmp_path / "w.duckdb"
    build_warehouse(db)
    con = connect(db)
    before = q(con, "SELECT event_id, cluster_id FROM event_cluster_members ORDER BY event_id")
    load_batch(con, build_batch())
    after = q(con, "SELECT event_id, cluster_id FROM event_cluster_members ORDER BY event_id")
    con.close()
    assert before.equals(after)


def test_dyad_daily_counts(con):
    dyads = q(con, "SELECT * FROM dyad_daily")
    assert dyads["num_events"].sum() == 12
    row = dyads.filter(
        (pl.col("actor1_name") == "Russia") & (pl.col("event_type") == "ASSAULT") & (pl.col("day") == date(2024, 3, 4))
    ).row(0, named=True)
    assert (row["actor2_name"], row["num_events"], row["num_sources"], row["num_clusters"]) == ("Ukraine", 2, 1, 1)
    undated = dyads.filter((pl.col("event_type") == "CONSULT") & pl.col("day").is_null()).row(0, named=True)
    assert (undated["num_events"], undated["num_sources"], undated["num_clusters"]) == (3, 2, 2)


def test_actor_activity_matches_events(con):
    act = q(con, "SELECT * FROM actor_activity ORDER BY name")
    assert act.height == len(ACTORS)
    russia = act.filter(pl.col("name") == "Russia").row(0, named=True)
    assert russia["events_as_actor1"] == 4  # four shelling reports
    assert russia["events_as_actor2"] == 5  # accused once, received workers in four reports
    assert russia["initiated_material_conflict"] == 4
    assert russia["received_conflict"] == 1
    assert (russia["first_event_date"], russia["last_event_date"]) == (date(2024, 3, 4), date(2024, 3, 20))
    air_force = act.filter(pl.col("name") == "Ukrainian Air Force").row(0, named=True)
    assert (air_force["events_as_actor1"], air_force["events_as_claimant"]) == (0, 1)


def test_quarantine_summary_counts_by_stage_and_reason(tmp_path):
    from transforms.documents import Rejection

    db = tmp_path / "q.duckdb"
    con = connect(db)
    empty = build_batch()
    rejections = [
        Rejection("/in/x.txt", "read", "empty", "the file is empty"),
        Rejection("/in/y.txt", "read", "empty", "the file is empty"),
        Rejection("/in/z.bin", "read", "binary", "not text"),
    ]
    load_batch(
        con,
        Batch(empty.sources.clear(), empty.events.clear(), empty.actors.clear(), quarantine_frame(rejections)),
    )
    summary = q(con, "SELECT stage, reason, num_rows, num_inputs FROM quarantine_summary ORDER BY reason")
    con.close()
    assert summary.rows() == [("read", "binary", 1, 1), ("read", "empty", 2, 2)]


# --- the materialised clusters (warehouse/clusters.py) ------------------------------------------------------

CLUSTER_COLUMNS = "cluster_id, event_type, actor1_id, actor2_id, first_event_date, last_event_date, cluster_grain, "
CLUSTER_COLUMNS += "num_sources, num_mentions, first_reported, last_reported, quantity, max_confidence, event_ids"


def _views(con) -> dict[str, pl.DataFrame]:
    return {
        "members": q(con, "SELECT * FROM event_cluster_members ORDER BY event_id"),
        "clusters": q(con, f"SELECT {CLUSTER_COLUMNS} FROM event_clusters ORDER BY cluster_id"),
        "dyads": q(con, "SELECT * FROM dyad_daily ORDER BY ALL"),
    }


def _corrected(articles):
    """b.txt corrected: the second shelling happened on Wednesday 6 March, not on 20 March."""
    fixed = ("Russia shelled Kharkiv again on Wednesday.", "shelled", "ASSAULT", "Russia", "Ukraine", date(2024, 3, 6))
    return [(f, o, p, [reports[0], fixed]) if f == "b.txt" else (f, o, p, reports) for f, o, p, reports in articles]


def test_batch_by_batch_clusters_equal_one_load_and_a_corrected_source_is_replaced(tmp_path):
    final = _corrected(ARTICLES)
    fresh = tmp_path / "fresh.duckdb"
    con = connect(fresh)
    load_batch(con, build_batch(articles=final))
    expected = _views(con)
    con.close()

    db = tmp_path / "w.duckdb"
    con = connect(db)
    for part in (ARTICLES[:2], ARTICLES[2:], [a for a in final if a[0] == "b.txt"]):  # the correction comes last
        load_batch(con, build_batch(articles=part))
    got = _views(con)
    con.close()
    for name, frame in expected.items():
        assert got[name].equals(frame), name
    # the shelling of 4, 5 and (corrected) 6 March is one action reported by two sources; the 20 March one is gone
    shelling = got["clusters"].filter(pl.col("event_type") == "ASSAULT")
    assert shelling.height == 1
    assert shelling["num_mentions"][0] == 4 and shelling["num_sources"][0] == 2
    assert shelling["last_event_date"][0] == date(2024, 3, 6)
    assert not got["dyads"].filter(pl.col("day") == date(2024, 3, 20)).height


def test_derived_tables_out_of_step_are_rebuilt_on_open(tmp_path):
    db = tmp_path / "w.duckdb"
    build_warehouse(db)
    con = connect(db)
    expected = _views(con)
    con.execute("DELETE FROM derived.cluster_index")  # as in a warehouse made before the derived tables
    con.execute("DELETE FROM derived.dyad_rows")
    con.close()
    con = connect(db)
    got = _views(con)
    con.close()
    for name, frame in expected.items():
        assert got[name].equals(frame), name


def _row_groups(db, table: str) -> dict[int, set]:
    con = connect(db, read_only=True)
    try:
        rows = con.execute(
            f"SELECT row_group_id, block_id, block_offset FROM pragma_storage_info('{table}') WHERE block_id >= 0"
        ).fetchall()
    finally:
        con.close()
    out: dict[int, set] = {}
    for group, block, offset in rows:
        out.setdefault(group, set()).add((block, offset))
    return out


def test_a_batch_load_writes_its_rows_and_leaves_earlier_ones_in_place(tmp_path):
    """A batch's close writes the batch, not the warehouse: earlier row groups stay where they are (DuckDB 2.0's
    checkpoint vacuum merged them on a later close, rewriting the whole table and its index: a batch's memory
    and time grew with the warehouse). The views stay those of one load."""
    db = tmp_path / "w.duckdb"
    first: dict[str, dict[int, set]] = {}
    for part in (ARTICLES[:2], ARTICLES[2:4], ARTICLES[4:]):
        con = connect(db)
        load_batch(con, build_batch(articles=part))
        con.close()
        first = first or {t: _row_groups(db, t) for t in ("events", "derived.cluster_index")}
    for table, groups in first.items():
        assert _row_groups(db, table)[0] == groups[0], table
    con = connect(db, read_only=True)
    got = _views(con)
    con.close()
    fresh = tmp_path / "fresh.duckdb"
    build_warehouse(fresh)
    con = connect(fresh, read_only=True)
    expected = _views(con)
    con.close()
    for name, frame in expected.items():
        assert got[name].equals(frame), name


def test_a_load_whose_memory_limit_is_too_small_is_loaded_again_and_equal(tmp_path, monkeypatch, caplog):
    """A load runs under a memory limit sized from the warehouse (warehouse/load.py); one that needs more is
    rolled back and loaded again with a larger limit: never an error, never a half batch, the same views."""
    import logging

    import warehouse.load as wload

    fresh = tmp_path / "fresh.duckdb"
    build_warehouse(fresh)
    con = connect(fresh, read_only=True)
    expected = _views(con)
    con.close()

    tried: list[str] = []
    original = wload.transaction

    def watched(c):
        tried.append(c.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
        return original(c)

    monkeypatch.setattr(wload, "load_memory", lambda c, n: 256 * 1024)  # far too small: DuckDB runs out
    monkeypatch.setattr(wload, "transaction", watched)
    db = tmp_path / "w.duckdb"
    con = connect(db)
    with caplog.at_level(logging.INFO, logger="warehouse.load"):
        load_batch(con, build_batch())
    assert con.execute("SELECT current_setting('threads')").fetchall()[0][0] > 0
    got = _views(con)
    con.close()
    assert len(tried) >= 2 and tried[0] != tried[-1], tried  # loaded again under another limit
    assert "loading it again" in caplog.text
    for name, frame in expected.items():
        assert got[name].equals(frame), name


def test_a_load_memory_limit_grows_with_the_batch_and_the_warehouse(tmp_path):
    from warehouse.load import load_memory

    db = tmp_path / "w.duckdb"
    build_warehouse(db)
    con = connect(db)
    small, large_batch = load_memory(con, 100), load_memory(con, 10_000)
    copies = "SELECT e.* REPLACE (e.event_id || '~' || t.i AS event_id) FROM events e, range(2000) t(i)"
    con.execute(f"INSERT INTO events {copies}")
    larger_warehouse = load_memory(con, 100)
    con.close()
    assert 16 * 2**20 < small < large_batch and small < larger_warehouse


def test_a_source_coded_again_keeps_one_cluster_row_per_event(tmp_path):
    """A re-coded source (same source id, a newer extractor) keeps its event ids: the refresh keys them from the
    batch (derived.cluster_keys_of over batch_events) and not a second time from the stale chains."""
    fresh = tmp_path / "fresh.duckdb"
    build_warehouse(fresh)
    con = connect(fresh, read_only=True)
    expected = _views(con)
    con.close()
    db = tmp_path / "w.duckdb"
    con = connect(db)
    load_batch(con, build_batch())
    load_batch(con, build_batch(articles=ARTICLES[:2]))  # the first two articles coded again
    got = _views(con)
    held = con.execute("SELECT count(*) FROM events").fetchall()[0][0]
    indexed = con.execute("SELECT count(*) FROM derived.cluster_index").fetchall()[0][0]
    con.close()
    assert held == indexed
    for name, frame in expected.items():
        assert got[name].equals(frame), name
