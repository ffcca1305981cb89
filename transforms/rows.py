"""Extracted rows → polars frames with the warehouse's column types.

In: `Document`s, event dicts and actor dicts from `transforms.extract`, and
`Rejection`s. Out: polars DataFrames for `sources`, `events`, `actors` and
`quarantine`, with exactly the contract's frame columns and types
(`transforms/contract.py`),
de-duplicated on their keys, ready for validation and a bulk load.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import polars as pl

from transforms.contract import polars_schema
from transforms.documents import Document, Rejection

SOURCES_SCHEMA = polars_schema("sources")
EVENTS_SCHEMA = polars_schema("events")
ACTORS_SCHEMA = polars_schema("actors")
QUARANTINE_SCHEMA = polars_schema("quarantine")


def sources_frame(docs: Iterable[Document], extractor_version: str) -> pl.DataFrame:
    """One row per document: every column of the contract's `sources` is a `Document` field of that name,
    except the extractor version of the run."""
    rows = [{c: extractor_version if c == "extractor_version" else getattr(d, c) for c in SOURCES_SCHEMA} for d in docs]
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
    rows = [
        {**{c: r.get(c) for c in ACTORS_SCHEMA}, "aliases": sorted(r["aliases"])} for _, r in sorted(merged.items())
    ]
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
