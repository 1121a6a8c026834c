-- A rollout whose candidate was made champion by hand while it ran ends 'superseded': it decided
-- nothing itself, and 'rolled_back' said the opposite of what happened (the candidate serves).
ALTER TABLE rollouts DROP CONSTRAINT rollouts_status_check;
ALTER TABLE rollouts ADD CONSTRAINT rollouts_status_check
    CHECK (status IN ('running', 'promoted', 'rolled_back', 'kept', 'undone', 'superseded'));
