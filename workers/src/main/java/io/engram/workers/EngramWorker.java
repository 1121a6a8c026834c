package io.engram.workers;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.engram.core.CoreServices;
import io.engram.core.config.EngramSettings;
import io.engram.workers.collection.CollectionCapability;
import io.engram.workers.evaluation.EvaluationCapability;
import io.engram.workers.ingestion.IngestionCapability;
import io.engram.workers.memory.MemoryCapability;
import io.engram.workers.rollout.RolloutCapability;
import io.engram.workers.training.TrainingCapability;
import io.engram.workflows.common.EngramSearchAttributes;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker process's composition root: core services from the settings, a Temporal client with
 * SDK metrics, and the capabilities, each registering its workflows and activities. {@link
 * WorkerMain} runs one; integration tests start the same.
 */
public final class EngramWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EngramWorker.class);

  /** What a worker process does, in the order registered. */
  static List<Capability> capabilities() {
    return List.of(
        new IngestionCapability(),
        new EvaluationCapability(),
        new MemoryCapability(),
        new TrainingCapability(),
        new RolloutCapability(),
        new CollectionCapability());
  }

  private final CoreServices core;
  private final WorkflowServiceStubs service;
  private final WorkerFactory factory;
  private final PrometheusMeterRegistry registry;

  private EngramWorker(
      CoreServices core,
      WorkflowServiceStubs service,
      WorkerFactory factory,
      PrometheusMeterRegistry registry) {
    this.core = core;
    this.service = service;
    this.factory = factory;
    this.registry = registry;
  }

  /** Builds and starts a worker polling every capability's task queues; {@link #close} stops it. */
  public static EngramWorker start(EngramSettings settings) throws Exception {
    log.info("starting Engram worker, profile {}", settings.profile().value());
    CoreServices core =
        CoreServices.open(settings, "engram-worker", settings.worker().databasePool());
    WorkflowServiceStubs service = null;
    WorkerFactory factory = null;
    try {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      Scope metrics =
          new RootScopeBuilder()
              .reporter(new MicrometerClientStatsReporter(registry))
              .reportEvery(com.uber.m3.util.Duration.ofSeconds(10));
      service =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder()
                  .setTarget(settings.temporal().address())
                  .setMetricsScope(metrics)
                  .build());
      WorkflowClient client =
          WorkflowClient.newInstance(
              service,
              WorkflowClientOptions.newBuilder()
                  .setNamespace(settings.temporal().namespace())
                  .build());
      factory = WorkerFactory.newInstance(client);
      WorkerContext context =
          new WorkerContext(core, registry, factory, settings.worker().taskQueues());
      List<Capability> capabilities = capabilities();
      capabilities.forEach(c -> c.register(context));
      ensureSearchAttributes(settings);
      factory.start();
      log.info(
          "worker polling task queues {} at {}",
          context.taskQueues(),
          settings.temporal().address());
      capabilities.forEach(c -> c.started(context));
      return new EngramWorker(core, service, factory, registry);
    } catch (Exception | Error e) {
      // A worker that failed to start must not go on polling (its pollers are non-daemon threads
      // and would keep the process alive, failing every task against a closed pool).
      if (factory != null) {
        factory.shutdownNow();
      }
      if (service != null) {
        service.shutdownNow();
      }
      core.close();
      throw e;
    }
  }

  public CoreServices core() {
    return core;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Whether the worker polls its task queues: started and not shutting down. */
  public boolean polling() {
    return factory.isStarted() && !factory.isShutdown() && !factory.isTerminated();
  }

  /**
   * Registers the custom search attributes the workflows set, when the server lacks them (the dev
   * server started by {@code ./engram up} has them already): setting an unregistered attribute
   * fails the workflow task forever. A server that refuses (no operator permission) is logged and
   * left to its operator.
   */
  static void ensureSearchAttributes(EngramSettings settings) {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setTarget(settings.temporal().address())
                .validateAndBuildWithDefaults());
    String namespace = settings.temporal().namespace();
    try {
      Map<String, IndexedValueType> existing =
          operator
              .blockingStub()
              .listSearchAttributes(
                  ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build())
              .getCustomAttributesMap();
      Map<String, IndexedValueType> missing = new LinkedHashMap<>();
      EngramSearchAttributes.ALL.forEach(
          (name, type) -> {
            if (!existing.containsKey(name)) {
              missing.put(name, type);
            }
          });
      if (!missing.isEmpty()) {
        operator
            .blockingStub()
            .addSearchAttributes(
                AddSearchAttributesRequest.newBuilder()
                    .setNamespace(namespace)
                    .putAllSearchAttributes(missing)
                    .build());
        log.info("registered search attributes {}", missing.keySet());
      }
    } catch (io.grpc.StatusRuntimeException e) {
      log.warn(
          "could not check or register search attributes {} ({}); register them on the server",
          EngramSearchAttributes.ALL.keySet(),
          e.getStatus());
    } finally {
      operator.shutdown();
    }
  }

  @Override
  public void close() {
    factory.shutdown();
    factory.awaitTermination(30, TimeUnit.SECONDS);
    service.shutdown();
    core.close();
  }
}
