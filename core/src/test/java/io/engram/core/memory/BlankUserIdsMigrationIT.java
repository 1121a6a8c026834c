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
 * Migrations V25 and V26 on a database holding what older versions stored: sessions started with a
 * blank userId ("", spaces, a tab, a no-break space, a Hangul filler; accepted until request labels
 * were checked), each of which was one user sharing its sessions' facts. After them, they are
 * anonymous sessions whose facts are their own, and a blank user id cannot be stored again.
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
    List<String> blanks = List.of("", "  ", "\t", "\n", "\u00a0", "\u3000", "\u200b", "\u3164");
    jdbi.useHandle(
        h -> {
          for (String user : blanks) {
            h.execute(
                "INSERT INTO sessions (id, collection, user_id) VALUES (?, 'default', ?)",
                UUID.randomUUID(),
                user);
          }
          h.execute(
              "INSERT INTO sessions (id, collection, user_id) VALUES (?, 'default', 'ada')",
              UUID.randomUUID());
          h.execute(
              "INSERT INTO episodic_facts (session_id, user_id, collection, subject, kind, text,"
                  + " normalized_text, embedding, embedding_model, confidence, salience,"
                  + " salience_at, created_at, valid_from, expires_at, source_turn_ids, extractor)"
                  + " SELECT id, user_id, collection, 'tea', 'preference', 'User prefers tea',"
                  + " 'user prefers tea', '[1,0,0]', 'm', 0.9, 0.5, now(), now(), now(), now() +"
                  + " interval '30 days', '{}', 'local' FROM sessions");
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
          for (String table : List.of("sessions", "episodic_facts", "semantic_facts")) {
            List<String> users = users(h, table);
            assertThat(users).as(table).hasSize(blanks.size() + 1).containsOnlyOnce("ada");
            assertThat(users.stream().filter(u -> u != null && !u.equals("ada")))
                .as(table)
                .isEmpty();
            for (String blank : blanks) {
              assertThatThrownBy(() -> h.execute("UPDATE " + table + " SET user_id = ?", blank))
                  .as("%s %s", table, blank)
                  .isInstanceOf(UnableToExecuteStatementException.class)
                  .hasMessageContaining(table + "_user_id_not_blank");
            }
          }
          // A user id with a letter in it is one, wherever the blank characters stand.
          h.execute("UPDATE sessions SET user_id = '\u00a0ada' WHERE user_id = 'ada'");
        });
  }

  private static List<String> users(Handle h, String table) {
    return h.createQuery("SELECT user_id FROM " + table).mapTo(String.class).list();
  }
}
