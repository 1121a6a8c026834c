-- A collection being deleted (DELETE /v1/collections/{name}; CollectionDeletionWorkflow) is marked
-- with when its deletion began, and its generation moved on in the same statement: from then on it
-- is not listed, no query, session, evaluation or ingestion finds it (and none recreates it), and no
-- API replica serves an answer cached from it. Its rows go in batches, table by table; the row here
-- goes last.
ALTER TABLE collections ADD COLUMN deleting_since timestamptz;

-- A collection created again under a deleted one's name must not meet answers cached from the old
-- one under the same generation: a new collection's generation starts at its creation time in
-- milliseconds, past any the old one reached (it moves one step per stored document, far fewer than
-- one a millisecond). Existing collections keep theirs.
ALTER TABLE collections
    ALTER COLUMN generation SET DEFAULT (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
