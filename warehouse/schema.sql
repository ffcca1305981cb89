-- newsevents warehouse: the star schema of ../shared/spec/warehouse.md.
-- The current schema (version SCHEMA_VERSION of connect.py), given whole to a new warehouse; an older
-- warehouse is upgraded by migrations/NNN_*.sql. Idempotent: every statement can run on an existing warehouse.

CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER NOT NULL,
    applied_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE IF NOT EXISTS sources (
    source_id          VARCHAR PRIMARY KEY,
    uri                VARCHAR NOT NULL,
    file_name          VARCHAR NOT NULL,
    title              VARCHAR,
    outlet             VARCHAR,
    published_date     DATE,
    content_sha256     VARCHAR NOT NULL,
    text               VARCHAR NOT NULL,
    extractor_version  VARCHAR,
    run_id             VARCHAR,
    loaded_at          TIMESTAMP,
    date_source        VARCHAR,  -- metadata, text, fetched, or null: where published_date comes from (version 5)
    author             VARCHAR   -- the byline as given (version 5)
);

CREATE TABLE IF NOT EXISTS actors (
    actor_id      VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    actor_type    VARCHAR,
    country_code  VARCHAR,
    aliases       VARCHAR[],
    sector        VARCHAR   -- GOV, MIL, COP, REB, CVL… (version 3); null for a state
);

CREATE TABLE IF NOT EXISTS events (
    event_id        VARCHAR PRIMARY KEY,
    source_id       VARCHAR NOT NULL,
    event_type      VARCHAR NOT NULL,
    mode            VARCHAR,
    cameo_root      VARCHAR,
    quad_class      INTEGER,
    trigger         VARCHAR,
    trigger_start   INTEGER,  -- character offsets of the trigger in `sentence` (schema version 4)
    trigger_end     INTEGER,
    actor1_id       VARCHAR,
    actor2_id       VARCHAR,
    claimant_id     VARCHAR,
    event_date      DATE,
    date_precision  VARCHAR,
    location        VARCHAR,
    country_code    VARCHAR,
    quantity        DOUBLE,
    quantity_unit   VARCHAR,
    status          VARCHAR,
    sentence        VARCHAR NOT NULL,
    sentence_start  INTEGER,
    sentence_end    INTEGER,
    confidence      DOUBLE,
    run_id          VARCHAR
);

CREATE TABLE IF NOT EXISTS quarantine (
    uri             VARCHAR NOT NULL,
    stage           VARCHAR NOT NULL,
    reason          VARCHAR NOT NULL,
    detail          VARCHAR,
    quarantined_at  TIMESTAMP NOT NULL,
    run_id          VARCHAR,
    PRIMARY KEY (uri, stage, reason)
);

CREATE TABLE IF NOT EXISTS runs (
    run_id             VARCHAR PRIMARY KEY,
    flow_run_id        VARCHAR,
    extractor_version  VARCHAR,
    started_at         TIMESTAMP,
    finished_at        TIMESTAMP,
    files_seen         INTEGER,
    sources_loaded     INTEGER,
    sources_skipped    INTEGER,
    quarantined        INTEGER,
    events             INTEGER
);

-- since schema version 2 (migrations/002_sources_uri_index.sql)
CREATE INDEX IF NOT EXISTS sources_uri_idx ON sources (uri);

-- since schema version 6 (migrations/006_input_files.sql): each input file as last read, so that an
-- unchanged file costs one stat (size, mtime in ns, digest of its bytes, the extractor version that
-- coded it, its documents, its inputs in quarantine by reason, its archive records that are not pages)
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
