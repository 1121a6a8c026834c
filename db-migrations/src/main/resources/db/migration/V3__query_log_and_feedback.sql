-- Every answered query, for evaluation on live traffic, drift detection and retraining.
CREATE TABLE query_log (
    id             uuid PRIMARY KEY,
    collection     text NOT NULL,
    session_id     text,
    query          text NOT NULL,
    model_version  text NOT NULL,
    answer_mode    text NOT NULL,
    latency_ms     double precision NOT NULL,
    -- Chunk ids and document sources in rank order, as returned.
    top_chunk_ids  bigint[] NOT NULL,
    top_sources    text[] NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX query_log_created ON query_log (created_at);

CREATE TABLE feedback (
    id          bigserial PRIMARY KEY,
    query_id    uuid NOT NULL REFERENCES query_log (id) ON DELETE CASCADE,
    rating      smallint NOT NULL CHECK (rating BETWEEN -1 AND 1),
    -- Optional: which returned source the feedback is about.
    source      text,
    comment     text CHECK (length(comment) <= 4000),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feedback_query ON feedback (query_id);
