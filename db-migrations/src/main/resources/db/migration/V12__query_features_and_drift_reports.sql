-- Drift detection (docs/drift.md): what each live query looked like to the model version that
-- answered it, and the reports that compare a collection's recent queries with its champion's
-- reference queries.

-- The drift features of a live query, computed by the query path off the request path. All null on
-- rows logged before this migration and on turns that retrieved nothing (small talk, memory
-- statements); the drift windows read only rows that have them.
ALTER TABLE query_log
    -- Words of the query (runs of letters and digits), stopwords included.
    ADD COLUMN query_terms         int CHECK (query_terms >= 0),
    -- Share of the query's lexemes (stopwords dropped, stemmed as PostgreSQL's 'english'
    -- configuration does) that no chunk of the answering index version contains; 0 without any.
    ADD COLUMN unknown_term_share  double precision CHECK (unknown_term_share BETWEEN 0 AND 1),
    -- The best cosine similarity among the returned chunks (dense leg, raw).
    ADD COLUMN top_dense_score     double precision,
    -- The best fused score among the returned chunks, before any reranker (recomputed from the
    -- legs' normalized scores and the version's dense weight when a reranker replaced it).
    ADD COLUMN top_fused_score     double precision,
    -- The returned scores' spread: the first minus the fifth (or the last, when fewer came back).
    ADD COLUMN score_spread        double precision;

-- The two windows are the first and the last N featured queries of a collection answered by one
-- model version.
CREATE INDEX query_log_drift_window ON query_log (collection, model_version, created_at)
    WHERE query_terms IS NOT NULL;

CREATE TABLE drift_reports (
    id                bigserial PRIMARY KEY,
    collection        text NOT NULL,
    -- The serving model version whose reference the recent queries were compared with.
    model_version     text NOT NULL,
    -- Where the reference came from, e.g. 'first-served' (the first N live queries the version
    -- answered); the model registry adds its own.
    reference_source  text NOT NULL,
    reference_size    int  NOT NULL CHECK (reference_size >= 0),
    recent_size       int  NOT NULL CHECK (recent_size >= 0),
    -- true: drift; false: no drift; null: insufficient data (never drift).
    drift             boolean,
    -- drift, moderate (some feature between the stable and the drift PSI), stable, insufficient_data
    status            text NOT NULL
        CHECK (status IN ('drift', 'moderate', 'stable', 'insufficient_data')),
    -- Per feature: psi, ksStatistic, pValue, referenceMean, recentMean, status.
    features          jsonb NOT NULL,
    -- Who asked: 'schedule' (DriftWorkflow), 'api' (POST /v1/drift/checks).
    trigger           text NOT NULL,
    -- Makes a retried check of a workflow store one report: its workflow, run and collection.
    check_key         text UNIQUE,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX drift_reports_collection ON drift_reports (collection, created_at DESC);
