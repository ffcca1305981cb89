-- The files of registered frame file_sources (path, source_id) with a document that is not loaded by
-- extractor version $version (failed extraction or validation, or not loaded at all): not done yet.
SELECT DISTINCT f.path
FROM file_sources f
LEFT JOIN sources s ON s.source_id = f.source_id AND s.extractor_version = $version
WHERE s.source_id IS NULL;
