package io.engram.testing;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * Shares one {@link PostgresServer} and one {@link TemporalDevServer} among all test classes of a
 * test JVM, since starting them costs seconds that every class would otherwise pay again.
 *
 * <p>Each server starts on the first call to its accessor, so a class that only needs PostgreSQL
 * never waits for Temporal. Registering the extension (most simply with {@link EngramServices})
 * puts a resource in the root extension context store that stops both servers when the test plan
 * ends. Each server also stops from its own JVM shutdown hook, which covers accessors called
 * without the extension and JVMs that exit before JUnit finishes.
 */
public final class EngramServicesExtension implements BeforeAllCallback {

  private static final Namespace NAMESPACE = Namespace.create(EngramServicesExtension.class);

  private static final Lazy<PostgresServer> POSTGRES =
      new Lazy<>("PostgreSQL", PostgresServer::start);
  private static final Lazy<TemporalDevServer> TEMPORAL =
      new Lazy<>("Temporal dev server", TemporalDevServer::start);

  @Override
  public void beforeAll(ExtensionContext context) {
    // JUnit closes AutoCloseable values of the root store once, after the last test of the plan.
    context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(StopServices.class, key -> new StopServices(), StopServices.class);
  }

  /** The shared PostgreSQL server, started on first use. */
  public static PostgresServer postgres() {
    return POSTGRES.get();
  }

  /** The shared Temporal dev server, started on first use. */
  public static TemporalDevServer temporal() {
    return TEMPORAL.get();
  }

  /** Stops both servers when JUnit closes the root store. */
  private static final class StopServices implements AutoCloseable {

    @Override
    public void close() {
      try {
        TEMPORAL.close();
      } finally {
        POSTGRES.close();
      }
    }
  }

  /**
   * Starts a server once and hands the same instance to every caller. A failed start is remembered
   * and rethrown, so a broken machine fails each class at once instead of making every class wait
   * for its own startup timeout.
   */
  private static final class Lazy<T extends AutoCloseable> {

    private final String name;
    private final Supplier<T> starter;
    private T instance;
    private RuntimeException failure;

    Lazy(String name, Supplier<T> starter) {
      this.name = name;
      this.starter = starter;
    }

    synchronized T get() {
      if (instance != null) {
        return instance;
      }
      if (failure != null) {
        throw new IllegalStateException(
            name + " failed to start earlier in this JVM; the cause below says why", failure);
      }
      try {
        instance = starter.get();
        return instance;
      } catch (RuntimeException e) {
        failure = e;
        throw e;
      }
    }

    synchronized void close() {
      T current = instance;
      instance = null;
      failure = null;
      if (current != null) {
        try {
          current.close();
        } catch (Exception e) {
          throw new IllegalStateException("Could not stop " + name + ": " + e.getMessage(), e);
        }
      }
    }
  }
}
