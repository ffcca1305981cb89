-- Event clusters: the reports (fact rows) of one real-world action. Two reports belong to one cluster when
-- they have the same event type and the same actor pair (actor1, actor2; a report without an initiator is
-- a cluster of its own), close dates, and similar quantities:
--   * the day of a report is its event_date when known to the day, else (no event date) the day its
--     source was published; reports chain into one cluster while consecutive days are at most 2 apart,
--     and a chain longer than that is cut into 3-day windows from its first day (a daily campaign
--     of shelling is many actions, not one);
--   * a report dated only to a month or a year groups with reports of the same type, pair and period;
--   * a report with neither an event date nor a publication date groups only with reports of the same
--     source document (the lead repeated in the body);
--   * inside those groups, quantities split clusters: sorted by quantity, a quantity more than 25% above
--     the previous one starts a new cluster; a report without a quantity joins the smallest one.
-- cluster_id is derived from the cluster's first event_id, so it is stable across re-runs of the same input.
--
-- Clusters never cross a date chain of one pair_key (derived.cluster_keys), so they are computed for the chains
-- a batch touched only. Expects temp tables stale_rows (event_id, cluster_id, dyad_hash: the index rows of the
-- touched chains) and cluster_scope (derived.cluster_keys rows of every event those chains hold now, new events
-- included); replaces those rows of derived.cluster_index, their clusters' rows of derived.cluster_rows and
-- their dyads' rows of derived.dyad_rows (warehouse/clusters.py).
DELETE FROM derived.cluster_index WHERE event_id IN (SELECT event_id FROM stale_rows);

CREATE OR REPLACE TEMP TABLE clustered AS
WITH date_breaks AS (
    SELECT
        *,
        CASE
            WHEN lag(cluster_day) OVER w IS NULL THEN 0
            WHEN grain = 'day' AND cluster_day - lag(cluster_day) OVER w > 2 THEN 1
            WHEN grain IN ('month', 'year') AND cluster_day <> lag(cluster_day) OVER w THEN 1
            ELSE 0
        END AS new_date_group
    FROM (SELECT event_id, source_id, event_type, actor1_id, actor2_id, quantity, dyad_hash, grain, cluster_day,
                 pair_key FROM cluster_scope)
    WINDOW w AS (PARTITION BY pair_key ORDER BY cluster_day, event_id)
),
chains AS (
    SELECT
        *,
        pair_key || '|' || sum(new_date_group) OVER (PARTITION BY pair_key ORDER BY cluster_day, event_id
                                                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS chain_key
    FROM date_breaks
),
date_groups AS (
    -- a chain of daily reports longer than 3 days is cut into 3-day windows from its first day
    SELECT
        *,
        chain_key || '|' || CASE grain
            WHEN 'day' THEN (cluster_day - min(cluster_day) OVER (PARTITION BY chain_key)) // 3
            ELSE 0
        END AS date_key
    FROM chains
),
quantity_breaks AS (
    SELECT
        *,
        CASE
            WHEN quantity IS NULL THEN 0
            WHEN last_value(quantity IGNORE NULLS) OVER q IS NULL THEN 0
            WHEN quantity > 1.25 * last_value(quantity IGNORE NULLS) OVER q THEN 1
            ELSE 0
        END AS new_quantity_group
    FROM date_groups
    WINDOW q AS (PARTITION BY date_key ORDER BY quantity NULLS FIRST, event_id
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
grouped AS (
    SELECT
        *,
        date_key || '|' || sum(new_quantity_group) OVER (PARTITION BY date_key ORDER BY quantity NULLS FIRST, event_id
                                                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS group_key
    FROM quantity_breaks
)
SELECT
    * EXCLUDE (new_date_group, chain_key, date_key, new_quantity_group, group_key),
    substr(md5(min(event_id) OVER (PARTITION BY group_key)), 1, 16) AS cluster_id,
    min(cluster_day) OVER (PARTITION BY chain_key) AS chain_first,
    max(cluster_day) OVER (PARTITION BY chain_key) AS chain_last
FROM grouped;

INSERT INTO derived.cluster_index BY NAME
SELECT c.event_id, c.source_id, c.pair_key, c.cluster_id, c.cluster_day, c.grain AS cluster_grain, c.chain_first,
       c.chain_last, c.dyad_hash, c.actor1_id, c.actor2_id, c.event_type, e.quad_class, e.event_date, e.date_precision
FROM clustered c
JOIN cluster_scope e ON e.event_id = c.event_id;

-- event_clusters (views.sql): one row per cluster of the touched chains (every event of a chain is in scope)
DELETE FROM derived.cluster_rows WHERE cluster_id IN (SELECT cluster_id FROM stale_rows);

INSERT INTO derived.cluster_rows
SELECT
    any_value(c.pair_key) AS pair_key,
    c.cluster_id,
    any_value(e.event_type) AS event_type,
    any_value(e.quad_class) AS quad_class,
    any_value(e.actor1_id) AS actor1_id,
    any_value(a1.name) AS actor1_name,
    any_value(e.actor2_id) AS actor2_id,
    any_value(a2.name) AS actor2_name,
    min(e.event_date) AS first_event_date,
    max(e.event_date) AS last_event_date,
    any_value(e.grain) AS cluster_grain,
    count(DISTINCT e.source_id)::INTEGER AS num_sources,
    count(*)::INTEGER AS num_mentions,
    min(e.published_date) AS first_reported,
    max(e.published_date) AS last_reported,
    min(e.loaded_at) AS first_loaded_at,
    max(e.quantity) AS quantity,
    mode(e.quantity_unit) AS quantity_unit,
    mode(e.location) AS location,
    mode(e.country_code) AS country_code,
    max(e.confidence) AS max_confidence,
    list(e.event_id ORDER BY e.published_date NULLS LAST, e.source_id, e.sentence_start) AS event_ids,
    arg_max(e.sentence, e.confidence) AS example_sentence
FROM clustered c
JOIN cluster_scope e ON e.event_id = c.event_id
LEFT JOIN actors a1 ON a1.actor_id = e.actor1_id
LEFT JOIN actors a2 ON a2.actor_id = e.actor2_id
GROUP BY c.cluster_id;

-- dyad_daily (views.sql): event counts by actor pair, type and day, recounted for the dyads of the touched
-- events (a cluster split or merged changes num_clusters) from the index alone
CREATE OR REPLACE TEMP TABLE touched_dyads AS
SELECT dyad_hash FROM stale_rows
UNION
SELECT dyad_hash FROM clustered;

DELETE FROM derived.dyad_rows WHERE dyad_hash IN (SELECT dyad_hash FROM touched_dyads);

INSERT INTO derived.dyad_rows
SELECT
    m.dyad_hash,
    m.actor1_id,
    a1.name AS actor1_name,
    m.actor2_id,
    a2.name AS actor2_name,
    m.event_type,
    m.quad_class,
    m.event_date AS day,
    m.date_precision,
    count(*)::INTEGER AS num_events,
    count(DISTINCT m.source_id)::INTEGER AS num_sources,
    count(DISTINCT m.cluster_id)::INTEGER AS num_clusters
FROM derived.cluster_index m
LEFT JOIN actors a1 ON a1.actor_id = m.actor1_id
LEFT JOIN actors a2 ON a2.actor_id = m.actor2_id
WHERE m.dyad_hash IN (SELECT dyad_hash FROM touched_dyads)
GROUP BY ALL;

DROP TABLE cluster_scope;
DROP TABLE clustered;
DROP TABLE stale_rows;
DROP TABLE touched_dyads;
