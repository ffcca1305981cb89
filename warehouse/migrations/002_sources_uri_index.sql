-- Version 1 → 2: an index on sources.uri. Every load looks sources up by uri (a corrected file replaces
-- the earlier version stored under the same uri) and analysts ask "what did this file give"; the index
-- keeps both fast as the warehouse grows. Idempotent.
CREATE INDEX IF NOT EXISTS sources_uri_idx ON sources (uri);
