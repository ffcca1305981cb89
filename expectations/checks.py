"""Derived check columns: cross-column and cross-table rules made checkable per row.

In: the batch's polars frames. Out: the same frames with boolean `_…` columns
that the suites expect to be true (offsets point at the sentence, dates are
consistent, foreign keys resolve). Great Expectations then reports exactly
which rows break them.
"""

from __future__ import annotations

import polars as pl


def events_with_checks(
    events: pl.DataFrame,
    sources: pl.DataFrame,
    actors: pl.DataFrame,
    known_actor_ids: set[str] | None = None,
    known_source_ids: set[str] | None = None,
) -> pl.DataFrame:
    texts = sources.select("source_id", "text", "published_date")
    joined = events.join(texts, on="source_id", how="left")
    actor_ids = set(actors["actor_id"].to_list()) | (known_actor_ids or set())
    source_ids = set(sources["source_id"].to_list()) | (known_source_ids or set())

    def offsets_ok(row: dict) -> bool:
        text, s, e = row["text"], row["sentence_start"], row["sentence_end"]
        if text is None or s is None or e is None or not (0 <= s < e <= len(text)):
            return False
        return text[s:e] == row["sentence"]

    rows = joined.select("text", "sentence_start", "sentence_end", "sentence").to_dicts()
    offsets = [offsets_ok(r) for r in rows]
    ids = set(actor_ids)
    return events.with_columns(
        pl.Series("_offsets_point_at_sentence", offsets, dtype=pl.Boolean),
        (pl.col("event_date").is_null() == pl.col("date_precision").is_null()).alias("_date_consistent"),
        (
            pl.col("event_date").is_null()
            | (pl.col("status") != "asserted")
            | joined["published_date"].is_null()
            | (pl.col("event_date") <= joined["published_date"])
        ).alias("_not_after_publication"),
        pl.col("source_id").is_in(list(source_ids)).alias("_source_exists"),
        (
            (pl.col("actor1_id").is_null() | pl.col("actor1_id").is_in(list(ids)))
            & (pl.col("actor2_id").is_null() | pl.col("actor2_id").is_in(list(ids)))
            & (pl.col("claimant_id").is_null() | pl.col("claimant_id").is_in(list(ids)))
        ).alias("_actors_exist"),
    )


def sources_with_checks(sources: pl.DataFrame) -> pl.DataFrame:
    return sources.with_columns(
        (pl.col("content_sha256").str.slice(0, 16) == pl.col("source_id")).alias("_id_matches_content")
    )
