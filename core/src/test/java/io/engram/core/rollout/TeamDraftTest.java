package io.engram.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class TeamDraftTest {
  private static final Function<String, String> SAME = Function.identity();

  @Test
  void disjoint_rankings_give_each_team_half_its_best_items_in_order() {
    List<String> a = List.of("a1", "a2", "a3", "a4", "a5");
    List<String> b = List.of("b1", "b2", "b3", "b4", "b5");

    TeamDraft.Interleaved<String> merged = TeamDraft.interleave(a, b, 6, SAME, 42);

    assertThat(merged.items()).hasSize(6);
    assertThat(merged.items().stream().filter(i -> i.startsWith("a")))
        .containsExactly("a1", "a2", "a3");
    assertThat(merged.items().stream().filter(i -> i.startsWith("b")))
        .containsExactly("b1", "b2", "b3");
    for (int i = 0; i < merged.items().size(); i++) {
      String team = merged.items().get(i).startsWith("a") ? TeamDraft.A : TeamDraft.B;
      assertThat(merged.teams().get(i)).isEqualTo(team);
    }
    assertThat(merged.share(TeamDraft.B)).isEqualTo(0.5);
  }

  @Test
  void identical_rankings_keep_their_order_and_credit_each_team_alike() {
    List<String> same = List.of("d1", "d2", "d3", "d4", "d5", "d6");

    TeamDraft.Interleaved<String> merged = TeamDraft.interleave(same, same, 6, SAME, 7);

    assertThat(merged.items()).containsExactlyElementsOf(same);
    assertThat(merged.share(TeamDraft.A)).isEqualTo(0.5);
  }

  @Test
  void an_item_both_rank_is_picked_once_by_whoever_reaches_it_first() {
    List<String> a = List.of("x", "a2", "a3");
    List<String> b = List.of("x", "b2", "b3");

    TeamDraft.Interleaved<String> merged = TeamDraft.interleave(a, b, 4, SAME, 3);

    assertThat(merged.items()).containsOnlyOnce("x");
    assertThat(merged.items().get(0)).isEqualTo("x");
    // The team that took x picks later in the next round; the other takes its next best now.
    String first = merged.teams().get(0);
    assertThat(merged.teams().get(1)).isNotEqualTo(first);
  }

  @Test
  void items_are_the_same_by_key_not_by_identity() {
    // Two chunks of document "d" (as two index versions cut it) are one item.
    List<String> a = List.of("d#chunk1", "e#chunk1");
    List<String> b = List.of("d#chunk7", "f#chunk2");

    TeamDraft.Interleaved<String> merged =
        TeamDraft.interleave(a, b, 3, s -> s.substring(0, 1), 11);

    assertThat(merged.items())
        .extracting(s -> s.substring(0, 1))
        .containsExactlyInAnyOrder("d", "e", "f");
  }

  @Test
  void stops_when_both_rankings_are_used_up() {
    TeamDraft.Interleaved<String> merged =
        TeamDraft.interleave(List.of("a"), List.of("b"), 10, SAME, 1);

    assertThat(merged.items()).containsExactlyInAnyOrder("a", "b");
    assertThat(TeamDraft.interleave(List.<String>of(), List.of(), 5, SAME, 1).items()).isEmpty();
  }

  @Test
  void a_seed_decides_the_coin_and_the_coin_is_fair_over_seeds() {
    List<String> a = List.of("a1", "a2");
    List<String> b = List.of("b1", "b2");
    assertThat(TeamDraft.interleave(a, b, 4, SAME, 99))
        .isEqualTo(TeamDraft.interleave(a, b, 4, SAME, 99));

    int aFirst = 0;
    for (long seed = 0; seed < 4000; seed++) {
      if (TeamDraft.interleave(a, b, 4, SAME, seed).teams().get(0).equals(TeamDraft.A)) {
        aFirst++;
      }
    }
    assertThat(aFirst).isBetween(1800, 2200);
  }
}
