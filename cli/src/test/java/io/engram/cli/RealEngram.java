package io.engram.cli;

import io.engram.core.config.EngramSettings;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.TemporalDevServer;
import io.engram.workers.WorkerMain;
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
import java.util.List;
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

  /** The small, fast embedding model the integration tests index with. */
  private static final String MODEL = "all-minilm-l6-v2-q";

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
    private final WorkerMain worker;
    private final WorkflowServiceStubs service;
    private final WorkflowClient temporal;
    private final Path ingestRoot;

    private Running(
        ApplicationContext api,
        EmbeddedServer server,
        WorkerMain worker,
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
        var postgres = EngramServicesExtension.postgres();
        var temporalServer = EngramServicesExtension.temporal();
        String dbUrl = postgres.createDatabase("cli_it");
        Path root = Files.createTempDirectory("engram-cli-it-root").toRealPath();
        EmbeddedServer server =
            ApplicationContext.run(
                EmbeddedServer.class,
                Map.of(
                    "engram.db.url", dbUrl,
                    "engram.db.user", postgres.user(),
                    "engram.db.password", postgres.password(),
                    "temporal.address", temporalServer.address(),
                    "engram.embedding.model", MODEL,
                    "engram.ingest.roots", root.toString(),
                    "micronaut.server.port", "-1"));
        if (!server.isRunning()) {
          server.start();
        }
        WorkerMain worker =
            WorkerMain.start(
                new EngramSettings(
                    dbUrl,
                    postgres.user(),
                    postgres.password(),
                    temporalServer.address(),
                    TemporalDevServer.NAMESPACE,
                    MODEL,
                    1024,
                    200,
                    List.of(root),
                    1024 * 1024,
                    true));
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
