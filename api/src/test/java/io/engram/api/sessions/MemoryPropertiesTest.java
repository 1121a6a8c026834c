package io.engram.api.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryPropertiesTest {

  @Test
  void defaults_distil_every_four_exchanges_and_recall_three_facts() {
    try (ApplicationContext context = ApplicationContext.run(Map.of())) {
      MemoryProperties props = context.getBean(MemoryProperties.class);
      assertThat(props.workingTurns()).isEqualTo(6);
      assertThat(props.distillEveryTurns()).isEqualTo(4);
      assertThat(props.recallTopK()).isEqualTo(3);
      assertThat(props.recallMinSimilarity()).isNull();
    }
  }

  @Test
  void binds_overrides() {
    try (ApplicationContext context =
        ApplicationContext.run(
            Map.of(
                "engram.memory.distill-every-turns", "2",
                "engram.memory.recall-top-k", "0",
                "engram.memory.recall-min-similarity", "0.6"))) {
      MemoryProperties props = context.getBean(MemoryProperties.class);
      assertThat(props.distillEveryTurns()).isEqualTo(2);
      assertThat(props.recallTopK()).isZero();
      assertThat(props.recallMinSimilarity()).isEqualTo(0.6);
    }
  }
}
