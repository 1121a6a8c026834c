package io.engram.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.contract.Evaluations.EvaluationRequest;
import io.engram.contract.Evaluations.Part;
import io.engram.contract.Evaluations.Split;
import io.engram.contract.Ingestions.FileRef;
import io.engram.contract.Ingestions.IngestionRequest;
import io.engram.contract.Ingestions.IngestionStarted;
import io.engram.contract.Queries.QueryRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The records as JSON: what a client writes, and that each reads back as itself. */
class ContractJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void requests_leave_out_unset_optional_fields() throws Exception {
    assertThat(JSON.writeValueAsString(new QueryRequest("why?", null, null, null)))
        .isEqualTo("{\"query\":\"why?\"}");
    assertThat(
            JSON.readTree(
                JSON.writeValueAsString(
                    new IngestionRequest(
                        null,
                        null,
                        "/docs",
                        List.of(new FileRef("/docs/a.txt", "ab", 3)),
                        500,
                        null))))
        .isEqualTo(
            JSON.readTree(
                "{\"origin\":\"/docs\",\"files\":[{\"path\":\"/docs/a.txt\",\"sha256\":\"ab\",\"size\":3}],"
                    + "\"chunkSize\":500}"));
  }

  @Test
  void splits_and_parts_are_written_by_their_wire_names() throws Exception {
    EvaluationRequest request =
        new EvaluationRequest(
            "scifact", Split.TRAIN, Part.HELD_OUT, null, null, "q", "r", null, 20);

    JsonNode json = JSON.readTree(JSON.writeValueAsString(request));

    assertThat(json.path("split").asText()).isEqualTo("train");
    assertThat(json.path("part").asText()).isEqualTo("held-out");
    assertThat(JSON.treeToValue(json, EvaluationRequest.class)).isEqualTo(request);
    for (Part part : Part.values()) {
      assertThat(JSON.writeValueAsString(part)).isEqualTo("\"" + part.wireName() + "\"");
    }
    for (Split split : Split.values()) {
      assertThat(JSON.writeValueAsString(split)).isEqualTo("\"" + split.wireName() + "\"");
    }
  }

  @Test
  void responses_read_back_as_themselves() throws Exception {
    IngestionStarted started = new IngestionStarted("ingest-docs-1", "run-1", true);
    Problem problem =
        new Problem(
            "https://engram.dev/problems/invalid-request",
            "Bad Request",
            400,
            "/query: must not be blank",
            "req-1",
            List.of(new Problem.InvalidField("/query", "must not be blank")));

    assertThat(JSON.readValue(JSON.writeValueAsString(started), IngestionStarted.class))
        .isEqualTo(started);
    assertThat(JSON.readValue(JSON.writeValueAsString(problem), Problem.class)).isEqualTo(problem);
    assertThat(JSON.writeValueAsString(new Problem("t", "Not Found", 404, "gone")))
        .isEqualTo("{\"type\":\"t\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"gone\"}");
  }

  @Test
  void retraining_records_read_back_as_themselves_and_pinned_params_stay_text() throws Exception {
    Retrainings.RetrainingRequest request =
        new Retrainings.RetrainingRequest(
            "scifact",
            null,
            new Retrainings.LabelledSet("scifact", Split.DEV, "q", "r"),
            Map.of("denseWeight", "0.6"));
    Retrainings.RetrainingStatus status =
        new Retrainings.RetrainingStatus(
            "retrain-scifact",
            "run-1",
            "COMPLETED",
            "done",
            "force",
            "rejected",
            4,
            List.of(new Retrainings.Gate("floor", false, "0.61 < 0.70")),
            null,
            5,
            2,
            0,
            0.74,
            12L,
            null);
    Retrainings.StudyView study =
        new Retrainings.StudyView(
            12,
            "scifact",
            "tpe",
            "complete",
            "patience",
            "ndcg@10 (fit/validation)",
            "maximize",
            0,
            List.of(
                new Retrainings.TrialView(
                    0,
                    "pruned",
                    null,
                    1.5,
                    Map.of("mode", "dense"),
                    List.of(new Retrainings.Report(1, 0.5)))));

    JsonNode json = JSON.readTree(JSON.writeValueAsString(request));

    assertThat(json.has("force")).isFalse();
    assertThat(json.path("labelled").path("split").asText()).isEqualTo("dev");
    assertThat(json.path("params").path("denseWeight").isTextual()).isTrue();
    assertThat(JSON.treeToValue(json, Retrainings.RetrainingRequest.class)).isEqualTo(request);
    assertThat(JSON.readValue(JSON.writeValueAsString(status), Retrainings.RetrainingStatus.class))
        .isEqualTo(status);
    assertThat(JSON.readValue(JSON.writeValueAsString(study), Retrainings.StudyView.class))
        .isEqualTo(study);
  }
}
