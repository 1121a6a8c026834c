package io.engram.activities.ingestion;

import io.engram.core.index.IndexVersions;
import io.engram.core.ingestion.IngestionValidation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Ingestion metrics of the worker. Tags are low-cardinality (an outcome or an activity name), never
 * a workflow, document or collection id.
 */
public final class IngestionMetrics {
  /** Documents processed by batch activities, tagged {@code outcome=done|failed}. */
  public static final String DOCUMENTS = "engram.ingest.documents";

  /** Documents skipped by discovery because their content hash was already indexed. */
  public static final String SKIPPED = "engram.ingest.skipped";

  /** Chunks stored. */
  public static final String CHUNKS = "engram.ingest.chunks";

  /**
   * What validation found wrong, tagged {@code problem=incomplete} (documents failed because the
   * index lacks some of their chunks), {@code unreachable} (probed documents a search missed) or
   * {@code index} (the index version's HNSW index missing or invalid).
   */
  public static final String VALIDATION_PROBLEMS = "engram.ingest.validation.problems";

  /** Time spent in ingestion activities, tagged {@code activity=discover|batch|validate}. */
  public static final String ACTIVITY_TIME = "engram.ingest.activity";

  private final Counter done;
  private final Counter failed;
  private final Counter skipped;
  private final Counter chunks;
  private final Timer discoverTime;
  private final Timer batchTime;
  private final Timer validateTime;
  private final Counter incomplete;
  private final Counter unreachable;
  private final Counter indexProblems;

  public IngestionMetrics(MeterRegistry registry) {
    done = documents(registry, "done");
    failed = documents(registry, "failed");
    skipped =
        Counter.builder(SKIPPED)
            .description("Documents skipped because their content was already indexed")
            .baseUnit("documents")
            .register(registry);
    chunks =
        Counter.builder(CHUNKS).description("Chunks stored").baseUnit("chunks").register(registry);
    discoverTime = activityTime(registry, "discover");
    batchTime = activityTime(registry, "batch");
    validateTime = activityTime(registry, "validate");
    incomplete = validationProblems(registry, "incomplete");
    unreachable = validationProblems(registry, "unreachable");
    indexProblems = validationProblems(registry, "index");
  }

  private static Counter validationProblems(MeterRegistry registry, String problem) {
    return Counter.builder(VALIDATION_PROBLEMS)
        .description("What the validation of ingestion runs found wrong in the index")
        .tag("problem", problem)
        .register(registry);
  }

  private static Counter documents(MeterRegistry registry, String outcome) {
    return Counter.builder(DOCUMENTS)
        .description("Documents processed by ingestion batches")
        .baseUnit("documents")
        .tag("outcome", outcome)
        .register(registry);
  }

  private static Timer activityTime(MeterRegistry registry, String activity) {
    return Timer.builder(ACTIVITY_TIME)
        .description("Time spent in ingestion activities")
        .tag("activity", activity)
        .register(registry);
  }

  void discovered(int skippedDocuments, Duration took) {
    skipped.increment(skippedDocuments);
    discoverTime.record(took);
  }

  void batch(int doneDocuments, int failedDocuments, int storedChunks, Duration took) {
    done.increment(doneDocuments);
    failed.increment(failedDocuments);
    chunks.increment(storedChunks);
    batchTime.record(took);
  }

  void validated(IngestionValidation.Report report, Duration took) {
    incomplete.increment(report.incomplete());
    unreachable.increment(report.unreachable());
    if (report.hnswIndex() != IndexVersions.HnswIndex.VALID) {
      indexProblems.increment();
    }
    validateTime.record(took);
  }
}
