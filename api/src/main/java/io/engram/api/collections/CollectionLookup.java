package io.engram.api.collections;

import io.engram.api.auth.Caller;
import io.engram.api.problems.CleanText;
import io.engram.api.problems.Problems;
import io.engram.api.temporal.WorkflowRun;
import io.engram.core.CoreServices;
import io.engram.core.collection.CollectionRegistry;
import io.engram.workflows.common.EngramSearchAttributes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

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
      throw Problems.notFound(
          "collection",
          collections.state(key) == CollectionRegistry.State.DELETING
              ? "collection '" + name + "' is being deleted"
              : "no collection '" + name + "'; ingest into it first");
    }
    return key;
  }

  /**
   * How much earlier than its collection's creation a run of it may seem to start: Temporal's clock
   * and PostgreSQL's may differ, and a run is started right after its collection is created.
   */
  static final Duration CLOCK_SLACK = Duration.ofMinutes(5);

  /**
   * {@code run}, a workflow of one of the caller's collections, unless that collection has been
   * deleted since: gone, being deleted, or created again after the run began. Then it is a 404 like
   * an unknown id's: the run speaks of data that no longer exists, and not of the collection now
   * under that name.
   */
  public WorkflowRun ofCurrentCollection(
      WorkflowRun run, WorkflowRun.Kind kind, String workflowId) {
    Optional<Instant> created =
        run.searchAttribute(EngramSearchAttributes.COLLECTION)
            .flatMap(collections::inUse)
            .map(CollectionRegistry.InUse::createdAt);
    if (created.isEmpty() || run.startedAt().isBefore(created.get().minus(CLOCK_SLACK))) {
      throw WorkflowRun.notFound(kind, workflowId, "its collection was deleted");
    }
    return run;
  }
}
