-- Chunks carry their document's collection so both retrieval legs can filter and rank on chunks
-- alone and join documents only for the rows they return. Before this, the full-text leg hashed
-- every document of the collection before ranking, and the dense leg's iterative HNSW scan joined a
-- document for every candidate it filtered.
--
-- A document never changes collection (documents are unique per (collection, source_uri)), so the
-- copy cannot go stale; the trigger fills it on insert whatever the writer, so no code path can
-- forget it.
ALTER TABLE chunks ADD COLUMN collection text;

UPDATE chunks c SET collection = d.collection FROM documents d WHERE d.id = c.document_id;

ALTER TABLE chunks ALTER COLUMN collection SET NOT NULL;

CREATE FUNCTION chunks_set_collection() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT d.collection INTO NEW.collection FROM documents d WHERE d.id = NEW.document_id;
    RETURN NEW;
END
$$;

CREATE TRIGGER chunks_collection BEFORE INSERT ON chunks
    FOR EACH ROW EXECUTE FUNCTION chunks_set_collection();
