-- Engram's first schema: collections of documents, index versions (embedding model + chunking),
-- chunks with a dense vector and a full-text vector, and the embedding cache.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE collections (
    name        text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
    created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO collections (name) VALUES ('default');

-- An index version is one way of turning documents into vectors. Several coexist: the champion
-- serves queries, candidates are built beside it by retraining and canary rollout.
CREATE TABLE index_versions (
    id               serial PRIMARY KEY,
    name             text NOT NULL UNIQUE,
    embedding_model  text NOT NULL,
    dimension        int  NOT NULL CHECK (dimension BETWEEN 1 AND 2000),
    chunk_size       int  NOT NULL CHECK (chunk_size > 0),
    chunk_overlap    int  NOT NULL CHECK (chunk_overlap >= 0 AND chunk_overlap < chunk_size),
    stage            text NOT NULL DEFAULT 'candidate'
                     CHECK (stage IN ('champion', 'candidate', 'archived')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (embedding_model, chunk_size, chunk_overlap)
);
-- At most one champion at a time.
CREATE UNIQUE INDEX index_versions_single_champion ON index_versions (stage) WHERE stage = 'champion';

-- One row per source document. origin is the directory or corpus file it was ingested from, so a
-- re-ingest of that origin can tombstone documents that disappeared from it.
CREATE TABLE documents (
    id            bigserial PRIMARY KEY,
    collection    text NOT NULL REFERENCES collections (name),
    source_uri    text NOT NULL,
    origin        text NOT NULL,
    external_id   text,
    title         text,
    mime          text,
    content_hash  text,
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'failed', 'tombstoned')),
    error         text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (collection, source_uri)
);
CREATE INDEX documents_origin ON documents (collection, origin);
CREATE INDEX documents_external_id ON documents (collection, external_id) WHERE external_id IS NOT NULL;

-- The vector column has no fixed dimension because index versions may use different models; each
-- index version gets its own partial HNSW index over embedding::vector(dimension), created by the
-- application when the version is registered (see PgVectorChunkStore).
CREATE TABLE chunks (
    id                bigserial PRIMARY KEY,
    document_id       bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    index_version_id  int    NOT NULL REFERENCES index_versions (id),
    ordinal           int    NOT NULL,
    text              text   NOT NULL,
    tsv               tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    embedding         vector NOT NULL,
    metadata          jsonb  NOT NULL DEFAULT '{}'::jsonb,
    -- Guarantees a retried or resumed ingestion can never store a chunk twice.
    UNIQUE (document_id, index_version_id, ordinal)
);
CREATE INDEX chunks_tsv ON chunks USING gin (tsv);
CREATE INDEX chunks_index_version ON chunks (index_version_id);

-- Which content (by hash) of a document is indexed in which index version: the skip check for
-- unchanged documents, per index version.
CREATE TABLE document_indexes (
    document_id       bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    index_version_id  int    NOT NULL REFERENCES index_versions (id),
    content_hash      text   NOT NULL,
    chunk_count       int    NOT NULL,
    indexed_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (document_id, index_version_id)
);

-- Same text is never embedded twice for the same model.
CREATE TABLE embedding_cache (
    model         text   NOT NULL,
    content_hash  text   NOT NULL,
    embedding     vector NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model, content_hash)
);
