package io.engram.activities.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.engram.core.collection.CollectionDeletion;
import io.engram.core.collection.CollectionRegistry;
import io.engram.workflows.collection.CollectionDeletionActivities;
import io.temporal.testing.TestActivityEnvironment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The deletion's activities over a mocked core: a purge heartbeats its running count after every
 * batch and, when retried, adds to what the last attempt's heartbeat reported; a collection that is
 * not there has nothing to purge.
 */
class CollectionDeletionActivitiesImplTest {
  private final TestActivityEnvironment env = TestActivityEnvironment.newInstance();
  private final CollectionDeletion deletion = mock(CollectionDeletion.class);

  @AfterEach
  void close() {
    env.close();
  }

  private CollectionDeletionActivities activities() {
    env.registerActivitiesImplementations(new CollectionDeletionActivitiesImpl(deletion));
    return env.newActivityStub(CollectionDeletionActivities.class);
  }

  @Test
  void a_retried_purge_counts_on_from_the_last_heartbeat() {
    when(deletion.purge(eq("notes"), eq("chunks"), any()))
        .thenAnswer(
            call -> {
              LongConsumer progress = call.getArgument(2);
              progress.accept(1000);
              progress.accept(1400);
              return 1400L;
            });
    List<Long> heartbeats = new ArrayList<>();
    env.setActivityHeartbeatListener(Long.class, heartbeats::add);
    // The attempt before this one had deleted 3000 rows when it last heartbeat.
    env.setHeartbeatDetails(3000L);

    long deleted = activities().purge("notes", "chunks");

    assertThat(deleted).isEqualTo(4400);
    // At once the last attempt's 3000 (the first batch may take a while), then counted on from
    // it; the SDK throttles heartbeats, so later ones of a quick purge may be coalesced.
    assertThat(heartbeats).first().isEqualTo(3000L);
    assertThat(heartbeats).isSubsetOf(3000L, 4000L, 4400L);
  }

  @Test
  void begin_returns_the_kinds_in_order_or_none_for_a_collection_that_is_not_there() {
    when(deletion.begin("notes")).thenReturn(CollectionRegistry.State.ACTIVE);
    when(deletion.begin("gone")).thenReturn(CollectionRegistry.State.ABSENT);
    CollectionDeletionActivities activities = activities();

    assertThat(activities.begin("notes")).isEqualTo(CollectionDeletion.kinds());
    assertThat(CollectionDeletion.kinds()).startsWith("rollout_observations").endsWith("documents");
    assertThat(activities.begin("gone")).isEmpty();
  }
}
