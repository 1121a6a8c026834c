package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.cli.FakeApi.Response;
import io.engram.contract.Collections;
import io.engram.contract.Collections.CollectionView;
import io.engram.contract.Collections.DeletionStarted;
import io.engram.contract.Collections.DeletionStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code collections delete} against a stand-in API: it asks first (and without a terminal refuses
 * unless {@code --yes}), deletes only on the collection's name typed back, follows the deletion to
 * the end and prints the rows deleted by kind; {@code --no-wait} returns after the 202. The real
 * API's deletion is in {@code CollectionDeletionApiIT}.
 */
class CollectionsDeleteCommandTest {
  private static final String WORKFLOW = "delete-collection-notes";

  private static Map<String, Long> deleted() {
    Map<String, Long> deleted = new LinkedHashMap<>();
    deleted.put("query_log", 3L);
    deleted.put("sessions", 0L);
    deleted.put("chunks", 120L);
    deleted.put("documents", 12L);
    deleted.put(Collections.COLLECTION_ROW, 1L);
    return deleted;
  }

  /** An API with collection notes whose deletion runs once, then is done. */
  private static FakeApi api() throws Exception {
    AtomicInteger polls = new AtomicInteger();
    return new FakeApi()
        .on(
            "GET",
            "/v1/collections/notes",
            r -> Response.json(200, new CollectionView("notes", 10, 1, 1)))
        .on(
            "DELETE",
            "/v1/collections/notes",
            r -> Response.json(202, new DeletionStarted(WORKFLOW, "notes")))
        .on(
            "GET",
            "/v1/collections/notes/deletion",
            r ->
                Response.json(
                    200,
                    polls.getAndIncrement() == 0
                        ? new DeletionStatus(
                            WORKFLOW,
                            "notes",
                            "RUNNING",
                            "deleting",
                            "chunks",
                            Map.of("query_log", 3L),
                            null)
                        : new DeletionStatus(
                            WORKFLOW, "notes", "COMPLETED", "done", null, deleted(), null)));
  }

  /**
   * An API as an {@code admin}-only key sees it: the deletion is accepted, but reading the
   * collection and the deletion's status need scopes the key lacks.
   */
  private static FakeApi adminOnlyApi() throws Exception {
    return new FakeApi()
        .on(
            "DELETE",
            "/v1/collections/notes",
            r -> Response.json(202, new DeletionStarted(WORKFLOW, "notes")))
        .on(
            "GET",
            "/v1/collections/notes(/deletion)?",
            r ->
                Response.problem(
                    403,
                    "Forbidden",
                    "this endpoint needs an API key with scope 'ingest'; this key has [admin]"));
  }

  /**
   * {@code collections delete ARGS} run against {@code api}, asking the user through {@code
   * terminal}.
   */
  private static CliRunner.Result delete(Terminal terminal, FakeApi api, String... args) {
    List<String> line = new ArrayList<>(List.of("--api", api.url(), "collections", "delete"));
    line.addAll(List.of(args));
    return CliRunner.run(terminal, line.toArray(String[]::new));
  }

  @Test
  void without_a_terminal_and_without_yes_it_refuses_and_deletes_nothing() throws Exception {
    try (FakeApi api = api()) {
      CliRunner.Result result = delete(CliRunner.NO_TERMINAL, api, "notes");

      assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
      assertThat(result.err()).contains("pass --yes");
      assertThat(api.requests("DELETE", "/v1/collections/notes")).isEmpty();
    }
  }

  @Test
  void an_empty_name_is_a_usage_error_and_sends_nothing() throws Exception {
    try (FakeApi api = api()) {
      CliRunner.Result result = delete(CliRunner.NO_TERMINAL, api, "", "--yes");

      assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
      assertThat(result.err()).contains("COLLECTION must name a collection");
      assertThat(api.requests("DELETE", "/v1/collections/")).isEmpty();
    }
  }

  @Test
  void asks_and_deletes_only_when_the_name_is_typed_back() throws Exception {
    try (FakeApi api = api()) {
      List<String> asked = new ArrayList<>();
      CliRunner.Result refused = delete(CliRunner.answering("yes", asked), api, "notes");

      assertThat(refused.exitCode()).isEqualTo(CliException.FAILURE);
      assertThat(refused.err()).contains("not deleted");
      assertThat(asked)
          .singleElement()
          .asString()
          .contains("Delete collection 'notes' with its 12 documents")
          .contains("cannot be undone");
      assertThat(api.requests("DELETE", "/v1/collections/notes")).isEmpty();

      CliRunner.Result deleted = delete(CliRunner.answering("notes", asked), api, "notes");

      assertThat(deleted.exitCode()).as(deleted.err()).isZero();
      assertThat(api.requests("DELETE", "/v1/collections/notes")).hasSize(1);
      // The collection's own row counts, in the summary as in the last progress line.
      assertThat(deleted.out()).contains("deleted collection 'notes' (136 rows)");
      assertThat(deleted.out().lines().toList())
          .anySatisfy(l -> assertThat(l).matches("chunks\\s+120"))
          .anySatisfy(l -> assertThat(l).matches("documents\\s+12"))
          .anySatisfy(l -> assertThat(l).matches("collections\\s+1"))
          .noneSatisfy(l -> assertThat(l).startsWith("sessions"));
      assertThat(deleted.err().lines().toList())
          .contains("deleting notes deleting chunks, 3 rows")
          .last()
          .isEqualTo("deleting notes done, 136 rows");
    }
  }

  @Test
  void a_deletion_that_found_nothing_left_does_not_claim_it_deleted_the_collection() {
    StringWriter out = new StringWriter();
    CollectionsCommand.Delete.print(
        new PrintWriter(out, true),
        new DeletionStatus(WORKFLOW, "notes", "COMPLETED", "done", null, Map.of(), null));

    assertThat(out.toString())
        .isEqualTo("nothing was left to delete of collection 'notes': it was deleted already\n");
  }

  @Test
  void yes_deletes_without_asking_and_no_wait_returns_after_the_202_with_json() throws Exception {
    try (FakeApi api = api()) {
      List<String> asked = new ArrayList<>();
      CliRunner.Result result =
          delete(CliRunner.answering("notes", asked), api, "notes", "--yes", "--no-wait", "--json");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(asked).isEmpty();
      assertThat(EngramClient.JSON.readTree(result.out()).path("workflowId").asText())
          .isEqualTo(WORKFLOW);
      assertThat(api.requests("GET", "/v1/collections/notes/deletion")).isEmpty();
    }
  }

  @Test
  void a_deletion_accepted_but_not_followed_is_reported_as_accepted_and_running() throws Exception {
    try (FakeApi api = adminOnlyApi()) {
      CliRunner.Result result = delete(CliRunner.NO_TERMINAL, api, "notes", "--yes");

      assertThat(api.requests("DELETE", "/v1/collections/notes")).hasSize(1);
      assertThat(result.exitCode()).isEqualTo(CliException.FAILURE);
      assertThat(result.out())
          .contains("the deletion of collection 'notes' was accepted and runs on")
          .contains("workflow " + WORKFLOW);
      assertThat(result.err())
          .contains("following the deletion failed: Forbidden")
          .contains("it runs on regardless")
          .contains("./engram collections delete notes --yes")
          .contains("GET /v1/collections/notes/deletion");
    }
  }

  @Test
  void with_json_a_deletion_not_followed_prints_the_accepted_document() throws Exception {
    try (FakeApi api = adminOnlyApi()) {
      CliRunner.Result result = delete(CliRunner.NO_TERMINAL, api, "notes", "--yes", "--json");

      assertThat(result.exitCode()).isEqualTo(CliException.FAILURE);
      assertThat(EngramClient.JSON.readTree(result.out()).path("workflowId").asText())
          .isEqualTo(WORKFLOW);
      assertThat(result.err()).contains("it runs on regardless");
    }
  }

  @Test
  void a_preview_the_key_may_not_read_names_the_scope_and_deletes_nothing() throws Exception {
    try (FakeApi api = adminOnlyApi()) {
      List<String> asked = new ArrayList<>();
      CliRunner.Result result = delete(CliRunner.answering("notes", asked), api, "notes");

      assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
      assertThat(result.err())
          .contains("nothing was deleted")
          .contains("scope 'query'")
          .contains("pass --yes");
      assertThat(asked).isEmpty();
      assertThat(api.requests("DELETE", "/v1/collections/notes")).isEmpty();
    }
  }

  @Test
  void json_without_no_wait_is_the_final_status() throws Exception {
    try (FakeApi api = api()) {
      CliRunner.Result result = delete(CliRunner.NO_TERMINAL, api, "notes", "--yes", "--json");

      assertThat(result.exitCode()).as(result.err()).isZero();
      var json = EngramClient.JSON.readTree(result.out());
      assertThat(json.path("status").asText()).isEqualTo("COMPLETED");
      assertThat(json.path("deleted").path("chunks").asLong()).isEqualTo(120);
    }
  }
}
