package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.contract.Collections.DocumentPage;
import io.engram.contract.Collections.DocumentRemoved;
import io.engram.contract.Collections.DocumentView;
import io.engram.testing.EngramServices;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./engram collections} against a real API, over what a real ingestion stored. */
@EngramServices
@ExtendWith(RealEngram.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CollectionsCommandIT {

  @TempDir Path tmp;

  @Test
  void lists_collections_and_failed_documents_and_removes_a_document() throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("shelf"));
    Files.writeString(docs.resolve("tea.txt"), "Green tea is brewed at eighty degrees.");
    Files.writeString(docs.resolve("bees.txt"), "Bees dance to show where food is.");
    Files.writeString(docs.resolve("empty.txt"), "", StandardCharsets.UTF_8);
    CliRunner.Result ingested = cli("ingest", docs.toString(), "--collection", "cli-shelf");
    assertThat(ingested.exitCode()).as(ingested.err()).isZero();

    CliRunner.Result list = cli("collections", "list");
    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(list.out())
        .containsPattern("COLLECTION\\s+ACTIVE\\s+FAILED\\s+TOMBSTONED")
        .containsPattern("cli-shelf\\s+2\\s+1\\s+0");

    CliRunner.Result failed =
        cli("collections", "documents", "cli-shelf", "--status", "failed", "--json");
    assertThat(failed.exitCode()).as(failed.err()).isZero();
    DocumentPage page = IngestCommandIT.readOne(failed.out(), DocumentPage.class);
    assertThat(page.documents())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.source()).endsWith("empty.txt");
              assertThat(d.status()).isEqualTo("failed");
              assertThat(d.error()).isNotBlank();
            });

    CliRunner.Result paged = cli("collections", "documents", "cli-shelf", "--limit", "1");
    assertThat(paged.exitCode()).as(paged.err()).isZero();
    assertThat(paged.out())
        .contains("more: ./engram collections documents cli-shelf --limit 1 --after ");
    CliRunner.Result none = cli("collections", "documents", "cli-shelf", "--status", "tombstoned");
    assertThat(none.exitCode()).as(none.err()).isZero();
    assertThat(none.out()).contains("no documents");
    CliRunner.Result badStatus = cli("collections", "documents", "cli-shelf", "--status", "gone");
    assertThat(badStatus.exitCode()).isEqualTo(2);
    assertThat(badStatus.err()).contains("--status must be one of active, failed, tombstoned");

    DocumentView tea =
        IngestCommandIT.readOne(
                cli("collections", "documents", "cli-shelf", "--status", "active", "--json").out(),
                DocumentPage.class)
            .documents()
            .stream()
            .filter(d -> d.source().endsWith("tea.txt"))
            .findFirst()
            .orElseThrow();
    CliRunner.Result shown = cli("collections", "show", "cli-shelf", Long.toString(tea.id()));
    assertThat(shown.exitCode()).as(shown.err()).isZero();
    assertThat(shown.out())
        .contains("document " + tea.id() + ": ", "tea.txt", "  status   active")
        .containsPattern("INDEX\\s+MODEL\\s+CHUNKING\\s+CHUNKS\\s+CONTENT\\s+SERVING")
        .containsPattern("\\s1\\s+current\\s+yes\\s")
        .contains("  [0] Green tea is brewed at eighty degrees.");

    CliRunner.Result removed =
        cli("collections", "remove", "cli-shelf", Long.toString(tea.id()), "--json");
    assertThat(removed.exitCode()).as(removed.err()).isZero();
    DocumentRemoved receipt = IngestCommandIT.readOne(removed.out(), DocumentRemoved.class);
    assertThat(receipt.chunksRemoved()).isEqualTo(1);
    assertThat(receipt.previousStatus()).isEqualTo("active");
    CliRunner.Result again = cli("collections", "remove", "cli-shelf", Long.toString(tea.id()));
    assertThat(again.out()).contains("was removed already");
    assertThat(cli("collections", "list").out()).containsPattern("cli-shelf\\s+1\\s+1\\s+1");

    CliRunner.Result unknown = cli("collections", "remove", "cli-shelf", "999999999");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("has no document 999999999");
  }

  private static CliRunner.Result cli(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--api";
    all[1] = RealEngram.url();
    System.arraycopy(args, 0, all, 2, args.length);
    return CliRunner.run(all);
  }
}
