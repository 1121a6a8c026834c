-- The model registry. A model version is one collection's whole retrieval model as a bundle: the
-- index version it searches (embedding model and chunking), how it searches it, its reranker with
-- the reranker's weights as a stored artifact, the answer model; with its metrics per eval set,
-- lineage and gate verdicts. Versions are numbered per collection and never change once
-- registered (only their status and tags do).
CREATE TABLE model_versions (
    id                bigserial PRIMARY KEY,
    collection        text NOT NULL REFERENCES collections (name),
    version           int  NOT NULL CHECK (version > 0),
    index_version_id  int  NOT NULL REFERENCES index_versions (id),
    -- The bundle: {"retrieval": {...}, "reranker": {...}, "answerModel": ...}.
    config            jsonb NOT NULL,
    -- [{"name", "sha256", "size"}]: blobs (the blobs table) the bundle needs, e.g. reranker weights.
    artifacts         jsonb NOT NULL DEFAULT '[]',
    -- {"<eval set>": {"ndcgAt10", "mrrAt10", "recallAt10", "recallAt100", "p95Ms", "evalRunId"}}.
    metrics           jsonb NOT NULL DEFAULT '{}',
    -- {"fingerprint", "corpusHash", "qrelsHash", "parentVersion", "studyId", "codeCommit"}.
    lineage           jsonb NOT NULL DEFAULT '{}',
    -- [{"name", "passed", "reason"}]; null when the version was not gated (e.g. migrated).
    gates             jsonb,
    status            text NOT NULL DEFAULT 'registered'
                      CHECK (status IN ('registered', 'rejected', 'archived')),
    tags              jsonb NOT NULL DEFAULT '{}',
    created_by        text NOT NULL,
    reason            text NOT NULL,
    -- What registered it, once: a retraining's workflow run, or 'migration' for version 1; a
    -- retried registration finds its version instead of adding another.
    origin            text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (collection, version),
    UNIQUE (collection, origin)
);

-- Aliases instead of fixed stages: champion serves, staging passed the gates, previous is the
-- instant rollback target. An alias points at one version of its collection.
CREATE TABLE model_aliases (
    collection  text NOT NULL REFERENCES collections (name),
    alias       text NOT NULL CHECK (alias IN ('champion', 'staging', 'previous')),
    version_id  bigint NOT NULL REFERENCES model_versions (id),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection, alias)
);

-- Every alias move, for the audit: from which version to which, who, why, and which workflow.
CREATE TABLE model_alias_events (
    id            bigserial PRIMARY KEY,
    collection    text NOT NULL,
    alias         text NOT NULL,
    from_version  int,
    to_version    int,
    actor         text NOT NULL,
    reason        text NOT NULL,
    workflow_id   text,
    at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX model_alias_events_collection ON model_alias_events (collection, at DESC);

-- An evaluation of a registered version records which one, so every batch of it rebuilds the same
-- bundle (reranker weights included), not whatever the process is configured with.
ALTER TABLE eval_runs ADD COLUMN model_version_id bigint REFERENCES model_versions (id);
