package io.engram.workflows.memory;

import io.engram.workflows.common.EngramSearchAttributes;
import io.temporal.common.SearchAttributes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The memory lifecycle's jobs: their job types (the {@code EngramJobType} search attribute) and the
 * stable ids of their schedules, which make registering them at every worker start idempotent.
 */
public final class MemoryJobs {
  public static final String DISTILLATION = "distillation";
  public static final String PROMOTION = "promotion";
  public static final String SALIENCE = "salience";
  public static final String TTL_CLEANUP = "ttl-cleanup";
  public static final String SESSION_CLEANUP = "session-cleanup";
  public static final String INCREMENTAL_INGEST = "incremental-ingest";

  /** The scheduled jobs, in the order operators see them. */
  public static final List<String> SCHEDULED =
      List.of(PROMOTION, SALIENCE, TTL_CLEANUP, SESSION_CLEANUP, INCREMENTAL_INGEST);

  /** The scheduled jobs that keep the memory tiers, the ones {@code memory stats} shows. */
  public static final List<String> MEMORY_SCHEDULED =
      List.of(PROMOTION, SALIENCE, TTL_CLEANUP, SESSION_CLEANUP);

  private MemoryJobs() {}

  /** The schedule id of a job, e.g. {@code engram-promotion}; also its workflows' id prefix. */
  public static String scheduleId(String job) {
    if (!SCHEDULED.contains(job)) {
      throw new IllegalArgumentException("not a scheduled job: " + job);
    }
    return "engram-" + job;
  }

  /** The batch label of a run started at {@code millis}: its UTC minute. */
  public static String batchLabel(long millis) {
    return Instant.ofEpochMilli(millis).truncatedTo(ChronoUnit.MINUTES).toString();
  }

  /** The search attributes every run of a scheduled job carries from its start. */
  public static SearchAttributes searchAttributes(String job) {
    return SearchAttributes.newBuilder().set(EngramSearchAttributes.JOB_TYPE, job).build();
  }
}
