"""Validated batches loaded together (flows/pipeline.py `_Pending`) give the rows of loading them one by one."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from flows.pipeline import _Pending
from tests.conftest import snapshot
from transforms.documents import RawInput, Rejection
from transforms.parse import parse_document
from transforms.rows import actors_frame, events_frame, sources_frame
from warehouse.connect import connect
from warehouse.load import load_batch

NEWS = {
    "nairobi.txt": "date 2024-05-02\nKenyan police arrested 40 protesters in Nairobi on Thursday.",
    "lagos.txt": "date 2024-05-03\nNigerian workers went on strike in Lagos over fuel prices.",
    "kyiv.txt": "date 2024-05-04\nUkraine and Poland signed an aid agreement in Kyiv.",
}


def _actor(actor_id, name, aliases, country=None, actor_type=None, sector=None):
    return {
        actor_id: {
            "actor_id": actor_id,
            "name": name,
            "actor_type": actor_type,
            "country_code": country,
            "aliases": aliases,
            "sector": sector,
        }
    }


def _batches():
    """Three validated batches: the police of Kenya named twice (the second time with its country, type and
    another alias), a quarantine key reported twice (the later detail stays) and a rejection-only batch."""
    docs = {name: parse_document(RawInput(f"/in/{name}", name, text.encode())) for name, text in NEWS.items()}

    def events(doc, event_type, actor):
        sentence = doc.text.splitlines()[-1]
        start = doc.text.index(sentence)
        return events_frame(
            [
                {
                    "event_id": f"{doc.source_id}-{event_type}",
                    "source_id": doc.source_id,
                    "event_type": event_type,
                    "actor1_id": actor,
                    "sentence": sentence,
                    "sentence_start": start,
                    "sentence_end": start + len(sentence),
                }
            ]
        )

    police = "KEN-COP"
    first = _actor(police, "Kenyan police", ["Kenyan police"])
    later = _actor(police, "Kenya Police Service", ["police", "Kenyan police"], "KEN", "organization", "COP")
    twice = [Rejection("/in/bad.txt", "read", "empty", "no text (first)")]
    return [
        (
            sources_frame([docs["nairobi.txt"]], "v1"),
            events(docs["nairobi.txt"], "ARREST", police),
            actors_frame([first]),
            twice,
        ),
        (
            sources_frame([docs["lagos.txt"], docs["kyiv.txt"]], "v1"),
            pl.concat([events(docs["lagos.txt"], "PROTEST", "NGA-LAB"), events(docs["kyiv.txt"], "AID", police)]),
            actors_frame([later, _actor("NGA-LAB", "Nigerian workers", ["workers"], "NGA", "group", "LAB")]),
            [Rejection("/in/bad.txt", "read", "empty", "no text (again)")],
        ),
        (sources_frame([], "v1"), events_frame([]), actors_frame([]), [Rejection("/in/x.bin", "read", "binary", "")]),
    ]


def test_batches_loaded_together_equal_batches_loaded_one_by_one(tmp_path: Path):
    batches = _batches()
    con = connect(tmp_path / "one_by_one.duckdb")
    for sources, events, actors, rejections in batches:
        pending = _Pending()
        pending.add(sources, events, actors, rejections, sources.height)
        load_batch(con, pending.batch("r1"))
    con.close()
    pending = _Pending()
    for sources, events, actors, rejections in batches:
        assert not pending.clashes(sources, rejections)
        pending.add(sources, events, actors, rejections, sources.height)
    con = connect(tmp_path / "together.duckdb")
    load_batch(con, pending.batch("r1"))
    con.close()

    one = snapshot(tmp_path / "one_by_one.duckdb", quarantine_volatile="run_id, quarantined_at")
    together = snapshot(tmp_path / "together.duckdb", quarantine_volatile="run_id, quarantined_at")
    assert one == together
    [police] = [a for a in together["actors"] if a[0] == "KEN-COP"]
    assert police[1] == "Kenyan police" and "KEN" in police and "police" in police[4]
    assert any("no text (again)" in str(r) for r in together["quarantine"])


def test_a_batch_that_replaces_a_waiting_document_clashes():
    """The same uri again (a corrected file) or a rejection of a waiting document's uri: loaded after it."""
    sources, events, actors, rejections = _batches()[0]
    pending = _Pending()
    pending.add(sources, events, actors, [], 1)
    assert pending.clashes(sources, [])
    rejected = Rejection(sources["uri"][0], "validate", "expectation_failed", "")
    assert pending.clashes(sources_frame([], "v1"), [rejected])
    assert not pending.clashes(_batches()[1][0], [])
