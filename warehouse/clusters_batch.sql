-- What a batch touched (warehouse/clusters.py, in the load's transaction, after load.sql). Expects the temp tables
-- replaced (source_id) and batch_events (the batch's events, typed as events). Clusters never cross a date chain of one pair_key
-- (consecutive days at most 2 apart; clusters.sql), so only these chains are clustered again:
--   * the chains of the events the batch removed (a re-coded or corrected source), and
--   * under each new event's pair_key, the chains whose days come within 2 days of the new event's day
--     (it may join or bridge them); a key without days (grain 'source') is one chain.
CREATE OR REPLACE TEMP TABLE new_keys AS
SELECT DISTINCT pair_key, cluster_day FROM derived.cluster_keys_of(batch_events);

-- the index rows those chains hold now: replaced by clusters.sql
CREATE OR REPLACE TEMP TABLE stale_rows AS
SELECT i.event_id, i.cluster_id, i.dyad_hash
FROM derived.cluster_index i
JOIN (SELECT DISTINCT pair_key, chain_first FROM derived.cluster_index
      WHERE source_id IN (SELECT source_id FROM replaced)) r
  ON r.pair_key = i.pair_key AND r.chain_first IS NOT DISTINCT FROM i.chain_first
UNION
SELECT i.event_id, i.cluster_id, i.dyad_hash
FROM derived.cluster_index i
JOIN new_keys n ON n.pair_key = i.pair_key
WHERE n.cluster_day IS NULL OR i.chain_first IS NULL
   OR (i.chain_first <= n.cluster_day + 2 AND i.chain_last >= n.cluster_day - 2);

-- every event to cluster: the new ones, keyed from the batch, and those of the stale chains still held (a
-- re-coded source's events may keep their ids: the batch's version counts)
CREATE OR REPLACE TEMP TABLE cluster_scope AS
SELECT * FROM derived.cluster_keys_of(batch_events)
UNION ALL
SELECT * FROM derived.cluster_keys
WHERE event_id IN (SELECT event_id FROM stale_rows)
  AND event_id NOT IN (SELECT event_id FROM batch_events);

DROP TABLE new_keys;
DROP TABLE replaced;
DROP TABLE batch_events;
