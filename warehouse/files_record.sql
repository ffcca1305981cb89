-- Rows for input files whose documents are all loaded (warehouse/files.py: record_files); one transaction.
-- Expects the registered frame new_files; a file read again replaces its row.
INSERT OR REPLACE INTO input_files (path, size_bytes, mtime_ns, content_sha256, extractor_version, documents,
                                    quarantined, records_skipped, run_id, checked_at)
SELECT path, size_bytes, mtime_ns, content_sha256, extractor_version, documents,
       map_from_entries(quarantined), map_from_entries(records_skipped), run_id, current_timestamp
FROM new_files;
