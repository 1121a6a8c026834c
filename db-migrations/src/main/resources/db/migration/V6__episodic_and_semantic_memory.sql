-- The memory lifecycle: facts distilled from conversations (episodic memory), the strong ones
-- promoted to semantic memory, citations buffered for the salience job, and a small event log for
-- stats. Every time-dependent statement takes its "now" from the caller (a workflow's clock), so
-- none of these columns defaults to now() where a workflow writes them.

-- A fact distilled from a session's turns. Facts belong to their user when the session has one
-- (dedup and contradictions span the user's sessions), else to the session alone.
CREATE TABLE episodic_facts (
    id               bigserial PRIMARY KEY,
    session_id       uuid   NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id          text,
    collection       text   NOT NULL,
    subject          text   NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    kind             text   NOT NULL CHECK (kind IN ('who', 'what', 'preference', 'decision')),
    text             text   NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
    normalized_text  text   NOT NULL,
    tsv              tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    -- Untyped like chunks.embedding: the model (and so the dimension) is recorded beside it.
    embedding        vector NOT NULL,
    embedding_model  text   NOT NULL,
    confidence       double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    salience         double precision NOT NULL CHECK (salience BETWEEN 0 AND 1),
    -- When salience was last brought up to date; decay is exponential, so it composes from here.
    salience_at      timestamptz NOT NULL,
    citations        int    NOT NULL DEFAULT 0 CHECK (citations >= 0),
    created_at       timestamptz NOT NULL,
    last_cited_at    timestamptz,
    expires_at       timestamptz NOT NULL,
    -- Validity window: a contradicted fact gets valid_to and a link to the fact that replaced it,
    -- and is kept for audit. No foreign key on superseded_by: the newer fact may since have been
    -- promoted, and is then found by semantic_facts.episodic_fact_id.
    valid_from       timestamptz NOT NULL,
    valid_to         timestamptz,
    superseded_by    bigint,
    -- Lineage: the turns the fact was distilled from (more when a restatement was merged into it).
    source_turn_ids  bigint[] NOT NULL,
    extractor        text   NOT NULL
);
CREATE INDEX episodic_facts_user ON episodic_facts (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX episodic_facts_session ON episodic_facts (session_id);
CREATE INDEX episodic_facts_expires ON episodic_facts (expires_at);
CREATE INDEX episodic_facts_tsv ON episodic_facts USING gin (tsv);
CREATE INDEX episodic_facts_turns ON episodic_facts USING gin (source_turn_ids);
-- No HNSW index here: every episodic search is restricted to one user or session, whose few
-- hundred facts an exact scan ranks faster than an approximate index filtered down to them.

-- Facts promoted from episodic memory: session-specific fields dropped, lineage kept. The unique
-- episodic_fact_id is what makes re-running a promotion batch a no-op.
CREATE TABLE semantic_facts (
    id                bigserial PRIMARY KEY,
    episodic_fact_id  bigint NOT NULL UNIQUE,
    collection        text   NOT NULL,
    -- The fact's owner, kept so a user's promoted preferences stay private; null for facts from
    -- sessions without a user, which are knowledge of the collection.
    user_id           text,
    subject           text   NOT NULL,
    kind              text   NOT NULL CHECK (kind IN ('who', 'what', 'preference', 'decision')),
    text              text   NOT NULL,
    normalized_text   text   NOT NULL,
    tsv               tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    embedding         vector NOT NULL,
    embedding_model   text   NOT NULL,
    confidence        double precision NOT NULL,
    salience          double precision NOT NULL CHECK (salience BETWEEN 0 AND 1),
    citations         int    NOT NULL CHECK (citations >= 0),
    source_turn_ids   bigint[] NOT NULL,
    first_seen_at     timestamptz NOT NULL,
    last_cited_at     timestamptz,
    promoted_at       timestamptz NOT NULL,
    -- The promotion run and batch that moved it, for audit.
    promotion_run     text   NOT NULL,
    valid_to          timestamptz,
    superseded_by     bigint
);
CREATE INDEX semantic_facts_scope ON semantic_facts (collection, user_id);
CREATE INDEX semantic_facts_tsv ON semantic_facts USING gin (tsv);
CREATE INDEX semantic_facts_turns ON semantic_facts USING gin (source_turn_ids);
-- Semantic memory grows with every user and is searched across a collection: an HNSW index for
-- the 384-dimensional models Engram ships (queries repeat the predicate and the cast to use it).
CREATE INDEX semantic_facts_embedding_384 ON semantic_facts
    USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE vector_dims(embedding) = 384;

-- Citations of facts by answers, appended on the query path and folded into the facts' counters
-- and salience in batches by the salience job (and before each promotion).
CREATE TABLE fact_citations (
    id        bigserial PRIMARY KEY,
    tier      text   NOT NULL CHECK (tier IN ('episodic', 'semantic')),
    fact_id   bigint NOT NULL,
    cited_at  timestamptz NOT NULL
);

-- How far each session's turns have been distilled.
CREATE TABLE distillation_state (
    session_id    uuid PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    last_turn_id  bigint NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL
);

-- One row per distilled (or failed) batch of turns: the audit trail, and what a retried batch
-- returns instead of distilling twice.
CREATE TABLE distillation_batches (
    session_id      uuid   NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    to_turn_id      bigint NOT NULL,
    turn_ids        bigint[] NOT NULL,
    status          text   NOT NULL CHECK (status IN ('done', 'failed')),
    extractor       text,
    stored_ids      bigint[] NOT NULL DEFAULT '{}',
    merged_ids      bigint[] NOT NULL DEFAULT '{}',
    superseded_ids  bigint[] NOT NULL DEFAULT '{}',
    error           text,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (session_id, to_turn_id)
);

-- One row per committed promotion batch, written in the batch's transaction: a retried batch
-- finds it and returns the same result.
CREATE TABLE promotion_batches (
    run_id        text   NOT NULL,
    batch_no      int    NOT NULL,
    episodic_ids  bigint[] NOT NULL,
    semantic_ids  bigint[] NOT NULL,
    last_id       bigint NOT NULL,
    more          boolean NOT NULL,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (run_id, batch_no)
);

-- Daily counts of lifecycle events for GET /v1/memory/stats.
CREATE TABLE memory_events (
    day    date   NOT NULL,
    kind   text   NOT NULL CHECK (kind IN ('distilled', 'merged', 'promoted', 'expired', 'superseded', 'sessions_closed')),
    count  bigint NOT NULL,
    PRIMARY KEY (day, kind)
);

-- Session cleanup looks for idle open sessions.
CREATE INDEX sessions_idle ON sessions (last_active_at) WHERE closed_at IS NULL;
