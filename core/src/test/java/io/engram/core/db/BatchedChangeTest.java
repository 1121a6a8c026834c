package io.engram.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BatchedChangeTest {

  @Test
  void deletes_the_picked_rows_by_their_key_up_to_the_limit() {
    BatchedChange<String> change =
        BatchedChange.deleteOfCollection(
            "studies", "id", "SELECT id FROM studies WHERE collection = :key ORDER BY id DESC");

    assertThat(change.table()).isEqualTo("studies");
    assertThat(change)
        .hasToString(
            "DELETE FROM studies WHERE id IN (SELECT id FROM studies WHERE collection = :key"
                + " ORDER BY id DESC LIMIT :limit)");
  }

  @Test
  void picks_a_composite_key_as_a_row_value() {
    BatchedChange<String> change =
        BatchedChange.deleteOfCollection(
            "trials",
            "study_id, number",
            "SELECT t.study_id, t.number FROM studies s JOIN trials t ON t.study_id = s.id"
                + " WHERE s.collection = :key");

    assertThat(change)
        .hasToString(
            "DELETE FROM trials WHERE (study_id, number) IN (SELECT t.study_id, t.number FROM"
                + " studies s JOIN trials t ON t.study_id = s.id WHERE s.collection = :key"
                + " LIMIT :limit)");
  }

  @Test
  void anonymizes_with_the_assignments_given() {
    BatchedChange<BatchedChange.User> change =
        BatchedChange.anonymizeOfUser(
            "feedback",
            "comment = NULL",
            "id",
            "SELECT id FROM feedback WHERE tenant = :tenant AND user_id = :userId"
                + " AND comment IS NOT NULL");

    assertThat(change)
        .hasToString(
            "UPDATE feedback SET comment = NULL WHERE id IN (SELECT id FROM feedback WHERE"
                + " tenant = :tenant AND user_id = :userId AND comment IS NOT NULL LIMIT :limit)");
  }

  @Test
  void a_users_pick_must_name_the_tenant() {
    assertThatThrownBy(
            () ->
                BatchedChange.deleteOfUser(
                    "turns", "id", "SELECT id FROM turns WHERE user_id = :userId"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(":tenant");
  }

  @Test
  void a_collections_pick_must_name_the_collection() {
    assertThatThrownBy(
            () -> BatchedChange.deleteOfCollection("documents", "id", "SELECT id FROM documents"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(":key");
  }

  @Test
  void the_pick_leaves_the_limit_to_the_change() {
    assertThatThrownBy(
            () ->
                BatchedChange.deleteOfCollection(
                    "documents", "id", "SELECT id FROM documents WHERE collection = :key LIMIT 5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limited");
  }
}
