package io.engram.workflows.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The drift workflow's records survive Temporal's default data converter, nulls included. */
class DriftPayloadRoundTripTest {

  private final DataConverter converter = DefaultDataConverter.newDefaultInstance();

  private <T> T roundTrip(T value, Class<T> type) {
    Payload payload = converter.toPayload(value).get();
    return converter.fromPayload(payload, type, type);
  }

  @Test
  void drift_payloads_round_trip() {
    assertThat(roundTrip(DriftRequest.scheduled(), DriftRequest.class))
        .isEqualTo(new DriftRequest(null, true));
    assertThat(roundTrip(new DriftRequest("scifact", false), DriftRequest.class))
        .isEqualTo(new DriftRequest("scifact", false));
    DriftCheck insufficient = new DriftCheck("c", 7, "v1", null, "insufficient_data");
    assertThat(roundTrip(insufficient, DriftCheck.class)).isEqualTo(insufficient);
    DriftSummary summary =
        new DriftSummary(
            List.of(
                new DriftSummary.Checked(
                    new DriftCheck("a", 1, "v1", true, "drift"), DriftSummary.STARTED),
                new DriftSummary.Checked(insufficient, null)));
    assertThat(roundTrip(summary, DriftSummary.class)).isEqualTo(summary);
    RetrainingRequest retraining =
        new RetrainingRequest("a", RetrainingRequest.DRIFT, false, null, Map.of());
    assertThat(roundTrip(retraining, RetrainingRequest.class)).isEqualTo(retraining);
  }
}
