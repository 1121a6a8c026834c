package io.engram.workflows.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.contract.Memory.PromotionOutcome;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every memory record that crosses a workflow history survives Temporal's default data converter,
 * including the Durations and nested records a replaying worker would otherwise fail to read.
 */
@Timeout(60)
class MemoryPayloadRoundTripTest {

  private final DataConverter converter = DefaultDataConverter.newDefaultInstance();

  private <T> T roundTrip(T value, Class<T> type) {
    Payload payload = converter.toPayload(value).get();
    return converter.fromPayload(payload, type, type);
  }

  @Test
  void distillation_payloads_round_trip() {
    DistillationSummary summary =
        new DistillationSummary("s-1", 42, 3, 1, 5, 2, 1, List.of(7L, 8L), "not JSON");
    DistillationRequest request =
        new DistillationRequest("s-1", 44, Duration.ofMinutes(3), summary);
    assertThat(roundTrip(request, DistillationRequest.class)).isEqualTo(request);
    assertThat(roundTrip(DistillationRequest.of("s-2"), DistillationRequest.class))
        .isEqualTo(DistillationRequest.of("s-2"));
    DistillationBatchResult batch =
        new DistillationBatchResult(9, List.of(1L), List.of(2L), List.of(3L), "llm:x", true);
    assertThat(roundTrip(batch, DistillationBatchResult.class)).isEqualTo(batch);
    assertThat(roundTrip(DistillationSummary.empty("s"), DistillationSummary.class))
        .isEqualTo(DistillationSummary.empty("s"));
  }

  @Test
  void promotion_payloads_round_trip() {
    PromotionOutcome soFar =
        new PromotionOutcome(
            "engram-promotion/r1", false, "promoting", 12, 4, 300, List.of(1L), List.of(2L));
    PromotionRequest request =
        new PromotionRequest(
            true, 0.75, 3, Duration.ofDays(7), 50, new PromotionCursor("k", 4, 99, 1234L, soFar));
    assertThat(roundTrip(request, PromotionRequest.class)).isEqualTo(request);
    assertThat(roundTrip(PromotionRequest.defaults(false), PromotionRequest.class))
        .isEqualTo(PromotionRequest.defaults(false));
    PromotionBatch batch = new PromotionBatch("k", 2, 10, 0.8, 5, 604800000L, 100, 99L, false);
    assertThat(roundTrip(batch, PromotionBatch.class)).isEqualTo(batch);
    PromotionBatchResult result =
        new PromotionBatchResult(List.of(1L, 2L), List.of(5L, 6L), 2, true, false);
    assertThat(roundTrip(result, PromotionBatchResult.class)).isEqualTo(result);
    assertThat(roundTrip(soFar, PromotionOutcome.class)).isEqualTo(soFar);
  }

  @Test
  void maintenance_and_ingest_payloads_round_trip() {
    MaintenanceRequest request =
        new MaintenanceRequest(MaintenanceJob.SESSION_CLEANUP, Duration.ofMinutes(45), 10);
    assertThat(roundTrip(request, MaintenanceRequest.class)).isEqualTo(request);
    MaintenanceResult result = new MaintenanceResult("salience", "done", 1, 2, 3, 4, 5, 6, 7);
    assertThat(roundTrip(result, MaintenanceResult.class)).isEqualTo(result);
    MaintenanceRequest continued = request.continuing(result);
    assertThat(roundTrip(continued, MaintenanceRequest.class)).isEqualTo(continued);
    IdleSessionCursor cursor =
        new IdleSessionCursor(1767600000123456L, "0b5e4f4e-6c1d-4c1a-9d7e-2f1d2c3b4a59");
    MaintenanceRequest after = request.continuing(result, cursor);
    assertThat(roundTrip(after, MaintenanceRequest.class)).isEqualTo(after);
    IdleSessionPage page = new IdleSessionPage(List.of(cursor.sessionId()), cursor);
    assertThat(roundTrip(page, IdleSessionPage.class)).isEqualTo(page);
    assertThat(roundTrip(new IdleSessionPage(List.of(), null), IdleSessionPage.class))
        .isEqualTo(new IdleSessionPage(List.of(), null));
    // What a schedule recorded before runs carried their counts: the field is absent.
    MaintenanceRequest older =
        converter.fromPayload(
            converter
                .toPayload(
                    java.util.Map.of(
                        "job", "SESSION_CLEANUP", "sessionIdle", 1800, "maxSessions", 200))
                .orElseThrow(),
            MaintenanceRequest.class,
            MaintenanceRequest.class);
    assertThat(older)
        .isEqualTo(
            new MaintenanceRequest(MaintenanceJob.SESSION_CLEANUP, Duration.ofMinutes(30), 200));
    assertThat(roundTrip(new CitationFlush(1, 2, 3), CitationFlush.class))
        .isEqualTo(new CitationFlush(1, 2, 3));
    assertThat(roundTrip(new TtlCleanup(4, 5), TtlCleanup.class)).isEqualTo(new TtlCleanup(4, 5));
    assertThat(roundTrip(new SessionClosed(true, 3), SessionClosed.class))
        .isEqualTo(new SessionClosed(true, 3));
    IncrementalIngestRequest ingest =
        new IncrementalIngestRequest(List.of(new IngestSource("notes", "/srv/notes")));
    assertThat(roundTrip(ingest, IncrementalIngestRequest.class)).isEqualTo(ingest);
    IncrementalIngestResult outcome =
        new IncrementalIngestResult(
            List.of(
                new IngestOutcome(
                    "notes", "/srv/notes", "completed", "ingest-notes-1", 3, 1, 2, 0, 0, null)));
    assertThat(roundTrip(outcome, IncrementalIngestResult.class)).isEqualTo(outcome);
  }

  @Test
  void requests_refuse_values_a_run_could_not_use() {
    assertThatThrownBy(() -> new PromotionRequest(false, 1.5, 5, Duration.ofDays(7), 100, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PromotionRequest(false, 0.8, 5, Duration.ofDays(7), 0, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DistillationRequest(" ", 0, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MaintenanceRequest(MaintenanceJob.SALIENCE, Duration.ZERO, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(MaintenanceRequest.of(MaintenanceJob.SALIENCE).sessionIdle())
        .isEqualTo(MaintenanceRequest.DEFAULT_SESSION_IDLE);
  }

  @Test
  void schedule_ids_are_stable() {
    assertThat(MemoryJobs.SCHEDULED.stream().map(MemoryJobs::scheduleId))
        .containsExactly(
            "engram-promotion",
            "engram-salience",
            "engram-ttl-cleanup",
            "engram-session-cleanup",
            "engram-incremental-ingest");
    assertThat(MemoryJobs.batchLabel(1767668400123L)).isEqualTo("2026-01-06T03:00:00Z");
  }
}
