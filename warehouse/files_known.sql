-- Every input file as last read (warehouse/files.py: known_files). Maps as lists of {key, value}.
SELECT path, size_bytes, mtime_ns, content_sha256, extractor_version, documents,
       map_entries(coalesce(quarantined, MAP {})) AS quarantined,
       map_entries(coalesce(records_skipped, MAP {})) AS records_skipped
FROM input_files;
