package io.engram.api.collections;

import io.engram.api.auth.Caller;
import io.engram.api.problems.CleanText;
import io.engram.api.problems.Problems;
import io.engram.core.CoreServices;
import io.engram.core.collection.CollectionRegistry;
import jakarta.inject.Singleton;

/**
 * A collection a request names, looked up the same way by every endpoint that needs one to exist
 * already: the name becomes the caller's tenant's collection key ({@link Caller#collection}), and a
 * collection the tenant does not have is a 404 that says how to get one.
 */
@Singleton
public class CollectionLookup {
  private final CollectionRegistry collections;

  CollectionLookup(CoreServices core) {
    this.collections = core.collections();
  }

  /**
   * The key of the caller's existing collection {@code name}: 400 naming {@code field} (a JSON
   * pointer, or a path or query parameter's name) for text PostgreSQL cannot take or an invalid
   * collection name, 404 when the caller's tenant has no such collection.
   */
  public String existing(Caller caller, String field, String name) {
    CleanText.require(field, name);
    String key = caller.collection(field, name);
    if (!collections.exists(key)) {
      throw Problems.notFound("collection", "no collection '" + name + "'; ingest into it first");
    }
    return key;
  }
}
