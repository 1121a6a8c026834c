package io.engram.workflows.collection;

import java.util.Map;

/**
 * A deletion's progress.
 *
 * @param stage {@code marking}, {@code deleting} (rows of {@code kind}), {@code removing} (the
 *     collection's own row), {@code done}
 * @param kind the kind (table) being deleted; null outside {@code deleting}
 * @param deleted rows deleted so far by kind, for the kinds finished
 */
public record CollectionDeletionProgress(String stage, String kind, Map<String, Long> deleted) {
  public static final String MARKING = "marking";
  public static final String DELETING = "deleting";
  public static final String REMOVING = "removing";
  public static final String DONE = "done";

  public CollectionDeletionProgress {
    deleted =
        deleted == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(deleted));
  }
}
