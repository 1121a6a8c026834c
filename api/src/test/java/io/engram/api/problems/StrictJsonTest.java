package io.engram.api.problems;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.engram.contract.Blobs.MissingBlobsRequest;
import io.engram.contract.Evaluations.EvaluationRequest;
import io.engram.contract.Evaluations.Part;
import io.engram.contract.Feedback.FeedbackRequest;
import io.engram.contract.Ingestions.IngestionRequest;
import io.engram.contract.Keys.CreateKey;
import io.engram.contract.Memory.PromotionCall;
import io.engram.contract.Problem.InvalidField;
import io.engram.contract.Queries.QueryRequest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The strict binding rules on their own, against a plain mapper configured as the API's: each
 * malformed body fails, and the failure names the field and what was expected there.
 */
class StrictJsonTest {
  private static final ObjectMapper JSON = StrictJson.configure(JsonMapper.builder().build());

  static Stream<Arguments> malformed() {
    return Stream.of(
        bad(QueryRequest.class, "{\"query\":42}", "/query", "expected a string"),
        bad(QueryRequest.class, "{\"query\":4.2}", "/query", "expected a string"),
        bad(QueryRequest.class, "{\"query\":true}", "/query", "expected a string"),
        bad(QueryRequest.class, "{\"query\":[\"x\"]}", "/query", "expected a string"),
        bad(QueryRequest.class, "{\"query\":{\"x\":1}}", "/query", "expected a string"),
        bad(QueryRequest.class, "{\"query\":\"a\\u0000b\"}", "/query", "NUL character"),
        bad(QueryRequest.class, "{\"query\":\"a\\ud800b\"}", "/query", "unpaired UTF-16"),
        bad(QueryRequest.class, "{\"query\":\"a\\udc00\"}", "/query", "unpaired UTF-16"),
        bad(QueryRequest.class, "{\"query\":\"x\",\"topK\":2.5}", "/topK", "expected an integer"),
        bad(QueryRequest.class, "{\"query\":\"x\",\"topK\":2.0}", "/topK", "expected an integer"),
        bad(QueryRequest.class, "{\"query\":\"x\",\"topK\":\"5\"}", "/topK", "expected an integer"),
        bad(QueryRequest.class, "{\"query\":\"x\",\"topK\":true}", "/topK", "expected an integer"),
        bad(QueryRequest.class, "{\"query\":\"x\",\"topK\":[5]}", "/topK", "expected an integer"),
        bad(
            QueryRequest.class,
            "{\"query\":\"x\",\"topK\":99999999999}",
            "/topK",
            "expected an integer"),
        bad(QueryRequest.class, "{\"query\":\"x\",\"top_k\":5}", "/top_k", "not a field"),
        bad(QueryRequest.class, "[{\"query\":\"x\"}]", "", "expected an object"),
        bad(QueryRequest.class, "\"x\"", "", "expected an object"),
        bad(QueryRequest.class, "42", "", "expected an object"),
        bad(QueryRequest.class, "{not json", "", "is not valid JSON"),
        bad(QueryRequest.class, "{\"query\":\"x\",\"query\":\"y\"}", "", "is not valid JSON"),
        bad(QueryRequest.class, "{\"query\":\"x\"} trailing", "", "is not valid JSON"),
        bad(FeedbackRequest.class, "{\"queryId\":\"q\",\"rating\":\"1\"}", "/rating", "integer"),
        bad(FeedbackRequest.class, "{\"queryId\":\"q\",\"rating\":0.5}", "/rating", "integer"),
        bad(PromotionCall.class, "{\"dryRun\":\"true\"}", "/dryRun", "expected true or false"),
        bad(PromotionCall.class, "{\"dryRun\":1}", "/dryRun", "expected true or false"),
        bad(MissingBlobsRequest.class, "{\"hashes\":\"abc\"}", "/hashes", "expected an array"),
        bad(MissingBlobsRequest.class, "{\"hashes\":[1]}", "/hashes/0", "expected a string"),
        bad(MissingBlobsRequest.class, "{\"hashes\":[null]}", "/hashes/0", "expected a string"),
        bad(CreateKey.class, "{\"scopes\":[\"query\",null]}", "/scopes/1", "expected a string"),
        bad(IngestionRequest.class, "{\"files\":[null]}", "/files/0", "expected an object"),
        bad(
            EvaluationRequest.class,
            "{\"dataset\":\"d\",\"split\":\"validation\"}",
            "/split",
            "one of [test, train, dev]"),
        bad(
            EvaluationRequest.class,
            "{\"dataset\":\"d\",\"part\":1}",
            "/part",
            "one of [all, fit, held-out]"),
        bad(
            IngestionRequest.class,
            "{\"files\":{\"path\":\"a\",\"sha256\":\"b\",\"size\":1}}",
            "/files",
            "expected an array"),
        bad(
            IngestionRequest.class,
            "{\"files\":[{\"path\":\"a\",\"sha256\":\"b\",\"size\":\"1\"}]}",
            "/files/0/size",
            "expected an integer"),
        bad(
            IngestionRequest.class,
            "{\"files\":[{\"path\":\"a\",\"sha256\":\"b\",\"size\":null}]}",
            "/files/0/size",
            "expected an integer"),
        bad(
            IngestionRequest.class,
            "{\"files\":[{\"path\":\"a\\u0000\",\"sha256\":\"b\",\"size\":1}]}",
            "/files/0/path",
            "NUL character"));
  }

  private static Arguments bad(Class<?> type, String body, String pointer, String expected) {
    return Arguments.of(type.getSimpleName(), type, body, pointer, expected);
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("malformed")
  void malformed_bodies_fail_naming_the_field(
      String name, Class<?> type, String body, String pointer, String expected) {
    Throwable failure = catchThrowable(() -> JSON.readValue(body, type));

    assertThat(failure).as("read %s as %s", body, name).isNotNull();
    List<InvalidField> fields = InvalidFields.of(failure);
    assertThat(fields).as(String.valueOf(failure)).hasSize(1);
    assertThat(fields.get(0).pointer()).isEqualTo(pointer);
    assertThat(fields.get(0).detail()).contains(expected);
  }

  @Test
  void well_formed_bodies_bind_as_written() throws Exception {
    assertThat(
            JSON.readValue("{\"query\":\"what? \\ud83d\\ude00\",\"topK\":3}", QueryRequest.class))
        .isEqualTo(new QueryRequest("what? \ud83d\ude00", null, null, 3));
    assertThat(JSON.readValue("{\"query\":\"x\",\"sessionId\":null}", QueryRequest.class))
        .isEqualTo(new QueryRequest("x", null, null, null));
    assertThat(
            JSON.readValue("{\"dataset\":\"d\",\"part\":\"held-out\"}", EvaluationRequest.class)
                .part())
        .isEqualTo(Part.HELD_OUT);
    assertThat(JSON.readValue("{\"dryRun\":true}", PromotionCall.class).dryRun()).isTrue();
  }

  @Test
  void text_defects_are_found_where_they_are() {
    assertThat(CleanText.defect("fine \ud83d\ude00 text")).isEmpty();
    assertThat(CleanText.defect("ab\0")).hasValueSatisfying(d -> assertThat(d).contains("index 2"));
    assertThat(CleanText.defect("\ud83d"))
        .hasValueSatisfying(d -> assertThat(d).contains("index 0"));
    assertThat(CleanText.defect("x\ude00\ud83d"))
        .hasValueSatisfying(d -> assertThat(d).contains("index 1"));
  }
}
