package io.engram.activities.ingestion;

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

  /** Time spent in ingestion activities, tagged {@code activity=discover|batch}. */
  public static final String ACTIVITY_TIME = "engram.ingest.activity";

  private final Counter done;
  private final Counter failed;
  private final Counter skipped;
  private final Counter chunks;
  private final Timer discoverTime;
  private final Timer batchTime;

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
}
