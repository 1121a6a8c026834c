package io.engram.activities.collection;

import io.engram.core.collection.CollectionDeletion;
import io.engram.core.collection.CollectionRegistry;
import io.engram.workflows.collection.CollectionDeletionActivities;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.util.List;

/** Thin adapter from the deletion's activities to core's {@link CollectionDeletion}. */
public class CollectionDeletionActivitiesImpl implements CollectionDeletionActivities {
  private final CollectionDeletion deletion;

  public CollectionDeletionActivitiesImpl(CollectionDeletion deletion) {
    this.deletion = deletion;
  }

  @Override
  public List<String> begin(String collection) {
    return deletion.begin(collection) == CollectionRegistry.State.ABSENT
        ? List.of()
        : CollectionDeletion.kinds();
  }

  @Override
  public long purge(String collection, String kind) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    // What the attempts before this one deleted, as their last heartbeat said.
    long before = ctx.getHeartbeatDetails(Long.class).orElse(0L);
    // At once: the first batch may take a while on a large table.
    ctx.heartbeat(before);
    long now = deletion.purge(collection, kind, n -> ctx.heartbeat(before + n));
    return before + now;
  }

  @Override
  public boolean finish(String collection) {
    return deletion.finish(collection);
  }
}
