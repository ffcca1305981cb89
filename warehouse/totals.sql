-- The warehouse's totals after a run (warehouse/runs.py: totals): one row.
SELECT
    (SELECT count(*) FROM sources)                           AS sources,
    (SELECT count(*) FROM events)                            AS events,
    (SELECT count(*) FROM actors)                            AS actors,
    (SELECT count(DISTINCT (uri, stage, reason)) FROM quarantine) AS quarantined,
    (SELECT count(*) FROM runs)                              AS runs
