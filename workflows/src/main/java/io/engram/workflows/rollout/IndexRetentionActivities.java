package io.engram.workflows.rollout;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

@ActivityInterface(namePrefix = "IndexRetention")
public interface IndexRetentionActivities {

  /**
   * Drops every losing index whose retention passed before {@code nowMillis} (workflow time).
   * Idempotent: a retry finds the dropped indexes empty and drops nothing more.
   */
  @ActivityMethod
  List<DroppedIndex> dropExpired(long nowMillis);
}
