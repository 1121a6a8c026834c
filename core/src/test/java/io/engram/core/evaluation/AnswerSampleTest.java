package io.engram.core.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AnswerSampleTest {
  private static final List<String> IDS =
      IntStream.rangeClosed(1, 9).mapToObj(String::valueOf).toList();

  @Test
  void picks_the_ids_with_the_lowest_salted_hash() {
    // Independently computed: sha256("engram-answers-v1:" + id) orders the ids 1..9 as
    // 4 (2799b28e…), 2 (2add2ae8…), 7, 6, 1, 5, 8, 9, 3.
    assertThat(AnswerSample.select(IDS, 3)).containsExactly("4", "2", "7");
    assertThat(AnswerSample.rank("4")).startsWith("2799b28e");
  }

  @Test
  void the_sample_depends_on_the_ids_only_and_grows_by_extension() {
    List<String> shuffled = new ArrayList<>(IDS);
    Collections.shuffle(shuffled, new java.util.Random(7));

    assertThat(AnswerSample.select(shuffled, 4)).isEqualTo(AnswerSample.select(IDS, 4));
    assertThat(AnswerSample.select(IDS, 6))
        .startsWith(AnswerSample.select(IDS, 4).toArray(String[]::new));
  }

  @Test
  void a_sample_larger_than_the_set_takes_every_id_once() {
    assertThat(AnswerSample.select(List.of("b", "a", "b"), 5)).containsExactlyInAnyOrder("a", "b");
    assertThat(AnswerSample.select(IDS, 0)).isEmpty();
    assertThatThrownBy(() -> AnswerSample.select(IDS, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
