-- Queries behind `newsevents report` (warehouse/report.py), over the views of views.sql.
-- Each block starts with a line `-- name: <name>`; $1 is the row limit where a block takes one.

-- name: totals
WITH clusters AS (
    SELECT count(*) AS clusters, count(*) FILTER (WHERE num_sources > 1) AS multi_source_clusters
    FROM event_clusters
)
SELECT
    (SELECT count(*) FROM sources) AS sources,
    (SELECT count(*) FROM events) AS events,
    clusters.clusters,
    clusters.multi_source_clusters,
    (SELECT count(*) FROM actors) AS actors,
    (SELECT count(*) FROM quarantine) AS quarantined,
    (SELECT count(*) FROM events WHERE event_date IS NULL) AS undated_events,
    (SELECT min(event_date) FROM events) AS first_date,
    (SELECT max(event_date) FROM events) AS last_date
FROM clusters;

-- name: timeline
SELECT event_date, quad_class_name, count(*) AS events
FROM event_facts
WHERE event_date IS NOT NULL AND quad_class IS NOT NULL
GROUP BY ALL
ORDER BY event_date;

-- name: dyads
WITH top AS (
    SELECT actor1_id, actor2_id FROM event_facts
    WHERE actor1_id IS NOT NULL AND actor2_id IS NOT NULL
    GROUP BY ALL ORDER BY count(*) DESC, actor1_id, actor2_id LIMIT $1
)
SELECT
    f.actor1_name || ' → ' || f.actor2_name AS dyad,
    coalesce(f.quad_class_name, 'no quad class') AS quad_class_name,
    count(*) AS events,
    count(DISTINCT f.cluster_id) AS clusters
FROM event_facts f
JOIN top USING (actor1_id, actor2_id)
GROUP BY ALL;

-- name: types
SELECT event_type, coalesce(quad_class_name, 'no quad class') AS quad_class_name, count(*) AS events
FROM event_facts
GROUP BY ALL;

-- name: countries
SELECT country_code AS country, coalesce(quad_class_name, 'no quad class') AS quad_class_name, count(*) AS events
FROM event_facts
WHERE country_code IN (
    SELECT country_code FROM event_facts WHERE country_code IS NOT NULL
    GROUP BY ALL ORDER BY count(*) DESC, country_code LIMIT $1)
GROUP BY ALL;

-- name: quarantine
SELECT stage, reason, num_rows, num_inputs, last_seen, example_detail
FROM quarantine_summary
ORDER BY num_rows DESC, stage, reason;

-- name: events
SELECT
    f.event_id, f.event_date, f.date_precision, f.event_type, f.mode, f.quad_class, f.quad_class_name, f.status,
    f.actor1_name, f.actor2_name, f.claimant_name, f.location, f.country_code, f.quantity, f.quantity_unit,
    f.trigger, f.sentence, f.source_title, f.source_outlet, f.source_file_name, f.source_uri, f.confidence,
    c.num_sources AS cluster_sources, c.num_mentions AS cluster_mentions
FROM event_facts f
LEFT JOIN event_clusters c USING (cluster_id)
ORDER BY f.event_date DESC NULLS LAST, f.source_id, f.sentence_start, f.event_id
LIMIT $1;
