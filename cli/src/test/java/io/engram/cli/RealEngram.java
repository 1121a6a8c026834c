package io.engram.cli;

import io.engram.core.CoreServices;
import io.engram.core.config.EngramSettings;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.TemporalDevServer;
import io.engram.testing.TestSettings;
import io.engram.workers.EngramWorker;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * A real Engram for the CLI's integration tests: the HTTP API (Micronaut, on a random port) and a
 * worker, on a database of the shared test PostgreSQL and on the shared Temporal dev server,
 * started as the API's own integration tests start them. It starts once per test JVM, for the first
 * class that registers the extension ({@code @ExtendWith(RealEngram.class)}), and stops when the
 * test plan ends; each test works in collections of its own.
 */
final class RealEngram implements BeforeAllCallback {
  private static final Namespace NAMESPACE = Namespace.create(RealEngram.class);

  private static volatile Running running;

  @Override
  public void beforeAll(ExtensionContext context) {
    running =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(Running.class, key -> Running.start(), Running.class);
  }

  /** The API's base URL, e.g. {@code http://localhost:41234}. */
  static String url() {
    return running().server.getURL().toString();
  }

  /** The directory the API may read server-side paths from ({@code --server-path}). */
  static Path ingestRoot() {
    return running().ingestRoot;
  }

  /** A Temporal client on the namespace the API and worker use. */
  static WorkflowClient temporal() {
    return running().temporal;
  }

  /**
   * The API's own core services, for what a test must set up that no endpoint does (registering a
   * model version, as a retraining will).
   */
  static CoreServices core() {
    return running().api.getBean(CoreServices.class);
  }

  private static Running running() {
    if (running == null) {
      throw new IllegalStateException("register the extension: @ExtendWith(RealEngram.class)");
    }
    return running;
  }

  /** The started processes; JUnit closes it once, after the last test of the plan. */
  private static final class Running implements AutoCloseable {
    private final ApplicationContext api;
    private final EmbeddedServer server;
    private final EngramWorker worker;
    private final WorkflowServiceStubs service;
    private final WorkflowClient temporal;
    private final Path ingestRoot;

    private Running(
        ApplicationContext api,
        EmbeddedServer server,
        EngramWorker worker,
        WorkflowServiceStubs service,
        Path ingestRoot) {
      this.api = api;
      this.server = server;
      this.worker = worker;
      this.service = service;
      this.temporal =
          WorkflowClient.newInstance(
              service,
              WorkflowClientOptions.newBuilder().setNamespace(TemporalDevServer.NAMESPACE).build());
      this.ingestRoot = ingestRoot;
    }

    static Running start() {
      try {
        var temporalServer = EngramServicesExtension.temporal();
        String dbUrl = EngramServicesExtension.postgres().createDatabase("cli_it");
        Path root = Files.createTempDirectory("engram-cli-it-root").toRealPath();
        // The API and the worker read the same settings, each through its own composition root.
        Map<String, String> settings =
            TestSettings.withTemporal(dbUrl, Map.of("ENGRAM_INGEST_ROOTS", root.toString()));
        EmbeddedServer server =
            ApplicationContext.run(
                EmbeddedServer.class, Map.copyOf(TestSettings.asProperties(settings)));
        if (!server.isRunning()) {
          server.start();
        }
        EngramWorker worker = EngramWorker.start(EngramSettings.of(settings));
        WorkflowServiceStubs service =
            WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder()
                    .setTarget(temporalServer.address())
                    .build());
        return new Running(server.getApplicationContext(), server, worker, service, root);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the API and worker for the CLI tests", e);
      }
    }

    @Override
    public void close() {
      try {
        worker.close();
      } finally {
        service.shutdown();
        api.close();
      }
    }
  }
}
