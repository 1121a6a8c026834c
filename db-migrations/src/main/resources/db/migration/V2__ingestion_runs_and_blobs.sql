-- Claim checks: uploaded files are stored once by content hash and referenced by ingestion runs, so
-- the API and the workers need not share a filesystem and workflow history carries only ids.
CREATE TABLE blobs (
    sha256      text   PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes  bigint NOT NULL,
    content     bytea  NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- Uncompressed out-of-line storage lets substring() read one line of a large JSONL corpus without
-- decompressing the whole value.
ALTER TABLE blobs ALTER COLUMN content SET STORAGE EXTERNAL;

-- A manifest lists the files of one upload-based ingestion (client path, blob hash).
CREATE TABLE ingestion_manifests (
    id          uuid PRIMARY KEY,
    collection  text  NOT NULL REFERENCES collections (name),
    origin      text  NOT NULL,
    entries     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per workflow run; its items are the documents that need work (new or changed).
CREATE TABLE ingestion_runs (
    run_id            text PRIMARY KEY,
    workflow_id       text NOT NULL,
    collection        text NOT NULL REFERENCES collections (name),
    origin            text NOT NULL,
    index_version_id  int  NOT NULL REFERENCES index_versions (id),
    total             int  NOT NULL,
    skipped           int  NOT NULL,
    -- Documents of this origin that were gone from the source and had their chunks removed.
    tombstoned        text[] NOT NULL DEFAULT '{}',
    created_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ingestion_items (
    run_id        text NOT NULL REFERENCES ingestion_runs (run_id) ON DELETE CASCADE,
    seq           int  NOT NULL,
    source_uri    text NOT NULL,
    external_id   text,
    title         text,
    content_hash  text NOT NULL,
    -- Where the bytes are: {"kind":"file","path":...} | {"kind":"blob","sha256":...}, with an optional
    -- byte range for one line of a JSONL corpus.
    locator       jsonb NOT NULL,
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    error         text,
    chunk_count   int,
    PRIMARY KEY (run_id, seq)
);
