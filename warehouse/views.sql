-- newsevents warehouse: views for analysts and BI tools, over the star schema of schema.sql.
-- Idempotent (CREATE OR REPLACE); re-applied every time the warehouse is opened for writing, so an edit
-- here takes effect without a schema version bump. Views only: they are always consistent with the tables.
--
--   event_cluster_members  event_id → cluster_id, with the evidence (source, sentence, offsets)
--   event_clusters         one row per real-world action: num_sources, num_mentions, first/last_reported
--   event_facts            events with actor names and countries, source title/outlet/date, quad class name
--   dyad_daily             event counts by actor1, actor2, event type and day
--   actor_activity         per actor: events initiated, received and claimed, by quad class, first/last date
--   quarantine_summary     quarantined inputs and rows by stage and reason

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
CREATE OR REPLACE VIEW event_cluster_members AS
WITH keyed AS (
    SELECT
        e.event_id, e.source_id, e.event_type, e.actor1_id, e.actor2_id, e.quantity,
        CASE
            WHEN e.actor1_id IS NULL THEN 'single'
            WHEN e.event_date IS NOT NULL AND coalesce(e.date_precision, 'day') <> 'day' THEN e.date_precision
            WHEN coalesce(e.event_date, s.published_date) IS NOT NULL THEN 'day'
            ELSE 'source'
        END AS grain,
        coalesce(e.event_date, s.published_date) AS cluster_day
    FROM events e
    LEFT JOIN sources s ON s.source_id = e.source_id
),
partitioned AS (
    SELECT
        *,
        -- the group inside which dates are compared
        concat_ws('|', event_type, actor1_id, coalesce(actor2_id, ''), grain,
                  CASE grain WHEN 'source' THEN source_id WHEN 'single' THEN event_id END) AS pair_key
    FROM keyed
),
date_breaks AS (
    SELECT
        *,
        CASE
            WHEN lag(cluster_day) OVER w IS NULL THEN 0
            WHEN grain = 'day' AND cluster_day - lag(cluster_day) OVER w > 2 THEN 1
            WHEN grain IN ('month', 'year') AND cluster_day <> lag(cluster_day) OVER w THEN 1
            ELSE 0
        END AS new_date_group
    FROM partitioned
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
    substr(md5(min(g.event_id) OVER (PARTITION BY g.group_key)), 1, 16) AS cluster_id,
    g.event_id,
    g.source_id,
    g.cluster_day,
    g.grain AS cluster_grain,
    e.sentence,
    e.sentence_start,
    e.sentence_end
FROM grouped g
JOIN events e ON e.event_id = g.event_id;

CREATE OR REPLACE VIEW event_clusters AS
SELECT
    m.cluster_id,
    any_value(e.event_type) AS event_type,
    any_value(e.quad_class) AS quad_class,
    any_value(e.actor1_id) AS actor1_id,
    any_value(a1.name) AS actor1_name,
    any_value(e.actor2_id) AS actor2_id,
    any_value(a2.name) AS actor2_name,
    min(e.event_date) AS first_event_date,
    max(e.event_date) AS last_event_date,
    any_value(m.cluster_grain) AS cluster_grain,
    count(DISTINCT m.source_id)::INTEGER AS num_sources,
    count(*)::INTEGER AS num_mentions,
    min(s.published_date) AS first_reported,
    max(s.published_date) AS last_reported,
    min(s.loaded_at) AS first_loaded_at,
    max(e.quantity) AS quantity,
    mode(e.quantity_unit) AS quantity_unit,
    mode(e.location) AS location,
    mode(e.country_code) AS country_code,
    max(e.confidence) AS max_confidence,
    list(e.event_id ORDER BY s.published_date NULLS LAST, e.source_id, e.sentence_start) AS event_ids,
    arg_max(e.sentence, e.confidence) AS example_sentence
FROM event_cluster_members m
JOIN events e ON e.event_id = m.event_id
LEFT JOIN sources s ON s.source_id = e.source_id
LEFT JOIN actors a1 ON a1.actor_id = e.actor1_id
LEFT JOIN actors a2 ON a2.actor_id = e.actor2_id
GROUP BY m.cluster_id;

CREATE OR REPLACE VIEW event_facts AS
SELECT
    e.event_id,
    m.cluster_id,
    e.event_type,
    e.mode,
    e.cameo_root,
    e.quad_class,
    CASE e.quad_class
        WHEN 1 THEN 'verbal cooperation'
        WHEN 2 THEN 'material cooperation'
        WHEN 3 THEN 'verbal conflict'
        WHEN 4 THEN 'material conflict'
    END AS quad_class_name,
    e.trigger,
    e.status,
    e.actor1_id,
    a1.name AS actor1_name,
    a1.actor_type AS actor1_type,
    a1.country_code AS actor1_country,
    e.actor2_id,
    a2.name AS actor2_name,
    a2.actor_type AS actor2_type,
    a2.country_code AS actor2_country,
    e.claimant_id,
    c.name AS claimant_name,
    c.country_code AS claimant_country,
    e.event_date,
    e.date_precision,
    e.location,
    e.country_code,
    e.quantity,
    e.quantity_unit,
    e.confidence,
    e.sentence,
    e.sentence_start,
    e.sentence_end,
    e.source_id,
    s.title AS source_title,
    s.outlet AS source_outlet,
    s.published_date AS source_published_date,
    s.file_name AS source_file_name,
    s.uri AS source_uri
FROM events e
LEFT JOIN event_cluster_members m ON m.event_id = e.event_id
LEFT JOIN sources s ON s.source_id = e.source_id
LEFT JOIN actors a1 ON a1.actor_id = e.actor1_id
LEFT JOIN actors a2 ON a2.actor_id = e.actor2_id
LEFT JOIN actors c ON c.actor_id = e.claimant_id;

-- day: the event date (first day of the period when coarser than a day; see date_precision), null when unknown
CREATE OR REPLACE VIEW dyad_daily AS
SELECT
    e.actor1_id,
    a1.name AS actor1_name,
    e.actor2_id,
    a2.name AS actor2_name,
    e.event_type,
    e.quad_class,
    e.event_date AS day,
    e.date_precision,
    count(*)::INTEGER AS num_events,
    count(DISTINCT e.source_id)::INTEGER AS num_sources,
    count(DISTINCT m.cluster_id)::INTEGER AS num_clusters
FROM events e
LEFT JOIN event_cluster_members m ON m.event_id = e.event_id
LEFT JOIN actors a1 ON a1.actor_id = e.actor1_id
LEFT JOIN actors a2 ON a2.actor_id = e.actor2_id
GROUP BY ALL;

CREATE OR REPLACE VIEW actor_activity AS
WITH roles AS (
    SELECT actor1_id AS actor_id, 'actor1' AS role, event_id, source_id, quad_class, event_date FROM events
    WHERE actor1_id IS NOT NULL
    UNION ALL
    SELECT actor2_id, 'actor2', event_id, source_id, quad_class, event_date FROM events
    WHERE actor2_id IS NOT NULL
    UNION ALL
    SELECT claimant_id, 'claimant', event_id, source_id, quad_class, event_date FROM events
    WHERE claimant_id IS NOT NULL
)
SELECT
    a.actor_id,
    a.name,
    a.actor_type,
    a.country_code,
    count(r.event_id) FILTER (WHERE r.role = 'actor1')::INTEGER AS events_as_actor1,
    count(r.event_id) FILTER (WHERE r.role = 'actor2')::INTEGER AS events_as_actor2,
    count(r.event_id) FILTER (WHERE r.role = 'claimant')::INTEGER AS events_as_claimant,
    count(r.event_id) FILTER (WHERE r.role = 'actor1' AND r.quad_class = 1)::INTEGER AS initiated_verbal_coop,
    count(r.event_id) FILTER (WHERE r.role = 'actor1' AND r.quad_class = 2)::INTEGER AS initiated_material_coop,
    count(r.event_id) FILTER (WHERE r.role = 'actor1' AND r.quad_class = 3)::INTEGER AS initiated_verbal_conflict,
    count(r.event_id) FILTER (WHERE r.role = 'actor1' AND r.quad_class = 4)::INTEGER AS initiated_material_conflict,
    count(r.event_id) FILTER (WHERE r.role = 'actor2' AND r.quad_class IN (3, 4))::INTEGER AS received_conflict,
    count(DISTINCT r.source_id)::INTEGER AS num_sources,
    min(r.event_date) AS first_event_date,
    max(r.event_date) AS last_event_date
FROM actors a
LEFT JOIN roles r ON r.actor_id = a.actor_id
GROUP BY a.actor_id, a.name, a.actor_type, a.country_code;

CREATE OR REPLACE VIEW quarantine_summary AS
SELECT
    stage,
    reason,
    count(*)::INTEGER AS num_rows,
    count(DISTINCT uri)::INTEGER AS num_inputs,
    min(quarantined_at) AS first_seen,
    max(quarantined_at) AS last_seen,
    any_value(detail) AS example_detail
FROM quarantine
GROUP BY stage, reason;
