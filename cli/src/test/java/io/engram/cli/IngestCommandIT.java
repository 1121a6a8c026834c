package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import io.engram.contract.Ingestions.IngestionStarted;
import io.engram.contract.Ingestions.IngestionStatus;
import io.engram.contract.Ingestions.Validation;
import io.engram.testing.EngramServices;
import io.engram.workflows.ingestion.IngestionWorkflow;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./engram ingest} against a real API and worker. */
@EngramServices
@ExtendWith(RealEngram.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class IngestCommandIT {

  @TempDir Path tmp;

  @Test
  void uploads_only_what_the_api_lacks_and_prints_the_final_progress_as_json() throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("docs"));
    write(docs.resolve("a.txt"), "Glaciers in Greenland are melting faster every decade.");
    write(docs.resolve("b.md"), "# Reefs\n\nCoral reefs bleach when sea temperatures rise.");
    write(docs.resolve("sub/c.txt"), "Aspirin reduces the risk of heart attacks. ".repeat(50));
    write(docs.resolve(".hidden.txt"), "not for ingestion");
    write(docs.resolve(".git/config"), "[core]");

    CliRunner.Result first = ingest(docs, "ingest-json", "--chunk-size", "500", "--json");

    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.err()).contains("3 files: 3 to upload");
    IngestionStatus printed = readOne(first.out(), IngestionStatus.class);
    assertThat(printed.status()).isEqualTo("COMPLETED");
    assertThat(printed.workflowId()).startsWith("ingest-ingest-json-");
    assertThat(printed.total()).isEqualTo(3);
    assertThat(printed.done()).isEqualTo(3);
    assertThat(printed.failed()).isZero();
    assertThat(printed.chunks()).isGreaterThanOrEqualTo(3);
    assertThat(printed.validation()).isEqualTo(new Validation(3, 0, 3, 0, List.of()));

    // Nothing changed: nothing is uploaded and every document is skipped as unchanged. Two new
    // files with the same content share one blob.
    write(docs.resolve("d.txt"), "Tides follow the moon.");
    write(docs.resolve("e.txt"), "Tides follow the moon.");
    CliRunner.Result second = ingest(docs, "ingest-json", "--chunk-size", "500", "--json");

    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(second.err()).contains("5 files: 1 to upload", "4 already stored");
    IngestionStatus again = readOne(second.out(), IngestionStatus.class);
    assertThat(again.workflowId()).isEqualTo(printed.workflowId());
    assertThat(again.total()).isEqualTo(5);
    assertThat(again.skipped()).isEqualTo(3);
    assertThat(again.done()).isEqualTo(2);
  }

  @Test
  void the_human_summary_lists_failed_documents_and_links_to_the_temporal_ui() throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("mixed"));
    write(docs.resolve("good.txt"), "The sun is a G-type main-sequence star.");
    Path empty = write(docs.resolve("empty.txt"), "");

    CliRunner.Result result =
        CliRunner.run(
            Map.of("ENGRAM_TEMPORAL_UI_URL", "http://temporal.example:8233/"),
            "--api",
            RealEngram.url(),
            "ingest",
            docs.toString(),
            "--collection",
            "ingest-human");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .containsPattern(
            "ingested 2 documents into 'ingest-human': 1 new/changed, 0 skipped, 1 failed,"
                + " 0 tombstoned, \\d+ chunks? in \\d+\\.\\d s")
        .contains(
            "validated 1 document in the index: 0 lacked chunks (failed), 1 of 1 probed found by search")
        .contains("failed documents:", "  " + empty.toRealPath() + ": ")
        .containsPattern(
            "workflow (ingest-ingest-human-\\w+) — see it in the Temporal UI:"
                + " http://temporal\\.example:8233/namespaces/default/workflows/\\1");
  }

  /** A folder of which nothing could be stored is no success for a script (it exited 0). */
  @Test
  void an_ingestion_in_which_every_document_failed_exits_1() throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("all-bad"));
    write(docs.resolve("empty.txt"), "");
    write(docs.resolve("blank.md"), "   \n\t\n");

    CliRunner.Result result =
        CliRunner.run(
            "--api", RealEngram.url(), "ingest", docs.toString(), "--collection", "ingest-all-bad");

    assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(1);
    assertThat(result.out()).contains("0 new/changed, 0 skipped, 2 failed");
    assertThat(result.err()).contains("every document failed (2), so nothing was ingested");
  }

  @Test
  void a_server_path_is_read_by_the_api_and_nothing_is_uploaded() throws Exception {
    Path dir = Files.createDirectories(RealEngram.ingestRoot().resolve("server-side"));
    write(dir.resolve("sun.md"), "# Sun\n\nThe sun is a G-type main-sequence star.");

    CliRunner.Result result =
        CliRunner.run(
            "--api",
            RealEngram.url(),
            "ingest",
            dir.toString(),
            "--server-path",
            "--collection",
            "ingest-server",
            "--chunk-overlap",
            "20");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).doesNotContain("to upload");
    assertThat(result.out()).contains("ingested 1 document into 'ingest-server': 1 new/changed");
  }

  @Test
  void an_emptied_folder_removes_what_it_held_only_when_allowed() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("emptied"));
    Path note = write(dir.resolve("note.txt"), "Emptied folders are refused unless allowed.");
    assertThat(
            CliRunner.run(
                    "--api", RealEngram.url(), "ingest", dir.toString(), "--collection", "emptied")
                .exitCode())
        .isZero();
    Files.delete(note);

    // Empty, as an unmounted disk would look: refused, nothing removed.
    CliRunner.Result refused =
        CliRunner.run(
            "--api", RealEngram.url(), "ingest", dir.toString(), "--collection", "emptied");
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err()).contains("has no files to ingest").contains("--allow-empty");

    CliRunner.Result allowed =
        CliRunner.run(
            "--api",
            RealEngram.url(),
            "--json",
            "ingest",
            dir.toString(),
            "--collection",
            "emptied",
            "--allow-empty");
    assertThat(allowed.exitCode()).as(allowed.err()).isZero();
    assertThat(readOne(allowed.out(), IngestionStatus.class).tombstoned()).isEqualTo(1);
  }

  @Test
  void a_path_outside_the_api_roots_is_refused_by_the_api() {
    CliRunner.Result result =
        CliRunner.run(
            "--api", RealEngram.url(), "ingest", tmp.toString(), "--server-path", "--no-wait");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("error: Forbidden: path " + tmp + " is outside");
  }

  @Test
  void an_ingestion_of_a_source_already_being_ingested_attaches_to_it_and_says_so()
      throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("attach"));
    write(docs.resolve("a.txt"), "Attached ingestions share one workflow.");
    // An open run under the ingestion's workflow id, on a task queue no worker polls, so that it
    // is still open when the CLI asks.
    String workflowId = IngestionWorkflow.workflowId("ingest-attach", docs.toRealPath().toString());
    WorkflowStub held =
        RealEngram.temporal()
            .newUntypedWorkflowStub(
                "IngestionWorkflow",
                WorkflowOptions.newBuilder()
                    .setWorkflowId(workflowId)
                    .setTaskQueue("cli-it-unpolled")
                    .build());
    String runId = held.start().getRunId();
    try {
      CliRunner.Result result = ingest(docs, "ingest-attach", "--no-wait", "--json");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.err())
          .contains(
              "note: the same ingestion was already running; following workflow " + workflowId);
      IngestionStarted started = readOne(result.out(), IngestionStarted.class);
      assertThat(started).isEqualTo(new IngestionStarted(workflowId, runId, true));
    } finally {
      held.terminate("test over");
    }
  }

  private static CliRunner.Result ingest(Path path, String collection, String... options) {
    String[] args = new String[5 + options.length];
    args[0] = "--api";
    args[1] = RealEngram.url();
    args[2] = "ingest";
    args[3] = path.toString();
    args[4] = "--collection=" + collection;
    System.arraycopy(options, 0, args, 5, options.length);
    return CliRunner.run(args);
  }

  /** Reads exactly one JSON document of {@code type} from the CLI's output. */
  static <T> T readOne(String out, Class<T> type) throws IOException {
    return EngramClient.JSON
        .readerFor(type)
        .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .readValue(out);
  }

  static Path write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content, StandardCharsets.UTF_8);
  }
}
