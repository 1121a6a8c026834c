package io.engram.activities.rollout;

import io.engram.activities.common.HeartbeatTicker;
import io.engram.core.rollout.IndexRetention;
import io.engram.workflows.rollout.DroppedIndex;
import io.engram.workflows.rollout.IndexRetentionActivities;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Thin adapter from the retention sweep's activity to core's {@link IndexRetention}. An index's
 * chunks go in one {@code DELETE}, which may outlast the heartbeat timeout: a {@link
 * HeartbeatTicker} heartbeats meanwhile, so only a dead worker stops heartbeating.
 */
public class IndexRetentionActivitiesImpl implements IndexRetentionActivities {
  static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(10);

  private final IndexRetention retention;

  public IndexRetentionActivitiesImpl(IndexRetention retention) {
    this.retention = retention;
  }

  @Override
  public List<DroppedIndex> dropExpired(long nowMillis) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    try (HeartbeatTicker ticker = new HeartbeatTicker(ctx::heartbeat, HEARTBEAT_EVERY)) {
      return retention.dropExpired(Instant.ofEpochMilli(nowMillis)).stream()
          .map(
              d ->
                  new DroppedIndex(
                      d.collection(), d.indexVersionId(), d.chunks(), d.versions(), d.rollout()))
          .toList();
    }
  }
}
