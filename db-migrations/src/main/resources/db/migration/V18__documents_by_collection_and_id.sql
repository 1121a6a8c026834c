-- A collection's documents are listed page by page in id order (GET /v1/collections/{name}/
-- documents), all of them or those of one status, and counted by status per collection. Without
-- these, each page read and sorted every document of the collection.
CREATE INDEX documents_collection_id ON documents (collection, id);
CREATE INDEX documents_collection_status_id ON documents (collection, status, id);
