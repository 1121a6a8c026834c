package io.engram.workers.bench;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import com.zaxxer.hikari.HikariDataSource;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import io.engram.core.config.EngramSettings;
import io.engram.core.db.Database;
import io.engram.core.db.EngramJdbi;
import io.engram.core.embedding.CachedEmbedder;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.index.IndexVersions;
import io.engram.core.store.PgVectorChunkStore;
import io.engram.workflows.ingestion.IngestionProgress;
import io.engram.workflows.ingestion.IngestionRequest;
import io.engram.workflows.ingestion.IngestionWorkflow;
import io.engram.workflows.ingestion.ValidationReport;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code ./engram bench ingest}: ingests a corpus through the real workflow and worker, then embeds
 * a sample of the very chunks it stored with the same model in this process, and prints the ratio
 * of end-to-end to raw chunk throughput. Run by the launcher on a fresh private stack, so no
 * embedding-cache hit flatters the end-to-end figure.
 */
public final class IngestBenchmark {
  /** Chunks embedded for the raw figure: enough for a stable rate, far fewer than the corpus. */
  static final int RAW_SAMPLE = 2048;

  private IngestBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path corpus = null;
    String collection = "bench";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--corpus" -> corpus = Path.of(args[++i]).toAbsolutePath();
        case "--collection" -> collection = args[++i];
        case "--help", "-h" -> {
          System.out.println("usage: IngestBenchmark --corpus PATH [--collection NAME]");
          return;
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (corpus == null || !Files.isReadable(corpus)) {
      System.err.println("error: --corpus PATH is required and must be readable");
      System.exit(2);
    }
    EngramSettings settings = EngramSettings.fromEnvironment();
    WorkflowServiceStubs service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(settings.temporal().address())
                .build());
    WorkflowClient client = WorkflowClient.newInstance(service);
    String workflowId = IngestionWorkflow.workflowId(collection, corpus.toString());
    IngestionWorkflow workflow =
        client.newWorkflowStub(
            IngestionWorkflow.class, IngestionWorkflow.startOptions(collection, corpus.toString()));
    IngestionRequest request =
        new IngestionRequest(collection, corpus.toString(), corpus.toString(), null, null, null);

    long start = System.nanoTime();
    WorkflowClient.start(workflow::ingest, request);
    IngestionWorkflow running = client.newWorkflowStub(IngestionWorkflow.class, workflowId);
    CompletableFuture<IngestionProgress> result =
        client.newUntypedWorkflowStub(workflowId).getResultAsync(IngestionProgress.class);
    while (!result.isDone()) {
      Thread.sleep(5000);
      if (!result.isDone()) {
        IngestionProgress p = running.progress();
        System.err.printf(
            Locale.ROOT,
            "  %s %d/%d documents, %d chunks, %.0f s%n",
            p.phase(),
            p.done() + p.skipped() + p.failed(),
            p.total(),
            p.chunks(),
            (System.nanoTime() - start) / 1e9);
      }
    }
    IngestionProgress done = result.get();
    double seconds = (System.nanoTime() - start) / 1e9;
    double validateSeconds = activitySeconds(client.fetchHistory(workflowId), "Validate");
    service.shutdown();

    try (HikariDataSource db = Database.connect(settings.database(), "bench", 2)) {
      Jdbi jdbi = EngramJdbi.create(db);
      String model =
          new IndexVersions(jdbi).byId(done.indexVersionId()).orElseThrow().embeddingModel();
      // The chunks it stored, every n-th by id, so the sample mirrors the corpus.
      List<String> sample = new PgVectorChunkStore(jdbi).sample(done.indexVersionId(), RAW_SAMPLE);
      EmbeddingModel embeddings = EmbeddingModels.get(model);
      // Warm-up so model loading is not timed.
      embeddings.embedAll(
          sample.subList(0, Math.min(32, sample.size())).stream().map(TextSegment::from).toList());
      long rawStart = System.nanoTime();
      for (int from = 0; from < sample.size(); from += CachedEmbedder.MODEL_BATCH) {
        List<TextSegment> batch =
            sample
                .subList(from, Math.min(sample.size(), from + CachedEmbedder.MODEL_BATCH))
                .stream()
                .map(TextSegment::from)
                .toList();
        embeddings.embedAll(batch);
      }
      double rawSeconds = (System.nanoTime() - rawStart) / 1e9;
      double rawRate = sample.size() / rawSeconds;
      double e2eRate = done.chunks() / seconds;
      System.out.printf(
          Locale.ROOT,
          "model=%s documents=%d failed=%d chunks=%d wall_s=%.1f raw_sample=%d raw_s=%.1f%n",
          model,
          done.done(),
          done.failed(),
          done.chunks(),
          seconds,
          sample.size(),
          rawSeconds);
      System.out.printf(
          Locale.ROOT,
          "ingest docs=%d chunks=%d docs_per_s=%.2f raw_embed_chunks_per_s=%.2f ratio=%.3f%n",
          done.done(),
          done.chunks(),
          done.done() / seconds,
          rawRate,
          e2eRate / rawRate);
      ValidationReport v = done.validation();
      if (v != null) {
        System.out.printf(
            Locale.ROOT,
            "validation checked=%d incomplete=%d probed=%d unreachable=%d problems=%d"
                + " validate_s=%.2f share_of_wall=%.4f%n",
            v.checked(),
            v.incomplete(),
            v.probed(),
            v.unreachable(),
            v.problems().size(),
            validateSeconds,
            validateSeconds / seconds);
        v.problems().forEach(problem -> System.out.println("  problem: " + problem));
      }
    }
  }

  /**
   * Seconds from scheduling to completion of the run's activities of type {@code type}, summed, as
   * the server recorded them.
   */
  private static double activitySeconds(WorkflowExecutionHistory history, String type) {
    Map<Long, Timestamp> scheduled = new HashMap<>();
    double seconds = 0;
    for (HistoryEvent event : history.getHistory().getEventsList()) {
      if (event.hasActivityTaskScheduledEventAttributes()
          && event
              .getActivityTaskScheduledEventAttributes()
              .getActivityType()
              .getName()
              .equals(type)) {
        scheduled.put(event.getEventId(), event.getEventTime());
      } else if (event.hasActivityTaskCompletedEventAttributes()) {
        Timestamp from =
            scheduled.get(event.getActivityTaskCompletedEventAttributes().getScheduledEventId());
        if (from != null) {
          seconds += Durations.toNanos(Timestamps.between(from, event.getEventTime())) / 1e9;
        }
      }
    }
    return seconds;
  }
}
