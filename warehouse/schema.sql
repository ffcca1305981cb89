-- newsevents warehouse: the star schema of ../shared/spec/warehouse.md, plus its bookkeeping tables.
-- Generated from transforms/contract.py by `uv run python examples/readme.py`: do not edit by hand
-- (tests/test_contract.py fails when it is stale). A new warehouse gets it whole; an older one is
-- upgraded by migrations/NNN_*.sql. Idempotent: every statement can run on an existing warehouse.

-- the schema versions this warehouse went through (warehouse/connect.py)
CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER NOT NULL,
    applied_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- one cleaned input text (dimension)
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
    date_source        VARCHAR,
    author             VARCHAR
);
CREATE INDEX IF NOT EXISTS sources_uri_idx ON sources (uri);

-- one canonical actor (dimension); from the dictionaries and the extractor, so every check is table-level
CREATE TABLE IF NOT EXISTS actors (
    actor_id      VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    actor_type    VARCHAR,
    country_code  VARCHAR,
    aliases       VARCHAR[],
    sector        VARCHAR
);

-- one event as reported in one sentence of one source (fact)
CREATE TABLE IF NOT EXISTS events (
    event_id        VARCHAR PRIMARY KEY,
    source_id       VARCHAR NOT NULL,
    event_type      VARCHAR NOT NULL,
    mode            VARCHAR,
    cameo_root      VARCHAR,
    quad_class      INTEGER,
    trigger         VARCHAR,
    trigger_start   INTEGER,
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

-- every input or row that did not reach the star schema, and why; one row per (uri, stage, reason)
CREATE TABLE IF NOT EXISTS quarantine (
    uri             VARCHAR NOT NULL,
    stage           VARCHAR NOT NULL,
    reason          VARCHAR NOT NULL,
    detail          VARCHAR,
    quarantined_at  TIMESTAMP NOT NULL,
    run_id          VARCHAR,
    PRIMARY KEY (uri, stage, reason)
);

-- one row per finished run (lineage)
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

-- each input file as last read, so that an unchanged file costs one stat (warehouse/files.py)
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
