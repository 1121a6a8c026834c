-- Working memory: conversation sessions and their turns.
CREATE TABLE sessions (
    id              uuid PRIMARY KEY,
    collection      text NOT NULL REFERENCES collections (name),
    user_id         text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_active_at  timestamptz NOT NULL DEFAULT now(),
    closed_at       timestamptz
);

CREATE TABLE turns (
    id                bigserial PRIMARY KEY,
    session_id        uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    role              text NOT NULL CHECK (role IN ('user', 'assistant')),
    text              text NOT NULL,
    -- For user turns: what was classified and what was actually searched.
    intent            text,
    rewritten_query   text,
    -- For assistant turns: the cited sources, in citation order.
    sources           text[] NOT NULL DEFAULT '{}',
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX turns_session ON turns (session_id, id);
