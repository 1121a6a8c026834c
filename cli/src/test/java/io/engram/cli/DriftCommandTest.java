package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.cli.FakeApi.Response;
import io.engram.contract.Drift.DriftReport;
import io.engram.contract.Drift.FeatureDrift;
import io.engram.contract.Drift.Retraining;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@code drift check} against a stand-in API: what it sends and prints for each verdict; the real
 * API's checks are in {@code DriftApiIT}.
 */
class DriftCommandTest {

  private static DriftReport report(Boolean drift, String status, Retraining retraining) {
    Map<String, FeatureDrift> features = new LinkedHashMap<>();
    features.put("query_terms", new FeatureDrift(0.02, 0.05, 0.6, 9.1, 9.3, "stable"));
    features.put("top_dense_score", new FeatureDrift(1.7, 0.62, 1e-40, 0.71, 0.42, "drift"));
    return new DriftReport(
        7,
        "scifact",
        "bge-small-en-v1.5-q-c1024-o200",
        "first-served",
        300,
        drift == null ? 120 : 300,
        drift,
        status,
        features,
        "api",
        "2026-12-06T04:00:00Z",
        retraining);
  }

  @Test
  void json_prints_one_object_with_a_null_verdict_for_insufficient_data() throws Exception {
    List<FakeApi.Request> received = new CopyOnWriteArrayList<>();
    try (FakeApi api = new FakeApi()) {
      api.on(
          "POST",
          "/v1/drift/checks",
          r -> {
            received.add(r);
            return Response.json(200, report(null, "insufficient_data", null));
          });

      CliRunner.Result result =
          CliRunner.run("--api", api.url(), "drift", "check", "--collection", "scifact", "--json");

      assertThat(result.exitCode()).as(result.err()).isZero();
      JsonNode json = EngramClient.JSON.readTree(result.out());
      assertThat(json.has("drift")).isTrue();
      assertThat(json.get("drift").isNull()).isTrue();
      assertThat(json.path("recentQueries").asInt()).isEqualTo(120);
      assertThat(json.path("modelVersion").asText()).isEqualTo("bge-small-en-v1.5-q-c1024-o200");
      assertThat(json.path("features").path("top_dense_score").path("pValue").asDouble())
          .isEqualTo(1e-40);
      // Report only: no retrain field is sent.
      assertThat(received.get(0).json().path("collection").asText()).isEqualTo("scifact");
      assertThat(received.get(0).json().has("retrain")).isFalse();
    }
  }

  @Test
  void text_shows_the_verdict_the_figures_and_the_retraining() throws Exception {
    List<FakeApi.Request> received = new CopyOnWriteArrayList<>();
    try (FakeApi api = new FakeApi()) {
      api.on(
          "POST",
          "/v1/drift/checks",
          r -> {
            received.add(r);
            return Response.json(
                200, report(true, "drift", new Retraining("retrain-scifact", "already_running")));
          });

      CliRunner.Result result =
          CliRunner.run(
              "--api", api.url(), "drift", "check", "--collection", "scifact", "--retrain");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(received.get(0).json().path("retrain").asBoolean()).isTrue();
      assertThat(result.out())
          .contains("scifact: DRIFT")
          .contains("reference 300 queries (first-served), recent 300")
          .contains("top_dense_score")
          .contains("1.700")
          .contains("retraining retrain-scifact: already running");
    }
  }

  @Test
  void retrain_with_too_little_data_says_no_retraining_was_started() throws Exception {
    try (FakeApi api = new FakeApi()) {
      api.on(
          "POST",
          "/v1/drift/checks",
          r -> Response.json(200, report(null, "insufficient_data", null)));

      CliRunner.Result result =
          CliRunner.run(
              "--api", api.url(), "drift", "check", "--collection", "scifact", "--retrain");
      CliRunner.Result without =
          CliRunner.run("--api", api.url(), "drift", "check", "--collection", "scifact");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out())
          .contains("insufficient data")
          .contains(
              "no retraining started: too few queries to judge drift (reference 300,"
                  + " recent 120)")
          .contains("./engram retrain --collection scifact");
      assertThat(without.out()).doesNotContain("no retraining started");
    }
  }

  @Test
  void the_collection_is_required() throws Exception {
    CliRunner.Result result = CliRunner.run("drift", "check");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--collection");
  }
}
