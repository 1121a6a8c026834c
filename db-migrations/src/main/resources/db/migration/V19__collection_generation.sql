-- A collection's generation moves on with every change to what its searches can find: a batch of
-- an ingestion stored documents, a run tombstoned what its source no longer has, a document was
-- removed. The API's response cache keys answers by it, so every replica stops serving an answer
-- the moment the collection changes under it, instead of after the cache's TTL.
ALTER TABLE collections ADD COLUMN generation bigint NOT NULL DEFAULT 0;
