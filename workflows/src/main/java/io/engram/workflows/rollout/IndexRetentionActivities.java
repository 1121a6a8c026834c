package io.engram.workflows.rollout;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

@ActivityInterface(namePrefix = "IndexRetention")
public interface IndexRetentionActivities {

  /**
   * Drops every losing index whose retention passed before {@code nowMillis} (workflow time),
   * heartbeating while it works. Idempotent: a retry finishes an index it had begun (its versions
   * archived, its chunks deleted) and drops nothing more.
   */
  @ActivityMethod
  List<DroppedIndex> dropExpired(long nowMillis);
}
