-- The quarantine keys the warehouse holds (warehouse/known.py): an input quarantined again adds no row.
SELECT uri, stage, reason FROM quarantine;
