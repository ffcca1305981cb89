-- The sources the warehouse holds, for planning (warehouse/known.py): id, uri, extractor version, file name.
SELECT source_id, uri, extractor_version, file_name FROM sources;
