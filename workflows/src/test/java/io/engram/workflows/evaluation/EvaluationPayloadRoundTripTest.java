package io.engram.workflows.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every evaluation record that crosses the workflow history must survive Temporal's default data
 * converter (see the ingestion PayloadRoundTripTest for why).
 */
@Timeout(60)
class EvaluationPayloadRoundTripTest {

  private final DataConverter converter = DefaultDataConverter.newDefaultInstance();

  @Test
  void request_with_model_and_limit_round_trips() {
    EvaluationRequest request =
        new EvaluationRequest(
            "scifact",
            "test",
            "fit",
            "scifact",
            "bge-small-en-v1.5-q-c1024-o200",
            "0".repeat(64),
            "f".repeat(64),
            25,
            20,
            null);

    assertThat(roundTrip(request, EvaluationRequest.class)).isEqualTo(request);
  }

  @Test
  void request_for_the_champion_and_every_query_round_trips() {
    EvaluationRequest copy = roundTrip(EvaluationWorkflowTest.REQUEST, EvaluationRequest.class);

    assertThat(copy).isEqualTo(EvaluationWorkflowTest.REQUEST);
    assertThat(copy.modelVersion()).isNull();
    assertThat(copy.limit()).isNull();
  }

  @Test
  void request_for_a_stored_runs_queries_round_trips_and_takes_no_blobs() {
    EvaluationRequest request =
        new EvaluationRequest("scifact", "test", "all", "scifact", "v3", null, null, null, 0, 42L);

    assertThat(roundTrip(request, EvaluationRequest.class)).isEqualTo(request);
    assertThatThrownBy(
            () ->
                new EvaluationRequest(
                    "scifact",
                    "test",
                    "all",
                    "scifact",
                    "v3",
                    "0".repeat(64),
                    "f".repeat(64),
                    null,
                    0,
                    42L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("either fromRun or the blobs");
  }

  @Test
  void plan_and_batch_scores_round_trip() {
    EvaluationPlan plan = new EvaluationPlan(9_000_000_000L, "all-minilm-l6-v2-q-c1024-o200", 809);
    BatchScores scores = new BatchScores(50, 37.123456789, 35.5, 41.0, 48.75);

    assertThat(roundTrip(plan, EvaluationPlan.class)).isEqualTo(plan);
    assertThat(roundTrip(scores, BatchScores.class)).isEqualTo(scores);
  }

  @Test
  void summary_round_trips() {
    EvaluationSummary summary = EvaluationWorkflowTest.summary(809, 0.7597123);

    assertThat(roundTrip(summary, EvaluationSummary.class)).isEqualTo(summary);
  }

  @Test
  void progress_round_trips_while_preparing_and_when_done() {
    EvaluationProgress preparing =
        new EvaluationProgress("preparing", 0, null, 0, 0, 0, 0, 0, 0, null, null, 0, 0, 0);
    EvaluationProgress done =
        new EvaluationProgress(
            "done",
            42,
            "v1+none",
            809,
            809,
            0.76,
            0.73,
            0.86,
            0.96,
            EvaluationWorkflowTest.summary(809, 0.76),
            "openai:gemma-3-270m",
            20,
            20,
            3);

    assertThat(roundTrip(preparing, EvaluationProgress.class)).isEqualTo(preparing);
    assertThat(roundTrip(done, EvaluationProgress.class)).isEqualTo(done);
  }

  @Test
  void a_request_recorded_before_the_answer_tier_reads_as_retrieval_only() {
    // The input payload of histories/evaluation-happy-path.json, written before 'answers' existed.
    String old =
        "{\"dataset\":\"tiny\",\"split\":\"test\",\"part\":\"all\","
            + "\"collection\":\"tiny-beir\",\"modelVersion\":null,"
            + "\"queriesBlob\":\""
            + "9".repeat(64)
            + "\",\"qrelsBlob\":\""
            + "4".repeat(64)
            + "\",\"limit\":null}";
    Payload payload =
        Payload.newBuilder()
            .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
            .setData(ByteString.copyFromUtf8(old))
            .build();

    EvaluationRequest request =
        converter.fromPayload(payload, EvaluationRequest.class, EvaluationRequest.class);

    assertThat(request.answers()).isNull();
    assertThat(request.answerCount()).isZero();
    assertThat(request.collection()).isEqualTo("tiny-beir");
  }

  @Test
  void answer_scores_and_a_summary_with_and_without_answers_round_trip() {
    AnswerScores scores = new AnswerScores(5, 4);
    AnswerSummary answers =
        new AnswerSummary("openai:gemma-3-270m", 20, 17, 3, 0.8125, 0.61, 0.55, 7300.5);
    AnswerSummary nothingGenerated =
        new AnswerSummary("openai:gemma-3-270m", 2, 0, 2, null, null, 0.5, null);
    EvaluationSummary base = EvaluationWorkflowTest.summary(164, 0.76);
    EvaluationSummary withAnswers =
        new EvaluationSummary(
            base.evalRunId(),
            base.dataset(),
            base.split(),
            base.part(),
            base.collection(),
            base.modelVersion(),
            base.queries(),
            base.ndcgAt10(),
            base.mrrAt10(),
            base.recallAt10(),
            base.recallAt100(),
            base.p50Ms(),
            base.p95Ms(),
            answers);

    assertThat(roundTrip(scores, AnswerScores.class)).isEqualTo(scores);
    assertThat(roundTrip(nothingGenerated, AnswerSummary.class)).isEqualTo(nothingGenerated);
    assertThat(roundTrip(withAnswers, EvaluationSummary.class)).isEqualTo(withAnswers);
    assertThat(roundTrip(base, EvaluationSummary.class).answers()).isNull();
  }

  @Test
  void request_rejects_bad_split_part_hash_limit_and_answers() {
    assertThatThrownBy(() -> request("validation", "all", "a".repeat(64), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("split must be one of [test, train, dev]");
    assertThatThrownBy(() -> request("test", "heldout", "a".repeat(64), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("part must be one of [all, fit, held-out]");
    assertThatThrownBy(() -> request("test", "all", "A".repeat(64), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("queriesBlob");
    assertThatThrownBy(() -> request("test", "all", "a".repeat(64), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit must be positive");
    assertThatThrownBy(
            () ->
                new EvaluationRequest(
                    "d",
                    "test",
                    "all",
                    "c",
                    null,
                    "a".repeat(64),
                    "b".repeat(64),
                    null,
                    1001,
                    null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("answers must be between 0 and 1000");
    assertThatThrownBy(
            () ->
                new EvaluationRequest(
                    "d", "test", "all", "c", null, "a".repeat(64), "b".repeat(64), null, -1, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static EvaluationRequest request(String split, String part, String hash, Integer limit) {
    return new EvaluationRequest(
        "d", split, part, "c", null, hash, "b".repeat(64), limit, null, null);
  }

  private <T> T roundTrip(T value, Class<T> type) {
    Payload payload = converter.toPayload(value).get();
    return converter.fromPayload(payload, type, type);
  }
}
