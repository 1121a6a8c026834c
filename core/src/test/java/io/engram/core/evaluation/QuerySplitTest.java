package io.engram.core.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class QuerySplitTest {

  @Test
  void holds_out_about_a_fifth_of_the_ids_and_the_parts_are_disjoint() {
    long heldOut =
        IntStream.range(0, 10_000).mapToObj(String::valueOf).filter(QuerySplit::isHeldOut).count();
    assertThat(heldOut).isBetween(1800L, 2200L);
    for (int i = 0; i < 1000; i++) {
      String id = String.valueOf(i);
      assertThat(QuerySplit.Part.FIT.contains(id))
          .isNotEqualTo(QuerySplit.Part.HELD_OUT.contains(id));
      assertThat(QuerySplit.Part.ALL.contains(id)).isTrue();
    }
  }

  @Test
  void the_partition_is_stable() {
    // Pinned so a change of salt or hashing, which would leak fitted queries into the held-out
    // report, fails here.
    assertThat(
            IntStream.range(0, 40).mapToObj(String::valueOf).filter(QuerySplit::isHeldOut).toList())
        .containsExactly("6", "9", "17", "23", "27", "36", "38");
  }
}
