-- A run's lineage row (warehouse/runs.py: record_run); parameters in the order of the column list.
INSERT INTO runs (run_id, flow_run_id, extractor_version, started_at, finished_at, files_seen,
                  sources_loaded, sources_skipped, quarantined, events)
VALUES ($run_id, $flow_run_id, $extractor_version, $started_at, $finished_at, $files_seen,
        $sources_loaded, $sources_skipped, $quarantined, $events);
