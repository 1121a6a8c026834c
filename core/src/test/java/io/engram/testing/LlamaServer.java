package io.engram.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private OpenAI-compatible LLM server for integration tests: llama-cpp-python's server with the
 * Gemma 3 270M weights, both installed by {@code scripts/install-deps.sh llm} into {@code
 * .engram/llm-venv} and {@code .engram/models}, started on a free port and killed on close.
 */
public final class LlamaServer implements AutoCloseable {
  /** Environment variable naming the directory that holds {@code llm-venv} and {@code models}. */
  public static final String HOME_ENV = "ENGRAM_LLM_HOME";

  /** Model name the server answers to, sent by clients as {@code model}. */
  public static final String MODEL = "gemma-3-270m";

  private static final Logger LOG = LoggerFactory.getLogger(LlamaServer.class);
  private static final Path VENV_PYTHON = Path.of("llm-venv", "bin", "python");
  private static final Path WEIGHTS = Path.of("models", "gemma-3-270m-q4_k_m.gguf");
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

  private final Process process;
  private final int port;
  private final Path logFile;
  private final Thread shutdownHook;

  private LlamaServer(Process process, int port, Path logFile) {
    this.process = process;
    this.port = port;
    this.logFile = logFile;
    this.shutdownHook =
        ServiceProcesses.addShutdownHook("engram-llama-shutdown", () -> destroy(process));
  }

  /** The directory holding the installed server and weights, if the install step has run. */
  public static Optional<Path> installation() {
    String override = System.getenv(HOME_ENV);
    if (override != null && !override.isBlank()) {
      Path home = Path.of(override);
      return installed(home) ? Optional.of(home) : Optional.empty();
    }
    for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        dir != null;
        dir = dir.getParent()) {
      Path home = dir.resolve(".engram");
      if (installed(home)) {
        return Optional.of(home);
      }
    }
    return Optional.empty();
  }

  private static boolean installed(Path home) {
    return Files.isExecutable(home.resolve(VENV_PYTHON))
        && Files.isRegularFile(home.resolve(WEIGHTS));
  }

  /**
   * Starts the server and waits until it lists its model.
   *
   * @throws IllegalStateException if it is not installed or does not come up within two minutes
   */
  public static LlamaServer start() {
    Path home =
        installation()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "the local LLM is not installed: run scripts/install-deps.sh llm (or set "
                            + HOME_ENV
                            + ")"));
    int port = FreePorts.next();
    Path logFile;
    try {
      logFile = Files.createTempFile("engram-llama-", ".log");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command =
        List.of(
            home.resolve(VENV_PYTHON).toString(),
            "-m",
            "llama_cpp.server",
            "--model",
            home.resolve(WEIGHTS).toString(),
            "--model_alias",
            MODEL,
            "--chat_format",
            "gemma",
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "--n_ctx",
            "4096",
            "--n_threads",
            "2");
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(Redirect.appendTo(logFile.toFile()))
              .start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not launch " + String.join(" ", command), e);
    }
    LlamaServer server = new LlamaServer(process, port, logFile);
    try {
      server.awaitReady();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    LOG.info("llama.cpp server with {} on {}", MODEL, server.baseUrl());
    return server;
  }

  /** The OpenAI-compatible base URL, ending in {@code /v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port + "/v1";
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    try {
      Awaitility.await("llama.cpp server on " + baseUrl())
          .atMost(STARTUP_TIMEOUT)
          .pollInterval(Duration.ofMillis(250))
          .pollInSameThread()
          .until(() -> servesModel(http));
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          "llama.cpp server did not answer within "
              + STARTUP_TIMEOUT.toSeconds()
              + " s:\n"
              + ServiceProcesses.tail(logFile, ServiceProcesses.LOG_TAIL_LINES));
    }
  }

  /** Whether the server lists the model now; a server that exited fails the wait at once. */
  private boolean servesModel(HttpClient http) throws InterruptedException {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "llama.cpp server exited with "
              + process.exitValue()
              + ":\n"
              + ServiceProcesses.tail(logFile, ServiceProcesses.LOG_TAIL_LINES));
    }
    try {
      HttpResponse<String> models =
          http.send(
              HttpRequest.newBuilder(URI.create(baseUrl() + "/models"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return models.statusCode() == 200 && models.body().contains(MODEL);
    } catch (IOException e) {
      // Not listening yet.
      return false;
    }
  }

  private static void destroy(Process process) {
    ServiceProcesses.destroyTree(process.toHandle(), Duration.ofSeconds(2));
  }

  @Override
  public void close() {
    destroy(process);
    ServiceProcesses.removeShutdownHook(shutdownHook);
    try {
      Files.deleteIfExists(logFile);
    } catch (IOException e) {
      LOG.warn("could not delete {}", logFile);
    }
  }
}
