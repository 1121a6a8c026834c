-- Evaluation runs: one row per EvaluationWorkflow, the metrics of a BEIR-format query set against one
-- model version, so quality can be compared across versions and a champion never regresses unseen.
CREATE TABLE eval_runs (
    id                 bigserial PRIMARY KEY,
    -- The prepare activity is idempotent by workflow id: a retry finds the row it wrote.
    workflow_id        text NOT NULL UNIQUE,
    dataset            text NOT NULL,
    split              text NOT NULL,
    -- Which part of the split (see QuerySplit): everything, the fitting part or the held-out part.
    part               text NOT NULL CHECK (part IN ('all', 'fit', 'held-out')),
    collection         text NOT NULL REFERENCES collections (name),
    -- The index version searched, plus the reranker once the run reports it ("version+reranker").
    model_version      text NOT NULL,
    index_version_id   int  NOT NULL REFERENCES index_versions (id),
    -- The retrieval settings the run used (mode, fusion weight, candidates, ...), for comparisons.
    retrieval_options  jsonb NOT NULL,
    status             text NOT NULL DEFAULT 'running'
                       CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
    query_count        int  NOT NULL CHECK (query_count > 0),
    ndcg_at_10         double precision,
    mrr_at_10          double precision,
    recall_at_10       double precision,
    recall_at_100      double precision,
    p50_ms             double precision,
    p95_ms             double precision,
    started_at         timestamptz NOT NULL DEFAULT now(),
    finished_at        timestamptz,
    error              text
);
CREATE INDEX eval_runs_model_version ON eval_runs (model_version, started_at);

-- One row per query of a run. Written as pending by the prepare activity (with the query text and
-- its judgements, which never enter workflow history); a batch fills in the metrics. The key makes
-- a retried batch overwrite, never duplicate, a query's result.
CREATE TABLE eval_query_results (
    eval_run_id    bigint NOT NULL REFERENCES eval_runs (id) ON DELETE CASCADE,
    query_id       text   NOT NULL,
    -- Position in the run; batches are ranges of it.
    seq            int    NOT NULL,
    query_text     text   NOT NULL,
    -- Relevant document ids with their graded relevance, e.g. {"d1": 1}.
    relevant       jsonb  NOT NULL,
    status         text   NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
    ndcg_at_10     double precision,
    mrr_at_10      double precision,
    recall_at_10   double precision,
    recall_at_100  double precision,
    latency_ms     double precision,
    -- The first ten documents retrieved, in rank order.
    top_ids        text[],
    PRIMARY KEY (eval_run_id, query_id),
    UNIQUE (eval_run_id, seq)
);
