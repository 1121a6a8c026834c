-- Forgetting a user (UserForgetting; DELETE /v1/users/{userId}/memory) finds the user's rows a batch
-- at a time by tenant and user id, and the logged queries of the user's sessions by session; without
-- these indexes each batch, and the last, empty one, read the whole table. The session link of the
-- query log is partial: most logged queries have none. Each costs the rows' writers one index entry.
CREATE INDEX sessions_user ON sessions (tenant, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX semantic_facts_user ON semantic_facts (tenant, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX query_log_session ON query_log (session_id) WHERE session_id IS NOT NULL;
