package io.engram.activities.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import io.engram.core.memory.IdleSession;
import io.engram.core.memory.MemoryMaintenance;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.memory.CitationFlush;
import io.engram.workflows.memory.IdleSessionCursor;
import io.engram.workflows.memory.IdleSessionPage;
import io.engram.workflows.memory.MaintenanceActivities;
import io.engram.workflows.memory.TtlCleanup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/** The batch loops of the maintenance activities: where each batch starts and when they stop. */
class MaintenanceActivitiesImplTest {
  private static final int BATCH = 2;
  private static final long NOW = 1_700_000_000_000L;

  private final MemoryMaintenance maintenance = mock(MemoryMaintenance.class);
  private TestActivityEnvironment env;
  private MaintenanceActivities activities;

  @BeforeEach
  void start() {
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(
        new MaintenanceActivitiesImpl(
            maintenance, new MemoryMetrics(new SimpleMeterRegistry()), BATCH));
    activities = env.newActivityStub(MaintenanceActivities.class);
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void flushes_until_a_batch_comes_back_short() {
    when(maintenance.flushCitations(any(), anyInt()))
        .thenReturn(
            new MemoryMaintenance.FlushResult(2, 1, 1), new MemoryMaintenance.FlushResult(1, 0, 1));

    CitationFlush flushed = activities.flushCitations(NOW);

    assertThat(flushed).isEqualTo(new CitationFlush(3, 1, 2));
  }

  @Test
  void decays_batch_after_batch_from_the_last_id_of_the_one_before() {
    when(maintenance.decay(any(), anyLong(), anyInt()))
        .thenReturn(List.of(1L, 2L), List.of(5L, 9L), List.of());

    assertThat(activities.decaySalience(NOW)).isEqualTo(4);

    Instant now = Instant.ofEpochMilli(NOW);
    InOrder order = inOrder(maintenance);
    order.verify(maintenance).decay(now, 0, BATCH);
    order.verify(maintenance).decay(now, 2, BATCH);
    order.verify(maintenance).decay(now, 9, BATCH);
  }

  @Test
  void deletes_expired_facts_then_releases_turns_each_until_a_short_batch() {
    when(maintenance.deleteExpired(any(), anyInt())).thenReturn(2, 1);
    when(maintenance.releaseOrphanTurns(anyInt())).thenReturn(2L, 2L, 0L);

    TtlCleanup cleanup = activities.deleteExpired(NOW);

    assertThat(cleanup).isEqualTo(new TtlCleanup(3, 4));
  }

  @Test
  void stops_a_runaway_loop_after_the_bound() {
    when(maintenance.releaseOrphanTurns(anyInt())).thenReturn((long) BATCH);

    assertThat(activities.deleteExpired(NOW).turnsReleased())
        .isEqualTo((long) BATCH * MaintenanceActivitiesImpl.MAX_BATCHES);
    verify(maintenance, times(MaintenanceActivitiesImpl.MAX_BATCHES)).releaseOrphanTurns(BATCH);
  }

  @Test
  void idle_sessions_after_a_cursor_carry_the_key_of_the_last_one_to_the_microsecond() {
    UUID a = UUID.fromString("00000000-0000-0000-0000-00000000000a");
    UUID b = UUID.fromString("00000000-0000-0000-0000-00000000000b");
    Instant at = Instant.parse("2026-01-05T08:00:00.123456Z");
    IdleSession cursor = new IdleSession(a, at);
    when(maintenance.idleSessionsAfter(any(), any(), anyInt(), any()))
        .thenReturn(List.of(cursor), List.of(new IdleSession(b, at.plusNanos(1_000))), List.of());

    IdleSessionPage first = activities.idleSessionsAfter(NOW, Duration.ofMinutes(30), 1, null);
    IdleSessionPage second =
        activities.idleSessionsAfter(NOW, Duration.ofMinutes(30), 1, first.last());
    IdleSessionPage third =
        activities.idleSessionsAfter(NOW, Duration.ofMinutes(30), 1, second.last());

    assertThat(first)
        .isEqualTo(
            new IdleSessionPage(
                List.of(a.toString()), new IdleSessionCursor(1767600000123456L, a.toString())));
    assertThat(second.sessionIds()).containsExactly(b.toString());
    assertThat(second.last()).isEqualTo(new IdleSessionCursor(1767600000123457L, b.toString()));
    // An empty page keeps the cursor it was read after.
    assertThat(third).isEqualTo(new IdleSessionPage(List.of(), second.last()));
    InOrder order = inOrder(maintenance);
    Instant now = Instant.ofEpochMilli(NOW);
    order.verify(maintenance).idleSessionsAfter(now, Duration.ofMinutes(30), 1, null);
    order.verify(maintenance).idleSessionsAfter(now, Duration.ofMinutes(30), 1, cursor);
  }

  @Test
  void a_malformed_session_id_is_an_unknown_session_for_good() {
    assertThatThrownBy(() -> activities.closeSession("not-a-uuid", NOW))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo(FailureTypes.UNKNOWN_SESSION);
              assertThat(f.isNonRetryable()).isTrue();
            });
    verifyNoInteractions(maintenance);
  }
}
