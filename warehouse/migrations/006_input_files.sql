-- Version 5 → 6: what each input file held when it was last read, so that planning can skip an
-- unchanged file after one stat. One row per file path (as given to `newsevents run`, absolute),
-- written only after every document of the file is loaded (or quarantined) by a finished run.
-- A file whose size and mtime (ns) match its row, coded by the same extractor version, is not read;
-- one whose size or mtime changed is hashed and read only when its digest differs. Idempotent.
CREATE TABLE IF NOT EXISTS input_files (
    path               VARCHAR PRIMARY KEY,
    size_bytes         BIGINT NOT NULL,
    mtime_ns           BIGINT NOT NULL,
    content_sha256     VARCHAR NOT NULL,
    extractor_version  VARCHAR NOT NULL,
    documents          INTEGER NOT NULL,
    quarantined        MAP(VARCHAR, INTEGER),
    records_skipped    MAP(VARCHAR, INTEGER),
    run_id             VARCHAR,
    checked_at         TIMESTAMP NOT NULL
);
