-- A collection being deleted (DELETE /v1/collections/{name}; CollectionDeletionWorkflow) is marked
-- with when its deletion began, and its generation moved on in the same statement: from then on it
-- is not listed, no query, session, evaluation or ingestion finds it (and none recreates it), and no
-- API replica serves an answer cached from it. Its rows go in batches, table by table; the row here
-- goes last.
ALTER TABLE collections ADD COLUMN deleting_since timestamptz;
