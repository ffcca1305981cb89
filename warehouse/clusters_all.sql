-- Every event in scope: rebuilds the derived tables whole (warehouse/clusters.py: a warehouse made before them,
-- or one whose derived tables do not account for exactly its events).
DELETE FROM derived.cluster_index;
DELETE FROM derived.cluster_rows;
DELETE FROM derived.dyad_rows;

CREATE OR REPLACE TEMP TABLE stale_rows AS
SELECT event_id, cluster_id, dyad_hash FROM derived.cluster_index;

CREATE OR REPLACE TEMP TABLE cluster_scope AS
SELECT * FROM derived.cluster_keys;
