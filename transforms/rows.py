"""Extracted rows → polars frames with the warehouse's column types.

In: `Document`s, event dicts and actor dicts from `transforms.extract`, and
`Rejection`s. Out: polars DataFrames for `sources`, `events`, `actors` and
`quarantine`, with exactly the contract's columns and types (schemas below),
de-duplicated on their keys, ready for validation and a bulk load.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import polars as pl

from transforms.documents import Document, Rejection

SOURCES_SCHEMA = {
    "source_id": pl.Utf8,
    "uri": pl.Utf8,
    "file_name": pl.Utf8,
    "title": pl.Utf8,
    "outlet": pl.Utf8,
    "published_date": pl.Date,
    "date_source": pl.Utf8,
    "author": pl.Utf8,
    "content_sha256": pl.Utf8,
    "text": pl.Utf8,
    "extractor_version": pl.Utf8,
}
EVENTS_SCHEMA = {
    "event_id": pl.Utf8,
    "source_id": pl.Utf8,
    "event_type": pl.Utf8,
    "mode": pl.Utf8,
    "cameo_root": pl.Utf8,
    "quad_class": pl.Int32,
    "trigger": pl.Utf8,
    "trigger_start": pl.Int32,
    "trigger_end": pl.Int32,
    "actor1_id": pl.Utf8,
    "actor2_id": pl.Utf8,
    "claimant_id": pl.Utf8,
    "event_date": pl.Date,
    "date_precision": pl.Utf8,
    "location": pl.Utf8,
    "country_code": pl.Utf8,
    "quantity": pl.Float64,
    "quantity_unit": pl.Utf8,
    "status": pl.Utf8,
    "sentence": pl.Utf8,
    "sentence_start": pl.Int32,
    "sentence_end": pl.Int32,
    "confidence": pl.Float64,
}
ACTORS_SCHEMA = {
    "actor_id": pl.Utf8,
    "name": pl.Utf8,
    "actor_type": pl.Utf8,
    "country_code": pl.Utf8,
    "sector": pl.Utf8,
    "aliases": pl.List(pl.Utf8),
}
QUARANTINE_SCHEMA = {
    "uri": pl.Utf8,
    "stage": pl.Utf8,
    "reason": pl.Utf8,
    "detail": pl.Utf8,
    "quarantined_at": pl.Datetime("us"),
}


def sources_frame(docs: Iterable[Document], extractor_version: str) -> pl.DataFrame:
    rows = [
        {
            "source_id": d.source_id,
            "uri": d.uri,
            "file_name": d.file_name,
            "title": d.title,
            "outlet": d.outlet,
            "published_date": d.published_date,
            "date_source": d.date_source,
            "author": d.author,
            "content_sha256": d.content_sha256,
            "text": d.text,
            "extractor_version": extractor_version,
        }
        for d in docs
    ]
    return pl.DataFrame(rows, schema=SOURCES_SCHEMA).unique("source_id", keep="first", maintain_order=True)


def events_frame(events: Iterable[dict]) -> pl.DataFrame:
    rows = [{k: e.get(k) for k in EVENTS_SCHEMA} for e in events]
    return pl.DataFrame(rows, schema=EVENTS_SCHEMA).unique("event_id", keep="first", maintain_order=True)


def actors_frame(actor_maps: Iterable[dict[str, dict]]) -> pl.DataFrame:
    """Merge the actors of many articles: one row per actor_id, every surface form kept."""
    merged: dict[str, dict] = {}
    for amap in actor_maps:
        for actor_id, row in amap.items():
            cur = merged.get(actor_id)
            if cur is None:
                merged[actor_id] = {**row, "aliases": set(row["aliases"])}
            else:
                cur["aliases"] |= set(row["aliases"])
                cur["country_code"] = cur["country_code"] or row["country_code"]
                cur["sector"] = cur.get("sector") or row.get("sector")
    rows = [{**r, "sector": r.get("sector"), "aliases": sorted(r["aliases"])} for _, r in sorted(merged.items())]
    return pl.DataFrame(rows, schema=ACTORS_SCHEMA)


def quarantine_frame(rejections: Iterable[Rejection], now: datetime | None = None) -> pl.DataFrame:
    now = (now or datetime.now(UTC)).replace(tzinfo=None)
    rows = [
        {"uri": r.uri, "stage": r.stage, "reason": r.reason, "detail": r.detail, "quarantined_at": now}
        for r in rejections
    ]
    return pl.DataFrame(rows, schema=QUARANTINE_SCHEMA).unique(
        ["uri", "stage", "reason"], keep="first", maintain_order=True
    )
