package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's {@code ./engram faults} leaves the local LLM as it found it, whether the run ends,
 * a fault fails or the run is interrupted, and checks {@code --collection} before it stops or
 * restarts anything. Run with every action on a service stubbed ({@code
 * launcher/faults-stubbed.sh}): the real command restarts the services of the stack it runs on.
 */
class LauncherFaultsTest {
  /** The launcher, at the root of the repository (tests run in the module's directory). */
  private static final Path LAUNCHER = Path.of("..", "engram").toAbsolutePath().normalize();

  @TempDir Path work;

  /** What a stubbed run did: its exit code, stderr, the starts and stops, what runs at the end. */
  private record Run(int exitCode, String err, List<String> log, boolean llmRuns) {}

  @BeforeAll
  static void needsBashAndJq() throws Exception {
    assumeTrue(Files.isRegularFile(LAUNCHER), "the launcher at " + LAUNCHER);
    assumeTrue(
        new ProcessBuilder("bash", "-c", "command -v jq").start().waitFor() == 0,
        "faults reads JSON with jq");
  }

  private Run faults(Map<String, String> env, String... options)
      throws IOException, InterruptedException, URISyntaxException {
    Path script =
        Path.of(LauncherFaultsTest.class.getResource("/launcher/faults-stubbed.sh").toURI());
    List<String> command = new ArrayList<>(List.of("bash", script.toString(), LAUNCHER.toString()));
    command.add(work.toString());
    command.addAll(List.of(options));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().putAll(env);
    Path err = work.resolve("stderr");
    builder.redirectError(err.toFile());
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the stubbed run ended").isTrue();
    Path log = work.resolve("state/log");
    return new Run(
        process.exitValue(),
        Files.readString(err, StandardCharsets.UTF_8),
        Files.exists(log) ? Files.readAllLines(log) : List.of(),
        Files.exists(work.resolve("state/llm")));
  }

  @Test
  void a_fault_that_stops_the_llm_starts_it_again_at_the_end_with_the_api_and_worker_on_it()
      throws Exception {
    Run run = faults(Map.of("LLM_BEFORE", "1"), "--only", "worker-ingest");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.llmRuns()).isTrue();
    assertThat(run.log())
        .containsSubsequence(
            "stop llm",
            "start api llm=none",
            "fault worker-ingest",
            "start llm",
            "start worker llm=http://127.0.0.1:2/v1",
            "start api llm=http://127.0.0.1:2/v1")
        .last()
        .asString()
        .startsWith("start ");
    // Started again to restore it, not for LLM faults: none ran.
    assertThat(run.err())
        .contains("starting the local LLM again, as it ran before")
        .doesNotContain("for the LLM faults");
  }

  @Test
  void a_fault_that_fails_or_an_interrupt_still_leaves_the_llm_running() throws Exception {
    for (String how : List.of("FAULT_FAILS", "FAULT_INTERRUPTED")) {
      Run run = faults(Map.of("LLM_BEFORE", "1", how, "1"), "--only", "worker-ingest,llm-down");

      assertThat(run.exitCode()).as(how).isNotZero();
      assertThat(run.llmRuns()).as(how).isTrue();
      assertThat(run.log())
          .as(how)
          .doesNotContain("fault llm-down")
          .endsWith(
              "start worker llm=http://127.0.0.1:2/v1", "start api llm=http://127.0.0.1:2/v1");
      Files.delete(work.resolve("state/log"));
    }
  }

  @Test
  void an_llm_the_llm_faults_started_is_stopped_at_the_end() throws Exception {
    Run run = faults(Map.of(), "--only", "llm-down");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.llmRuns()).isFalse();
    assertThat(run.log())
        .containsSubsequence("start llm", "fault llm-down", "stop llm")
        .endsWith("start worker llm=none", "start api llm=none");
    // Stopped to restore the stack as found, not because a fault needs extractive answers.
    assertThat(run.err())
        .contains("stopping the local LLM the LLM faults started")
        .doesNotContain("these faults need extractive answers");
  }

  @Test
  void a_missing_or_empty_collection_is_refused_before_anything_is_stopped() throws Exception {
    Run missing =
        faults(
            Map.of(
                "LLM_BEFORE",
                "1",
                "COLLECTION_CODE",
                "404",
                "COLLECTION_BODY",
                "{\"title\":\"Not Found\"}"));

    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err())
        .contains("collection 'scifact' does not exist", "./engram ingest", "--collection NAME");
    assertThat(missing.log()).isEmpty();

    Run empty =
        faults(
            Map.of("COLLECTION_BODY", "{\"name\":\"notes\",\"active\":0}"),
            "--collection",
            "notes");

    assertThat(empty.exitCode()).isEqualTo(2);
    assertThat(empty.err()).contains("collection 'notes' holds no documents");
    assertThat(empty.log()).isEmpty();
  }
}
