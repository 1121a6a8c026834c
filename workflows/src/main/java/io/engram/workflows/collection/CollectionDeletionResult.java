package io.engram.workflows.collection;

import java.util.Map;

/**
 * A finished deletion.
 *
 * @param collection the collection's key
 * @param deleted rows deleted by kind (table name), in the order they were deleted
 * @param removed whether this run removed the collection (false when there was nothing to delete:
 *     no such collection, or deleted already)
 */
public record CollectionDeletionResult(
    String collection, Map<String, Long> deleted, boolean removed) {

  public CollectionDeletionResult {
    deleted =
        deleted == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(deleted));
  }
}
