-- pare store, schema version 1. Every statement is idempotent.
CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- Every input loaded: a file, an S3 object, an API window.
CREATE TABLE IF NOT EXISTS sources (
    id        BIGINT PRIMARY KEY,
    name      VARCHAR NOT NULL,   -- path, s3://bucket/key, cloudtrail://region/day
    size      BIGINT NOT NULL,    -- bytes read
    sha256    VARCHAR NOT NULL,   -- of the raw content
    provider  VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    records   BIGINT NOT NULL,
    events    BIGINT NOT NULL,
    skipped   VARCHAR NOT NULL,   -- JSON object: reason -> count
    problems  BIGINT NOT NULL
);

-- Bad records, kept with where they are.
CREATE TABLE IF NOT EXISTS problems (
    source_id    BIGINT NOT NULL,
    input        VARCHAR NOT NULL,
    record_index INTEGER NOT NULL,  -- -1 when not one record's
    message      VARCHAR NOT NULL
);

-- One row per action on a resource in one logical request (record.Event).
-- Columns that repeat a few values across millions of rows are stored
-- dictionary-compressed outright: DuckDB then skips trying FSST on them,
-- which was a tenth of a load's CPU time. Event ids and resources, mostly
-- distinct, are left to DuckDB's choice.
CREATE TABLE IF NOT EXISTS events (
    provider       VARCHAR NOT NULL USING COMPRESSION dictionary,
    event_id       VARCHAR NOT NULL,
    time           TIMESTAMP NOT NULL,
    principal      VARCHAR NOT NULL USING COMPRESSION dictionary,
    principal_kind VARCHAR NOT NULL USING COMPRESSION dictionary,
    session        VARCHAR NOT NULL USING COMPRESSION dictionary,
    action         VARCHAR NOT NULL USING COMPRESSION dictionary,  -- '' when unmapped
    resource       VARCHAR NOT NULL,  -- '' when none recorded
    scope          VARCHAR NOT NULL USING COMPRESSION dictionary,
    region         VARCHAR NOT NULL USING COMPRESSION dictionary,
    outcome        VARCHAR NOT NULL USING COMPRESSION dictionary,  -- allowed | denied | error
    error_code     VARCHAR NOT NULL USING COMPRESSION dictionary,
    via            VARCHAR NOT NULL USING COMPRESSION dictionary,
    grant_ref      VARCHAR NOT NULL USING COMPRESSION dictionary,  -- what authorized the call (Azure role assignment id), '' when unknown
    inferred       BOOLEAN NOT NULL,
    service        VARCHAR NOT NULL USING COMPRESSION dictionary,
    operation      VARCHAR NOT NULL USING COMPRESSION dictionary,
    unmapped       VARCHAR NOT NULL USING COMPRESSION dictionary,
    source_id      BIGINT NOT NULL,
    record_index   INTEGER NOT NULL,
    weight         BIGINT NOT NULL    -- occurrences this row stands for: 1, or a rollup's count
);

-- What is granted today (filled by later readers).
CREATE TABLE IF NOT EXISTS grants (
    provider  VARCHAR NOT NULL,
    principal VARCHAR NOT NULL,
    effect    VARCHAR NOT NULL,   -- allow | not (Azure NotActions) | deny
    action    VARCHAR NOT NULL,   -- pattern as the provider writes it
    data      BOOLEAN NOT NULL,   -- an Azure data action
    resource  VARCHAR NOT NULL,
    scope     VARCHAR NOT NULL,
    origin    VARCHAR NOT NULL,   -- policy / role assignment / binding that grants it
    source_id BIGINT NOT NULL
);

-- Results of earlier report and generate runs.
CREATE TABLE IF NOT EXISTS snapshots (
    id         BIGINT NOT NULL,
    taken_at   TIMESTAMP NOT NULL,
    kind       VARCHAR NOT NULL,
    body       VARCHAR NOT NULL   -- JSON
);

INSERT INTO meta VALUES ('schema_version', '1') ON CONFLICT DO NOTHING;
