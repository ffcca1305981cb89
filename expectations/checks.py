"""Derived check columns: cross-column and cross-table rules made checkable per row.

In: the batch's polars frames. Out: the same frames, rows in the same order,
with boolean `_…` columns that the suites expect to be true (offsets point at
the sentence, dates are consistent, asserted events are not dated after their
source's publication, foreign keys resolve). Great Expectations then reports
exactly which rows break them.
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
    """`events` plus `_offsets_point_at_sentence`, `_trigger_in_sentence`, `_date_consistent`, `_not_after_publication`,
    `_source_exists` and `_actors_exist`, aligned row by row with `events`."""
    texts = sources.select("source_id", "text", "published_date").unique("source_id", keep="first")
    # maintain_order: polars does not promise the left order of a join otherwise, and every check
    # below is matched to its event by position
    joined = events.select("source_id").join(texts, on="source_id", how="left", maintain_order="left")
    assert joined.height == events.height
    actor_ids = set(actors["actor_id"].to_list()) | (known_actor_ids or set())
    source_ids = set(sources["source_id"].to_list()) | (known_source_ids or set())
    # the sentence's offsets lie inside its source's text and slice exactly the sentence (a missing value:
    # no); column-wise, so the texts are never copied into Python; slices count characters, as Python's do
    start, end, text = pl.col("sentence_start"), pl.col("sentence_end"), pl.col("text")
    offsets = (
        pl.DataFrame([joined["text"], events["sentence_start"], events["sentence_end"], events["sentence"]])
        .select(
            (
                (start >= 0)
                & (start < end)
                & (end <= text.str.len_chars())
                & (text.str.slice(start.clip(0), (end - start).clip(0)) == pl.col("sentence"))
            ).fill_null(False)
        )
        .to_series()
    )
    trigger_in_sentence = (
        pl.col("trigger").is_null()
        | (
            (pl.col("trigger_start") >= 0)
            & (pl.col("trigger_start") < pl.col("trigger_end"))
            & (
                pl.col("sentence").str.slice(pl.col("trigger_start"), pl.col("trigger_end") - pl.col("trigger_start"))
                == pl.col("trigger")
            )
        )
    ).fill_null(False)
    published = joined["published_date"]
    ids = list(actor_ids)
    return events.with_columns(
        offsets.alias("_offsets_point_at_sentence"),
        (pl.col("event_date").is_null() == pl.col("date_precision").is_null()).alias("_date_consistent"),
        (
            pl.col("event_date").is_null()
            | (pl.col("status") != "asserted").fill_null(True)
            | published.is_null()
            | (pl.col("event_date") <= published)
        ).alias("_not_after_publication"),
        trigger_in_sentence.alias("_trigger_in_sentence"),
        pl.col("source_id").is_in(list(source_ids)).fill_null(False).alias("_source_exists"),
        (
            (pl.col("actor1_id").is_null() | pl.col("actor1_id").is_in(ids))
            & (pl.col("actor2_id").is_null() | pl.col("actor2_id").is_in(ids))
            & (pl.col("claimant_id").is_null() | pl.col("claimant_id").is_in(ids))
        ).alias("_actors_exist"),
    )


def sources_with_checks(sources: pl.DataFrame) -> pl.DataFrame:
    """`sources` plus `_id_matches_content` (source_id is the first 16 hex digits of content_sha256)."""
    return sources.with_columns(
        (pl.col("content_sha256").str.slice(0, 16) == pl.col("source_id")).fill_null(False).alias("_id_matches_content")
    )
