package io.engram.api;

import com.zaxxer.hikari.HikariDataSource;
import io.engram.api.query.Answerer;
import io.engram.api.query.IntentProperties;
import io.engram.api.query.RetrievalProperties;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.config.EngramSettings;
import io.engram.core.db.Database;
import io.engram.core.db.EngramJdbi;
import io.engram.core.eval.EvaluationRuns;
import io.engram.core.index.IndexVersions;
import io.engram.core.ingest.BlobStore;
import io.engram.core.ingest.Manifests;
import io.engram.core.llm.AnswerGenerator;
import io.engram.core.llm.ChatModelGateway;
import io.engram.core.llm.LlmSettings;
import io.engram.core.memory.IntentClassifier;
import io.engram.core.memory.LlmIntentClassifier;
import io.engram.core.memory.LocalIntentClassifier;
import io.engram.core.memory.WorkingMemory;
import io.engram.core.querylog.Feedback;
import io.engram.core.querylog.QueryLog;
import io.engram.core.rerank.Reranker;
import io.engram.core.rerank.Rerankers;
import io.engram.core.retrieval.HybridRetriever;
import io.engram.core.retrieval.QueryEmbeddings;
import io.engram.core.store.PgVectorChunkStore;
import io.engram.migrations.Migrations;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import io.micronaut.scheduling.TaskExecutors;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires core services into the API. The settings come from the same environment variables the
 * worker reads ({@link EngramSettings#fromEnvironment}), so both processes always agree.
 */
@Factory
class EngramFactory {
  private static final Logger log = LoggerFactory.getLogger(EngramFactory.class);

  @Singleton
  EngramSettings settings(Environment environment) {
    return EngramSettings.fromEnvironment(overlay(environment, EngramSettings.VARIABLES));
  }

  @Singleton
  LlmSettings llmSettings(Environment environment) {
    return LlmSettings.fromEnvironment(overlay(environment, LlmSettings.VARIABLES));
  }

  @Singleton
  Answerer answerer(LlmSettings settings) {
    return new Answerer(ChatModelGateway.create(settings).map(AnswerGenerator::new).orElse(null));
  }

  /**
   * The process environment with Micronaut properties layered on top: each variable (ENGRAM_DB_URL)
   * may also be set as a property (engram.db.url), so tests and config files can set it the
   * Micronaut way.
   */
  private static Map<String, String> overlay(Environment environment, List<String> variables) {
    Map<String, String> values = new HashMap<>(System.getenv());
    for (String name : variables) {
      environment
          .getProperty(name.toLowerCase(Locale.ROOT).replace('_', '.'), String.class)
          .ifPresent(v -> values.put(name, v));
    }
    return values;
  }

  @Singleton
  @Bean(preDestroy = "close")
  HikariDataSource dataSource(EngramSettings settings) {
    HikariDataSource dataSource = Database.connect(settings, "engram-api", 16);
    if (settings.migrateOnStart()) {
      Migrations.migrate(dataSource);
    }
    log.info("API connected with {}", settings);
    return dataSource;
  }

  /** Every table owner runs its statements through this one Jdbi over the pool. */
  @Singleton
  Jdbi jdbi(HikariDataSource dataSource, EngramSettings settings) {
    Jdbi jdbi = EngramJdbi.create(dataSource);
    new IndexVersions(jdbi)
        .ensureChampion(settings.embeddingModel(), settings.chunkSize(), settings.chunkOverlap());
    return jdbi;
  }

  @Singleton
  IndexVersions indexVersions(Jdbi jdbi) {
    return new IndexVersions(jdbi);
  }

  @Singleton
  PgVectorChunkStore chunkStore(Jdbi jdbi) {
    return new PgVectorChunkStore(jdbi);
  }

  /**
   * The reranker named by {@code engram.retrieval.reranker} ({@code ENGRAM_RERANKER}), built by the
   * same {@link Rerankers} the worker uses from the same variables ({@code
   * ENGRAM_RERANKER_CROSS_ENCODER_DIR} or the property {@code engram.reranker.cross.encoder.dir},
   * and so on), so both processes rank alike. Created with the context: a cross-encoder directory
   * that is missing or holds the wrong files stops the API at start-up, not at the first query.
   */
  @Context
  Reranker reranker(RetrievalProperties retrieval, Environment environment) {
    Map<String, String> values = overlay(environment, Rerankers.VARIABLES);
    values.put(Rerankers.ENV_RERANKER, retrieval.reranker().value());
    Reranker reranker = Rerankers.fromEnvironment(values);
    log.info("reranker: {}", reranker.name());
    return reranker;
  }

  @Singleton
  HybridRetriever retriever(
      IndexVersions indexVersions,
      PgVectorChunkStore store,
      QueryEmbeddings queryEmbeddings,
      @Named(TaskExecutors.BLOCKING) ExecutorService executor,
      Reranker reranker) {
    // The lexical leg runs beside the dense one on the container's managed blocking executor.
    return new HybridRetriever(indexVersions, store, executor, queryEmbeddings, reranker);
  }

  @Singleton
  CollectionRegistry collections(Jdbi jdbi) {
    return new CollectionRegistry(jdbi);
  }

  @Singleton
  WorkingMemory workingMemory(Jdbi jdbi) {
    return new WorkingMemory(jdbi);
  }

  /**
   * The intent classifier {@code engram.intent.classifier} ({@code ENGRAM_INTENT_CLASSIFIER})
   * names. The LLM one reaches the answers' endpoint through a gateway of its own: a short timeout
   * and no retry, because it runs before retrieval and the local rules are its retry; few tokens;
   * greedy sampling; and a circuit breaker of its own, so classifications timing out at a fraction
   * of the answers' patience cannot shut answer generation off.
   */
  @Singleton
  IntentClassifier intentClassifier(IntentProperties intent, LlmSettings llm) {
    LocalIntentClassifier local = new LocalIntentClassifier();
    boolean useLlm =
        switch (intent.classifier()) {
          case LOCAL -> false;
          case AUTO -> llm.enabled();
          case LLM -> {
            if (!llm.enabled()) {
              throw new IllegalStateException(
                  "ENGRAM_INTENT_CLASSIFIER=llm needs an LLM: set "
                      + LlmSettings.ENV_PROVIDER
                      + ", "
                      + LlmSettings.ENV_BASE_URL
                      + " and "
                      + LlmSettings.ENV_MODEL
                      + ", or use auto or local");
            }
            yield true;
          }
        };
    if (!useLlm) {
      log.info("intent classifier: local rules");
      return local;
    }
    LlmSettings budget = llm.withCallBudget(intent.timeout(), 0, intent.maxTokens(), 0);
    IntentClassifier classifier =
        new LlmIntentClassifier(ChatModelGateway.create(budget).orElseThrow(), local);
    log.info("intent classifier: {} (local rules as fallback)", classifier.name());
    return classifier;
  }

  @Singleton
  QueryLog queryLog(Jdbi jdbi) {
    return new QueryLog(jdbi);
  }

  @Singleton
  Feedback feedback(Jdbi jdbi) {
    return new Feedback(jdbi);
  }

  @Singleton
  Manifests manifests(Jdbi jdbi) {
    return new Manifests(jdbi);
  }

  @Singleton
  BlobStore blobStore(Jdbi jdbi) {
    return new BlobStore(jdbi);
  }

  @Singleton
  EvaluationRuns evaluationRuns(Jdbi jdbi) {
    return new EvaluationRuns(jdbi);
  }

  @Singleton
  @Bean(preDestroy = "shutdown")
  WorkflowServiceStubs workflowService(EngramSettings settings) {
    // Lazily connecting stubs: the API starts (and reports temporal DOWN in /health) even while
    // Temporal is still coming up.
    return WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(settings.temporalAddress()).build());
  }

  @Singleton
  WorkflowClient workflowClient(WorkflowServiceStubs service, EngramSettings settings) {
    return WorkflowClient.newInstance(
        service,
        WorkflowClientOptions.newBuilder().setNamespace(settings.temporalNamespace()).build());
  }
}
