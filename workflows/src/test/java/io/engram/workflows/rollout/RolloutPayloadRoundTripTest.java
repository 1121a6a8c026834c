package io.engram.workflows.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rollout workflow's records survive Temporal's default data converter, nulls included. */
class RolloutPayloadRoundTripTest {

  private final DataConverter converter = DefaultDataConverter.newDefaultInstance();

  private <T> T roundTrip(T value, Class<T> type) {
    Payload payload = converter.toPayload(value).get();
    return converter.fromPayload(payload, type, type);
  }

  @Test
  void rollout_payloads_round_trip() {
    RolloutRequest plain = ScriptedRollout.request();
    assertThat(roundTrip(plain, RolloutRequest.class)).isEqualTo(plain);
    RolloutStarted started =
        new RolloutStarted(3, 1, 2, 3, false, new RolloutStarted.Timings(1, 2, 3, 4_000, 5, 6));
    RolloutVerdict verdict =
        new RolloutVerdict(RolloutVerdict.BETTER, "wins", 0.05, 40, 12, 3.4, 3.0, false, null);
    RolloutVerdict failing =
        new RolloutVerdict(
            RolloutVerdict.WAIT, "2 of 60", 0.01, 0, 0, 0, 3.0, false, "candidate errors: 2 of 2");
    assertThat(roundTrip(failing, RolloutVerdict.class)).isEqualTo(failing);
    RolloutRequest carried =
        new RolloutRequest(
                "scifact",
                4,
                RolloutRequest.STAGED,
                "retraining",
                null,
                new PlanOverrides(
                    0.5,
                    10,
                    1_000L,
                    List.of(0.1, 0.5),
                    2_000L,
                    20,
                    0.3,
                    null,
                    null,
                    null,
                    null,
                    0.05,
                    500,
                    600_000L,
                    1_000L))
            .continuing(
                new RolloutRequest.Carried(
                    started,
                    RolloutStatus.CANARY,
                    2,
                    10,
                    5,
                    0,
                    verdict,
                    List.of(
                        new RolloutRequest.Signalled("pause", new RolloutSignal("bob", null)))));
    assertThat(roundTrip(carried, RolloutRequest.class)).isEqualTo(carried);
    assertThat(roundTrip(PlanOverrides.NONE, PlanOverrides.class)).isEqualTo(PlanOverrides.NONE);
    RolloutResult refused = new RolloutResult(null, RolloutResult.REFUSED, "no", 0, 1);
    assertThat(roundTrip(refused, RolloutResult.class)).isEqualTo(refused);
    RolloutStatus status =
        new RolloutStatus(3L, "scifact", 1, 2, RolloutStatus.CANARY, 1, true, verdict, null);
    assertThat(roundTrip(status, RolloutStatus.class)).isEqualTo(status);
  }
}
