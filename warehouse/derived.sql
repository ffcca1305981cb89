-- Derived tables: caches of what a view would otherwise recompute over the whole warehouse on every read.
-- They live in the schema `derived` (not `main`), so `SHOW TABLES`, `newsevents export` and BI tools see only
-- the contract's tables and views. Idempotent; applied on every writable open, before views.sql.
-- Kept equal to the tables by the load, in the batch's transaction (warehouse/clusters.py): never edit by hand.
CREATE SCHEMA IF NOT EXISTS derived;

-- each event's cluster (see clusters.sql); the view event_cluster_members joins it to its event. The three
-- tables are refreshed together for the pair keys (and dyads) a batch touched: warehouse/clusters.py
CREATE TABLE IF NOT EXISTS derived.cluster_index (
    event_id       VARCHAR NOT NULL,
    source_id      VARCHAR NOT NULL,
    pair_key       VARCHAR NOT NULL,
    cluster_id     VARCHAR NOT NULL,
    cluster_day    DATE,
    cluster_grain  VARCHAR NOT NULL,
    chain_first    DATE,     -- the first and last day of the event's date chain (clusters.sql): a new
    chain_last     DATE,     -- event re-clusters only the chains within 2 days of it under its key
    dyad_hash      UBIGINT NOT NULL,
    -- the event's dyad_daily group, so that dyad_daily's rows are recounted from this table alone
    actor1_id      VARCHAR,
    actor2_id      VARCHAR,
    event_type     VARCHAR,
    quad_class     INTEGER,
    event_date     DATE,
    date_precision VARCHAR
);

-- the rows of the view event_clusters (one per cluster; views.sql), by the pair_key the cluster lies in
CREATE TABLE IF NOT EXISTS derived.cluster_rows (
    pair_key           VARCHAR NOT NULL,
    cluster_id         VARCHAR NOT NULL,
    event_type         VARCHAR,
    quad_class         INTEGER,
    actor1_id          VARCHAR,
    actor1_name        VARCHAR,
    actor2_id          VARCHAR,
    actor2_name        VARCHAR,
    first_event_date   DATE,
    last_event_date    DATE,
    cluster_grain      VARCHAR,
    num_sources        INTEGER,
    num_mentions       INTEGER,
    first_reported     DATE,
    last_reported      DATE,
    first_loaded_at    TIMESTAMP,
    quantity           DOUBLE,
    quantity_unit      VARCHAR,
    location           VARCHAR,
    country_code       VARCHAR,
    max_confidence     DOUBLE,
    event_ids          VARCHAR[],
    example_sentence   VARCHAR
);

-- the rows of the view dyad_daily (views.sql), by the hash of their group (actor pair, type, day)
CREATE TABLE IF NOT EXISTS derived.dyad_rows (
    dyad_hash       UBIGINT NOT NULL,
    actor1_id       VARCHAR,
    actor1_name     VARCHAR,
    actor2_id       VARCHAR,
    actor2_name     VARCHAR,
    event_type      VARCHAR,
    quad_class      INTEGER,
    day             DATE,
    date_precision  VARCHAR,
    num_events      INTEGER,
    num_sources     INTEGER,
    num_clusters    INTEGER
);

-- the clustering's grouping keys of the events of a table shaped as `events` (clusters.sql reads a slice of it):
--   * grain: 'single' (no initiator: a cluster of its own), the event's date precision when coarser than a
--     day ('month', 'year'), 'day' when it has an event date or its source a publication date, else 'source';
--   * cluster_day: the event date, else the day its source was published;
--   * pair_key: the group inside which dates are compared (type, actor pair, grain; the source for 'source'
--     and the event for 'single');
--   * dyad_hash: the hash of the event's dyad_daily group (actor pair, type, quad class, date, precision).
-- A table macro, so that a batch's load keys its own events (the temp table batch_events, typed as events:
-- the hash depends on the types) without reading the events table (clusters_batch.sql); cluster_keys is it
-- over every event.
CREATE OR REPLACE MACRO derived.cluster_keys_of(ev) AS TABLE
WITH keyed AS (
    SELECT
        e.event_id, e.source_id, e.event_type, e.actor1_id, e.actor2_id, e.quantity,
        hash(e.actor1_id, e.actor2_id, e.event_type, e.quad_class, e.event_date, e.date_precision) AS dyad_hash,
        CASE
            WHEN e.actor1_id IS NULL THEN 'single'
            WHEN e.event_date IS NOT NULL AND coalesce(e.date_precision, 'day') <> 'day' THEN e.date_precision
            WHEN coalesce(e.event_date, s.published_date) IS NOT NULL THEN 'day'
            ELSE 'source'
        END AS grain,
        coalesce(e.event_date, s.published_date) AS cluster_day,
        -- what event_clusters aggregates (clusters.sql)
        e.quad_class, e.event_date, e.date_precision, e.quantity_unit, e.location, e.country_code, e.confidence, e.sentence,
        e.sentence_start, s.published_date, s.loaded_at
    FROM query_table(ev) e
    LEFT JOIN sources s ON s.source_id = e.source_id
)
SELECT
    *,
    concat_ws('|', event_type, actor1_id, coalesce(actor2_id, ''), grain,
              CASE grain WHEN 'source' THEN source_id WHEN 'single' THEN event_id END) AS pair_key
FROM keyed;

CREATE OR REPLACE VIEW derived.cluster_keys AS
SELECT * FROM derived.cluster_keys_of(events);
