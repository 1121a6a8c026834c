package io.engram.activities.rollout;

import io.engram.core.rollout.IndexRetention;
import io.engram.workflows.rollout.DroppedIndex;
import io.engram.workflows.rollout.IndexRetentionActivities;
import java.time.Instant;
import java.util.List;

/** Thin adapter from the retention sweep's activity to core's {@link IndexRetention}. */
public class IndexRetentionActivitiesImpl implements IndexRetentionActivities {
  private final IndexRetention retention;

  public IndexRetentionActivitiesImpl(IndexRetention retention) {
    this.retention = retention;
  }

  @Override
  public List<DroppedIndex> dropExpired(long nowMillis) {
    return retention.dropExpired(Instant.ofEpochMilli(nowMillis)).stream()
        .map(
            d ->
                new DroppedIndex(
                    d.collection(), d.indexVersionId(), d.chunks(), d.versions(), d.rollout()))
        .toList();
  }
}
