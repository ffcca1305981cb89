-- Version 4 → 5: how sure a source's date is, and who wrote it. `sources.date_source` says where
-- `published_date` comes from: 'metadata' (a feed line's or front matter's field), 'text' (a header
-- or date line of the text), 'fetched' (the fetch date of an archive or feed), null when there is no
-- date. `sources.author` is the byline as given (several authors joined by ", ").
-- Rows loaded before this version keep nulls until their source is loaded again. Idempotent.
ALTER TABLE sources ADD COLUMN IF NOT EXISTS date_source VARCHAR;
ALTER TABLE sources ADD COLUMN IF NOT EXISTS author VARCHAR;
