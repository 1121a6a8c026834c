-- A collection's deletion (CollectionDeletion) deletes its rows a batch at a time by collection;
-- without these indexes each batch, and the last, empty one, read the whole table, so a deletion
-- on a large installation could outlast its activities' heartbeat timeouts. Each costs the rows'
-- writers one index entry.
CREATE INDEX query_log_collection ON query_log (collection);
CREATE INDEX sessions_collection ON sessions (collection);
CREATE INDEX episodic_facts_collection ON episodic_facts (collection);
CREATE INDEX ingestion_runs_collection ON ingestion_runs (collection);
CREATE INDEX ingestion_manifests_collection ON ingestion_manifests (collection);
CREATE INDEX eval_runs_collection ON eval_runs (collection);
CREATE INDEX fact_citations_fact ON fact_citations (tier, fact_id);
