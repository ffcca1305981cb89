-- Every input file as last read (warehouse/files.py: known_files). Maps as lists of {key, value}, null when empty
-- (most files: converting 10,000 empty maps to Python costs seconds).
SELECT path, size_bytes, mtime_ns, content_sha256, extractor_version, documents,
       CASE WHEN cardinality(quarantined) > 0 THEN map_entries(quarantined) END AS quarantined,
       CASE WHEN cardinality(records_skipped) > 0 THEN map_entries(records_skipped) END AS records_skipped
FROM input_files;
