-- newsevents warehouse: views for analysts and BI tools, over the star schema of schema.sql.
-- Idempotent (CREATE OR REPLACE); re-applied every time the warehouse is opened for writing, so an edit
-- here takes effect without a schema version bump. Views only: they are always consistent with the tables
-- (the one cache they read, derived.cluster_index, is kept equal to the events in each load's transaction).
--
--   event_cluster_members  event_id → cluster_id, with the evidence (source, sentence, offsets)
--   event_clusters         one row per real-world action: num_sources, num_mentions, first/last_reported
--   event_facts            events with actor names and countries, source title/outlet/date, quad class name
--   dyad_daily             event counts by actor1, actor2, event type and day
--   actor_activity         per actor: events initiated, received and claimed, by quad class, first/last date
--   quarantine_summary     quarantined inputs and rows by stage and reason

-- Event clusters: the reports (fact rows) of one real-world action, by type, actor pair, close dates and
-- similar quantities (the rules: clusters.sql). Each event's cluster is materialised in derived.cluster_index
-- by the load, for the keys a batch touched (warehouse/clusters.py), so reading the clusters does not
-- re-run the clustering over the whole warehouse; the view is always equal to the events it joins.
-- cluster_id is derived from the cluster's first event_id, so it is stable across re-runs of the same input.
CREATE OR REPLACE VIEW event_cluster_members AS
SELECT
    c.cluster_id,
    c.event_id,
    e.source_id,
    c.cluster_day,
    c.cluster_grain,
    e.sentence,
    e.sentence_start,
    e.sentence_end
FROM derived.cluster_index c
JOIN events e ON e.event_id = c.event_id;

-- one row per cluster, materialised by the load for the keys a batch touched (the aggregation: clusters.sql)
CREATE OR REPLACE VIEW event_clusters AS
SELECT * EXCLUDE (pair_key) FROM derived.cluster_rows;

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
LEFT JOIN derived.cluster_index m ON m.event_id = e.event_id
LEFT JOIN sources s ON s.source_id = e.source_id
LEFT JOIN actors a1 ON a1.actor_id = e.actor1_id
LEFT JOIN actors a2 ON a2.actor_id = e.actor2_id
LEFT JOIN actors c ON c.actor_id = e.claimant_id;

-- day: the event date (first day of the period when coarser than a day; see date_precision), null when unknown
-- materialised by the load for the dyads a batch touched (the aggregation: clusters.sql)
CREATE OR REPLACE VIEW dyad_daily AS
SELECT * EXCLUDE (dyad_hash) FROM derived.dyad_rows;

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
