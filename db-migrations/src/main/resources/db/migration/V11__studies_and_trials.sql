-- Hyperparameter search (io.engram.core.tuning): a study per retraining run, its trials with their
-- parameters, state and value. The search is asked for trials and told their results by Temporal
-- activities, which may be retried: every write below is keyed so a retry finds what it wrote.

CREATE TABLE studies (
    id                   bigserial PRIMARY KEY,
    collection           text NOT NULL REFERENCES collections (name),
    -- The workflow that runs the search: a retried "create study" finds its study by this key.
    workflow_id          text NOT NULL UNIQUE,
    direction            text NOT NULL CHECK (direction IN ('minimize', 'maximize')),
    -- The search space (SearchSpace as JSON): the parameters, their kinds and bounds, in order.
    space                jsonb NOT NULL,
    -- How new parameters are chosen: "tpe" or "random", its options, and the seed that, with a
    -- trial's number, makes its sample reproducible.
    sampler              text NOT NULL CHECK (sampler IN ('tpe', 'random')),
    sampler_options      jsonb NOT NULL DEFAULT '{}',
    seed                 bigint NOT NULL,
    -- The median pruner's settings; null: trials are never pruned.
    pruner               jsonb,
    -- Parameter sets tried first, in order: trial n takes the n-th (pinned or warm-started ones).
    enqueued             jsonb NOT NULL DEFAULT '[]',
    -- The collection's earlier study whose best trials were enqueued, if any.
    warm_start_study_id  bigint REFERENCES studies (id),
    state                text NOT NULL DEFAULT 'running'
                         CHECK (state IN ('running', 'complete', 'failed')),
    -- Why the search stopped (n_trials, patience, time_budget) or failed.
    stop_reason          text,
    -- The number of the best complete trial so far, kept current by every finished trial.
    best_trial           int CHECK (best_trial >= 0),
    created_at           timestamptz NOT NULL DEFAULT now(),
    finished_at          timestamptz
);
-- Warm start looks up a collection's latest study.
CREATE INDEX studies_collection ON studies (collection, id);

CREATE TABLE trials (
    study_id       bigint NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    -- Chosen by the caller (the workflow counts them): asking for a number twice returns one trial.
    number         int    NOT NULL CHECK (number >= 0),
    -- Parameter name -> value (a JSON number or string), as the sampler chose them.
    params         jsonb  NOT NULL,
    state          text   NOT NULL DEFAULT 'running'
                   CHECK (state IN ('running', 'complete', 'pruned', 'failed')),
    -- The objective; set exactly when the trial completed.
    value          double precision CHECK ((state = 'complete') = (value IS NOT NULL)),
    -- Values reported on partial evaluation, by step: {"0": 0.61, "1": 0.64}.
    intermediate   jsonb  NOT NULL DEFAULT '{}',
    -- What the trial cost (index builds, evaluation), in seconds of wall time.
    cost_seconds   double precision CHECK (cost_seconds >= 0),
    -- Why a failed trial failed.
    error          text,
    started_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    PRIMARY KEY (study_id, number)
);
