-- Records a source listed twice under one source URI (two lines of a JSONL corpus with the same
-- _id; a file named twice in an upload): only the first is ingested, and the run reports the others
-- as failed with why, instead of leaving them out without a word. Recorded with the run, so a
-- retried discovery reports the same.
ALTER TABLE ingestion_runs ADD COLUMN duplicates text[] NOT NULL DEFAULT '{}';
