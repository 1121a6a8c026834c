package io.engram.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.PostgresServer;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;

/**
 * Migration V25 on a database holding what older versions stored: sessions started with userId ""
 * (accepted until request labels were checked), which were one user named "" sharing their facts.
 * After it, they are anonymous sessions whose facts are their own, and a blank user id cannot be
 * stored again.
 */
@EngramServices
class BlankUserIdsMigrationIT {

  @Test
  void a_blank_user_id_becomes_no_user_and_cannot_be_stored_again() {
    PostgresServer pg = EngramServicesExtension.postgres();
    String url = pg.createDatabase("blank_user_ids_it");
    Flyway.configure()
        .dataSource(url, pg.user(), pg.password())
        .locations("classpath:db/migration")
        .target("24")
        .load()
        .migrate();
    Jdbi jdbi = Jdbi.create(url, pg.user(), pg.password());
    UUID blank = UUID.randomUUID();
    UUID spaces = UUID.randomUUID();
    UUID ada = UUID.randomUUID();
    jdbi.useHandle(
        h -> {
          h.execute(
              "INSERT INTO sessions (id, collection, user_id) VALUES (?, 'default', ''),"
                  + " (?, 'default', '  '), (?, 'default', 'ada')",
              blank,
              spaces,
              ada);
          for (UUID session : List.of(blank, spaces, ada)) {
            h.execute(
                "INSERT INTO episodic_facts (session_id, user_id, collection, subject, kind, text,"
                    + " normalized_text, embedding, embedding_model, confidence, salience,"
                    + " salience_at, created_at, valid_from, expires_at, source_turn_ids, extractor) SELECT id, user_id, collection, 'tea',"
                    + " 'preference', 'User prefers tea', 'user prefers tea', '[1,0,0]', 'm', 0.9,"
                    + " 0.5, now(), now(), now(), now() + interval '30 days', '{}', 'local' FROM sessions WHERE id = ?",
                session);
          }
          h.execute(
              "INSERT INTO semantic_facts (episodic_fact_id, collection, user_id, subject, kind,"
                  + " text, normalized_text, embedding, embedding_model, confidence, salience,"
                  + " citations, source_turn_ids, first_seen_at, promoted_at, promotion_run)"
                  + " SELECT id, collection, user_id, subject, kind, text, normalized_text,"
                  + " embedding, embedding_model, confidence, salience, 0, '{}', now(), now(), 'r'"
                  + " FROM episodic_facts");
        });

    Flyway.configure()
        .dataSource(url, pg.user(), pg.password())
        .locations("classpath:db/migration")
        .load()
        .migrate();

    jdbi.useHandle(
        h -> {
          assertThat(users(h, "sessions")).containsExactlyInAnyOrder(null, null, "ada");
          assertThat(users(h, "episodic_facts")).containsExactlyInAnyOrder(null, null, "ada");
          assertThat(users(h, "semantic_facts")).containsExactlyInAnyOrder(null, null, "ada");
          for (String table : List.of("sessions", "episodic_facts", "semantic_facts")) {
            assertThatThrownBy(() -> h.execute("UPDATE " + table + " SET user_id = ' '"))
                .as(table)
                .isInstanceOf(UnableToExecuteStatementException.class)
                .hasMessageContaining(table + "_user_id_not_blank");
          }
        });
  }

  private static List<String> users(Handle h, String table) {
    return h.createQuery("SELECT user_id FROM " + table).mapTo(String.class).list();
  }
}
