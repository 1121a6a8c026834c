package io.engram.core.memory;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.engram.core.config.EngramSettings;
import io.engram.core.db.EngramJdbi;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Idle sessions read page after page on a real PostgreSQL: keyset paging over {@code
 * (last_active_at, id)} sees each idle session once, ties and microseconds included, while a
 * session left open stays at the head of the plain query.
 */
@EngramServices
class IdleSessionsIT {
  private static final Instant NOW = Instant.parse("2026-01-05T09:00:00Z");
  private static final Duration IDLE = Duration.ofMinutes(30);
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private HikariDataSource db;
  private Jdbi jdbi;
  private WorkingMemory working;
  private MemoryMaintenance maintenance;

  /** A database per test: the queries read every session. */
  @BeforeEach
  void setUp() {
    db =
        EngramServicesExtension.postgres()
            .migratedDatabase("idle_sessions_it_" + DATABASES.incrementAndGet(), 2);
    jdbi = EngramJdbi.create(db);
    working = new WorkingMemory(jdbi);
    maintenance = new MemoryMaintenance(jdbi, EngramSettings.defaults().memory());
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  /** A session last active at {@code at}. */
  private IdleSession session(Instant at) {
    UUID id = working.createSession("default", null);
    jdbi.useHandle(
        h ->
            h.createUpdate("UPDATE sessions SET last_active_at = :at WHERE id = :id")
                .bind("at", MemorySql.ts(at))
                .bind("id", id)
                .execute());
    return new IdleSession(id, at);
  }

  /**
   * PostgreSQL orders uuids by their bytes, unsigned, which is the order of their lower-case text.
   */
  private static final Comparator<IdleSession> KEY_ORDER =
      Comparator.comparing(IdleSession::lastActiveAt).thenComparing(s -> s.id().toString());

  @Test
  void pages_after_the_last_session_of_the_page_before_see_each_idle_session_once() {
    Instant tie = NOW.minus(Duration.ofHours(2));
    List<IdleSession> idle = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      idle.add(session(tie));
    }
    // One microsecond apart, PostgreSQL's resolution: a cursor rounded to the millisecond would
    // read the first of them again.
    Instant micros = NOW.minus(Duration.ofHours(1)).plusNanos(123_456_000);
    idle.add(session(micros));
    idle.add(session(micros.plusNanos(1_000)));
    IdleSession recent = session(NOW.minus(Duration.ofMinutes(1)));
    IdleSession closed = session(NOW.minus(Duration.ofHours(3)));
    maintenance.closeSession(closed.id(), NOW);
    idle.sort(KEY_ORDER);

    List<List<IdleSession>> pages = new ArrayList<>();
    IdleSession after = null;
    for (List<IdleSession> page = maintenance.idleSessionsAfter(NOW, IDLE, 2, after);
        !page.isEmpty();
        page = maintenance.idleSessionsAfter(NOW, IDLE, 2, after)) {
      pages.add(page);
      after = page.get(page.size() - 1);
    }

    // The three tied sessions span the first two pages; the microseconds the last two.
    assertThat(pages).containsExactly(idle.subList(0, 2), idle.subList(2, 4), idle.subList(4, 5));
    assertThat(pages.stream().flatMap(List::stream).map(IdleSession::id))
        .doesNotContain(recent.id(), closed.id());
  }

  @Test
  void a_session_left_open_heads_every_plain_page_but_only_the_first_keyset_page() {
    List<IdleSession> idle = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      idle.add(session(NOW.minus(Duration.ofHours(4 - i))));
    }

    // Nothing is closed, as when distillation keeps failing: the plain query repeats its head.
    List<UUID> head = idle.subList(0, 2).stream().map(IdleSession::id).toList();
    assertThat(maintenance.idleSessions(NOW, IDLE, 2)).isEqualTo(head);
    assertThat(maintenance.idleSessions(NOW, IDLE, 2)).isEqualTo(head);

    List<IdleSession> first = maintenance.idleSessionsAfter(NOW, IDLE, 2, null);
    assertThat(first).isEqualTo(idle.subList(0, 2));
    // A session closed meanwhile is not read, the rest still is.
    maintenance.closeSession(idle.get(2).id(), NOW);
    assertThat(maintenance.idleSessionsAfter(NOW, IDLE, 2, first.get(1)))
        .containsExactly(idle.get(3));
    assertThat(maintenance.idleSessionsAfter(NOW, IDLE, 2, idle.get(3))).isEmpty();
  }
}
