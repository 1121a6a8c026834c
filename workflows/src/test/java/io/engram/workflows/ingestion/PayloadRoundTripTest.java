package io.engram.workflows.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every record that crosses the workflow history must survive Temporal's default data converter; a
 * field Jackson cannot read back would only show up when a worker replays or resumes a run.
 */
@Timeout(60)
class PayloadRoundTripTest {

  private final DataConverter converter = DefaultDataConverter.newDefaultInstance();

  @Test
  void ingestion_request_with_a_path_round_trips() {
    IngestionRequest request =
        new IngestionRequest("default", "/srv/docs", "/srv/docs", null, 512, 64);

    assertThat(roundTrip(request, IngestionRequest.class)).isEqualTo(request);
  }

  @Test
  void ingestion_request_with_a_manifest_and_no_overrides_round_trips() {
    IngestionRequest request =
        new IngestionRequest("Research", "upload:notes", null, "manifest-42", null, null);

    IngestionRequest copy = roundTrip(request, IngestionRequest.class);

    assertThat(copy).isEqualTo(request);
    assertThat(copy.path()).isNull();
    assertThat(copy.chunkSize()).isNull();
    assertThat(copy.chunkOverlap()).isNull();
  }

  @Test
  void discovery_result_round_trips() {
    DiscoveryResult result = new DiscoveryResult(3, 45, 5, 40, 2, List.of("a.md", "dir/b.pdf"));

    assertThat(roundTrip(result, DiscoveryResult.class)).isEqualTo(result);
  }

  @Test
  void discovery_result_with_no_tombstones_round_trips() {
    DiscoveryResult result = new DiscoveryResult(1, 0, 0, 0, 0, List.of());

    assertThat(roundTrip(result, DiscoveryResult.class)).isEqualTo(result);
  }

  @Test
  void discovery_result_with_duplicates_round_trips_and_an_older_one_reads_as_none() {
    DiscoveryResult result =
        new DiscoveryResult(1, 3, 0, 3, 0, List.of(), 2, List.of("c.jsonl#a", "c.jsonl#a"));

    assertThat(roundTrip(result, DiscoveryResult.class)).isEqualTo(result);
    // What a run recorded before duplicates were reported: the fields are absent.
    DiscoveryResult older =
        converter.fromPayload(
            converter
                .toPayload(
                    java.util.Map.of(
                        "indexVersionId",
                        1,
                        "total",
                        3,
                        "skipped",
                        0,
                        "pending",
                        3,
                        "tombstoned",
                        0,
                        "tombstonedSample",
                        List.of()))
                .orElseThrow(),
            DiscoveryResult.class,
            DiscoveryResult.class);
    assertThat(older).isEqualTo(new DiscoveryResult(1, 3, 0, 3, 0, List.of()));
  }

  @Test
  void batch_result_round_trips() {
    BatchResult result =
        new BatchResult(
            30,
            2,
            117,
            List.of(
                new DocumentError("docs/secret.pdf", "encrypted PDF"),
                new DocumentError("docs/ünïcödé.txt", "invalid UTF-8 at byte 12")));

    assertThat(roundTrip(result, BatchResult.class)).isEqualTo(result);
  }

  @Test
  void document_error_round_trips_including_a_missing_reason() {
    DocumentError error = new DocumentError("docs/a.md", "too large");
    DocumentError withoutReason = new DocumentError("docs/b.md", null);

    assertThat(roundTrip(error, DocumentError.class)).isEqualTo(error);
    assertThat(roundTrip(withoutReason, DocumentError.class)).isEqualTo(withoutReason);
  }

  @Test
  void ingestion_progress_round_trips() {
    IngestionProgress progress =
        new IngestionProgress(
            "embedding",
            100,
            40,
            30,
            1,
            2,
            5_000_000_000L,
            List.of(new DocumentError("docs/broken.pdf", "unreadable PDF")),
            List.of("gone.md", "old.md"),
            9,
            new ValidationReport(
                39,
                1,
                16,
                1,
                List.of("1 of the 16 documents probed were not found"),
                List.of(new DocumentError("docs/lost.md", "index holds 1 of 3 chunks"))));

    assertThat(roundTrip(progress, IngestionProgress.class)).isEqualTo(progress);
  }

  @Test
  void ingestion_request_rejects_both_path_and_manifest() {
    assertThatThrownBy(
            () -> new IngestionRequest("default", "/srv/docs", "/srv/docs", "m-1", null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exactly one of path, manifestId and rebuild");
  }

  @Test
  void ingestion_request_rejects_neither_path_nor_manifest() {
    assertThatThrownBy(() -> new IngestionRequest("default", "/srv/docs", null, null, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exactly one of path, manifestId and rebuild");
  }

  @Test
  void a_rebuild_round_trips_and_takes_no_other_source() {
    IngestionRequest rebuild =
        IngestionRequest.rebuild("notes", new IndexParams("all-minilm-l6-v2-q", 512, 64));
    IngestionRequest copy = roundTrip(rebuild, IngestionRequest.class);

    assertThat(copy).isEqualTo(rebuild);
    assertThat(copy.rebuilds()).isTrue();
    assertThat(copy.origin()).isEqualTo(IngestionRequest.REBUILD_ORIGIN);
    assertThat(copy.embeddingModel()).isEqualTo("all-minilm-l6-v2-q");
    assertThat(roundTrip(copy.resumingAt(null), IngestionRequest.class).rebuilds()).isTrue();
    assertThat(
            new IngestionRequest("default", "/srv/docs", "/srv/docs", null, null, null).rebuilds())
        .isFalse();
    assertThatThrownBy(
            () ->
                new IngestionRequest(
                    "notes", "/srv/docs", "/srv/docs", null, null, null, null, true, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exactly one of path, manifestId and rebuild");
    assertThatThrownBy(() -> new IngestionRequest("notes", "(rebuild)", null, "m-1", null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is a rebuild's");
  }

  private <T> T roundTrip(T value, Class<T> type) {
    Payload payload = converter.toPayload(value).get();
    return converter.fromPayload(payload, type, type);
  }
}
