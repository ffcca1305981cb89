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

INSERT INTO actors BY NAME
SELECT * FROM new_actors
ON CONFLICT (actor_id) DO UPDATE SET
    aliases = list_sort(list_distinct(list_concat(actors.aliases, excluded.aliases))),
    country_code = coalesce(actors.country_code, excluded.country_code),
    sector = coalesce(actors.sector, excluded.sector),
    actor_type = coalesce(actors.actor_type, excluded.actor_type);

INSERT INTO events BY NAME
SELECT * FROM new_events;

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

DROP TABLE replaced;
