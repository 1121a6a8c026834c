-- An ingestion run's validation marks an item it stored, whose index then lacked some of the
-- item's chunks, 'incomplete': failed as far as the run's counts go, while its content hash and
-- locator stay a true record of where the document was last read, which a rebuild reads again.
ALTER TABLE ingestion_items DROP CONSTRAINT ingestion_items_status_check;
ALTER TABLE ingestion_items ADD CONSTRAINT ingestion_items_status_check
    CHECK (status IN ('pending', 'done', 'failed', 'incomplete'));
