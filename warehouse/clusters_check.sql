-- The events as the derived tables count them (warehouse/clusters.py: stale): all four equal when in step.
SELECT
    (SELECT count(*) FROM events),
    (SELECT count(*) FROM derived.cluster_index),
    (SELECT coalesce(sum(num_mentions), 0) FROM derived.cluster_rows),
    (SELECT coalesce(sum(num_events), 0) FROM derived.dyad_rows);
