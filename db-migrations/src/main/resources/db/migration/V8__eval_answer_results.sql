-- The advisory answer-level tier of an evaluation run (`./engram eval DIR --answers N`): for a
-- deterministic sample of the run's queries the worker generates an answer with the LLM from the
-- passages the query path would give it, and scores it without a judge LLM (see AnswerMetrics).
-- Kept apart from the retrieval metrics: they are heuristics, reported, never a gate.

-- The run's advisory figures; all null when no answers were requested.
ALTER TABLE eval_runs
    -- The model that wrote the answers, e.g. "openai:gemma-3-270m".
    ADD COLUMN answer_model          text,
    -- Queries sampled for answers (min(N, query_count)).
    ADD COLUMN answer_sample         int CHECK (answer_sample >= 0),
    -- Of those, answered by the LLM, and fallen back (LLM unavailable, timed out, empty): the
    -- latter are counted, not scored.
    ADD COLUMN answers_generated     int CHECK (answers_generated >= 0),
    ADD COLUMN answers_fallback      int CHECK (answers_fallback >= 0),
    -- Means over the generated answers (faithfulness: over those that make at least one claim).
    ADD COLUMN answer_faithfulness   double precision,
    ADD COLUMN answer_relevancy      double precision,
    -- Mean over every sampled query: it depends on the passages, not on the answer.
    ADD COLUMN answer_context_recall double precision,
    -- Median generation time of the generated answers.
    ADD COLUMN answer_p50_ms         double precision;

-- One row per sampled query, written as pending when the sample is drawn; an answer batch fills it
-- in. The key makes a retried batch overwrite, never duplicate, a query's answer.
CREATE TABLE eval_answer_results (
    eval_run_id      bigint NOT NULL,
    query_id         text   NOT NULL,
    -- Position in the sample; answer batches are ranges of it.
    slot             int    NOT NULL CHECK (slot >= 0),
    status           text   NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
    -- 'llm' when the LLM answered, 'fallback' when it could not (see error).
    answer_mode      text   CHECK (answer_mode IN ('llm', 'fallback')),
    answer           text,
    -- Source numbers the answer cites (1-based positions in the context).
    citations        int[],
    -- The documents of the passages given to the generator, in order.
    context_ids      text[],
    claims           int    CHECK (claims >= 0),
    supported_claims int    CHECK (supported_claims >= 0),
    -- Null when the answer makes no claim, or fell back.
    faithfulness     double precision CHECK (faithfulness BETWEEN 0 AND 1),
    answer_relevancy double precision CHECK (answer_relevancy BETWEEN 0 AND 1),
    context_recall   double precision CHECK (context_recall BETWEEN 0 AND 1),
    -- Generation time of this answer (the LLM call, retries included).
    latency_ms       double precision,
    error            text,
    PRIMARY KEY (eval_run_id, query_id),
    UNIQUE (eval_run_id, slot),
    FOREIGN KEY (eval_run_id, query_id)
        REFERENCES eval_query_results (eval_run_id, query_id) ON DELETE CASCADE
);
