-- Progressive delivery of a model version (docs/rollout.md): a RolloutWorkflow moves a staged
-- candidate through shadow traffic and canary steps with an interleaved A/B comparison, then
-- promotes it, rolls it back or keeps the champion. Routing is decided per request from these rows,
-- so every API replica routes alike and a restart changes nothing.

CREATE TABLE rollouts (
    id                    bigserial PRIMARY KEY,
    -- The workflow that runs it (rollout-<collection>-v<N>) and its run: a rollout of the same
    -- candidate started again later is a new row.
    workflow_id           text NOT NULL,
    run_id                text NOT NULL UNIQUE,
    collection            text NOT NULL REFERENCES collections (name),
    champion_version_id   bigint NOT NULL REFERENCES model_versions (id),
    candidate_version_id  bigint NOT NULL REFERENCES model_versions (id),
    -- Who started it: 'manual' (API, CLI) or 'staged' (a retraining staged the candidate).
    trigger               text NOT NULL CHECK (trigger IN ('manual', 'staged')),
    actor                 text NOT NULL,
    reason                text,
    -- The effective plan: shares, steps, bake times, minimum traffic, thresholds, budgets.
    plan                  jsonb NOT NULL,
    -- Routing state. phase: shadow (mirrored, off the request path), canary (a share of sessions
    -- served by the candidate, another share interleaved), awaiting_approval (as the last canary
    -- step), decided (everything on the champion alias).
    phase                 text NOT NULL
        CHECK (phase IN ('shadow', 'canary', 'awaiting_approval', 'decided')),
    -- The canary step, from 1; 0 outside the canary.
    step                  int NOT NULL DEFAULT 0 CHECK (step >= 0),
    shadow_share          double precision NOT NULL DEFAULT 0 CHECK (shadow_share BETWEEN 0 AND 1),
    candidate_share       double precision NOT NULL DEFAULT 0
        CHECK (candidate_share BETWEEN 0 AND 1),
    interleave_share      double precision NOT NULL DEFAULT 0
        CHECK (interleave_share BETWEEN 0 AND 1 AND candidate_share + interleave_share <= 1),
    -- A paused rollout keeps its routing but neither advances nor decides.
    paused                boolean NOT NULL DEFAULT false,
    phase_started_at      timestamptz NOT NULL DEFAULT now(),
    status                text NOT NULL DEFAULT 'running'
        CHECK (status IN ('running', 'promoted', 'rolled_back', 'kept', 'undone')),
    decision_reason       text,
    -- The figures of the latest check (per arm, the sequential test), for status readers.
    last_check            jsonb,
    -- Until when the version that lost the champion alias keeps its index (undo stays instant).
    retain_until          timestamptz,
    started_at            timestamptz NOT NULL DEFAULT now(),
    ended_at              timestamptz
);
-- One running rollout per collection: routing reads it by collection.
CREATE UNIQUE INDEX rollouts_running ON rollouts (collection) WHERE status = 'running';
CREATE INDEX rollouts_workflow ON rollouts (workflow_id, started_at DESC);
CREATE INDEX rollouts_collection ON rollouts (collection, started_at DESC);

-- The rollout's audit: every phase change, signal, failed check, decision and undo.
CREATE TABLE rollout_events (
    id          bigserial PRIMARY KEY,
    rollout_id  bigint NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('phase', 'signal', 'check', 'decision', 'undo')),
    phase       text NOT NULL,
    detail      text NOT NULL,
    actor       text NOT NULL,
    figures     jsonb,
    -- Makes a retried activity record its event once: the workflow run and the activity's id.
    event_key   text UNIQUE,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rollout_events_rollout ON rollout_events (rollout_id, at, id);

-- Sticky routing: the arm a conversation was given the first time it asked during the canary, so
-- it never flips between versions while the shares grow.
CREATE TABLE rollout_assignments (
    rollout_id   bigint NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
    session_id   uuid NOT NULL,
    arm          text NOT NULL CHECK (arm IN ('champion', 'candidate', 'interleaved')),
    assigned_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (rollout_id, session_id)
);

-- What each routed query showed, written off the request path: the served arms' latency, errors
-- and empty results; a shadow comparison's overlap and both latencies.
CREATE TABLE rollout_observations (
    id           bigserial PRIMARY KEY,
    rollout_id   bigint NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
    arm          text NOT NULL CHECK (arm IN ('champion', 'candidate', 'interleaved', 'shadow')),
    query_id     uuid,
    -- The arm's latency; for shadow the candidate's.
    latency_ms   double precision,
    -- Shadow only: the champion's latency on the same query, measured beside the candidate's.
    baseline_ms  double precision,
    error        boolean NOT NULL DEFAULT false,
    -- No document came back.
    empty        boolean NOT NULL DEFAULT false,
    -- Shadow only: shared documents of the two top-10s, over 10 (or the longer list).
    overlap      double precision CHECK (overlap BETWEEN 0 AND 1),
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rollout_observations_window ON rollout_observations (rollout_id, arm, at);

-- The query log records the rollout and arm a query was served by; an interleaved query also
-- records which arm contributed each returned source (aligned with top_sources), so a click on a
-- source is credited to the arm that ranked it.
ALTER TABLE query_log
    ADD COLUMN rollout_id  bigint,
    ADD COLUMN arm         text CHECK (arm IN ('champion', 'candidate', 'interleaved', 'fallback')),
    ADD COLUMN teams       text[];
CREATE INDEX query_log_rollout ON query_log (rollout_id, arm) WHERE rollout_id IS NOT NULL;

-- A rollout belongs to its collection's tenant (V14), derived from the collection's key like the
-- other tables that callers name rows of. (Written as V13 on its branch, renumbered after V14
-- landed first; V14's conditional "rollouts seam" therefore finds no table and does nothing.)
ALTER TABLE rollouts
    ADD COLUMN tenant text GENERATED ALWAYS AS (engram_tenant(collection)) STORED;
CREATE INDEX rollouts_tenant ON rollouts (tenant, started_at DESC);
