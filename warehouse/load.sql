-- One batch of whole documents into the warehouse; runs inside one transaction (warehouse/load.py).
-- Expects registered frames new_sources, new_events, new_actors, new_quarantine. No text is interpolated.

-- earlier versions of these sources: same content, or the same uri with other text (a corrected file)
CREATE OR REPLACE TEMP TABLE replaced AS
    SELECT source_id FROM sources
    WHERE source_id IN (SELECT source_id FROM new_sources)
       OR uri IN (SELECT uri FROM new_sources);

DELETE FROM events WHERE source_id IN (SELECT source_id FROM replaced);
DELETE FROM sources WHERE source_id IN (SELECT source_id FROM replaced);

-- every insert is BY NAME: the frames hold exactly the contract's columns (transforms/contract.py), so
-- no column is listed here; the load fills run_id (load.py) and loaded_at
INSERT INTO sources BY NAME
SELECT *, current_timestamp AS loaded_at FROM new_sources;

-- actors: merge the batch's actors into the table (aliases united, the first name kept, a missing country,
-- sector or type filled). Done as delete + insert of only the rows that change, then an insert of the new
-- ones: `INSERT … ON CONFLICT DO UPDATE` cost ~1 ms per conflicting row and grew with the table (3.8 s a batch
-- at 3,000 articles, most of the load stage; benchmarks/writer.py --grow)
CREATE OR REPLACE TEMP TABLE merged_actors AS
SELECT
    a.actor_id,
    a.name,
    coalesce(a.actor_type, n.actor_type) AS actor_type,
    coalesce(a.country_code, n.country_code) AS country_code,
    list_sort(list_distinct(list_concat(a.aliases, n.aliases))) AS aliases,
    coalesce(a.sector, n.sector) AS sector
FROM new_actors n
JOIN actors a ON a.actor_id = n.actor_id
WHERE a.aliases IS DISTINCT FROM list_sort(list_distinct(list_concat(a.aliases, n.aliases)))
   OR (a.country_code IS NULL AND n.country_code IS NOT NULL)
   OR (a.sector IS NULL AND n.sector IS NOT NULL)
   OR (a.actor_type IS NULL AND n.actor_type IS NOT NULL);

DELETE FROM actors WHERE actor_id IN (SELECT actor_id FROM merged_actors);

INSERT INTO actors BY NAME
SELECT * FROM merged_actors;

INSERT INTO actors BY NAME
SELECT * FROM new_actors n
WHERE NOT EXISTS (SELECT 1 FROM actors a WHERE a.actor_id = n.actor_id);

-- the batch's events typed as the events table (the cluster refresh keys them from here, clusters_batch.sql,
-- without reading the events table: a batch's memory and CPU then do not grow with the warehouse)
CREATE OR REPLACE TEMP TABLE batch_events AS FROM events LIMIT 0;

INSERT INTO batch_events BY NAME
SELECT * FROM new_events;

INSERT INTO events BY NAME
SELECT * FROM batch_events;

-- an input that loads now is no longer empty, a duplicate, or failing an expectation at its uri:
-- drop its older quarantine rows unless this batch reports the same (uri, stage, reason) again
-- (a uri_conflict row is about another input that claimed this uri: it stays)
DELETE FROM quarantine
WHERE uri IN (SELECT uri FROM new_sources)
  AND reason <> 'uri_conflict'
  AND (uri, stage, reason) NOT IN (SELECT (uri, stage, reason) FROM new_quarantine);

-- one row per (uri, stage, reason), stamped when first seen; the detail follows the latest run
INSERT INTO quarantine BY NAME
SELECT * FROM new_quarantine
ON CONFLICT (uri, stage, reason) DO UPDATE SET detail = excluded.detail;

DROP TABLE merged_actors;
-- `replaced` and `batch_events` stay for clusters_batch.sql (warehouse/clusters.py), which drops them
