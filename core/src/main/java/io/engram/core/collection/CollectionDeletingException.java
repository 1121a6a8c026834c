package io.engram.core.collection;

import io.engram.core.tenant.Tenant;

/**
 * A request would write to a collection that is being deleted (ingest into it, open a session in
 * it): refused, so nothing recreates a collection half way through its deletion.
 */
public final class CollectionDeletingException extends RuntimeException {
  private final String key;

  public CollectionDeletingException(String key) {
    super(
        "collection '"
            + Tenant.nameOf(key)
            + "' is being deleted; wait until its deletion is done, then use it again");
    this.key = key;
  }

  /** The collection's key. */
  public String key() {
    return key;
  }
}
