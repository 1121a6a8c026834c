package io.engram.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.core.llm.LlmGateway;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FactExtractionTest {
  private static final FactExtractor LOCAL = new LocalFactExtractor();

  /** Never called: choosing an extractor does not talk to the LLM. */
  private static final LlmGateway GATEWAY =
      new LlmGateway() {
        @Override
        public String complete(String system, String user) {
          throw new AssertionError("choosing must not call the LLM");
        }

        @Override
        public String modelName() {
          return "openai:gemma-3-270m";
        }
      };

  @Test
  void auto_uses_the_llm_when_one_is_configured_as_before() {
    assertThat(FactExtraction.AUTO.choose(Optional.of(GATEWAY), LOCAL))
        .isInstanceOf(LlmFactExtractor.class);
    assertThat(FactExtraction.AUTO.choose(Optional.empty(), LOCAL)).isSameAs(LOCAL);
  }

  @Test
  void local_keeps_the_local_extractor_beside_a_configured_llm() {
    assertThat(FactExtraction.LOCAL.choose(Optional.of(GATEWAY), LOCAL)).isSameAs(LOCAL);
  }

  @Test
  void llm_requires_a_configured_llm() {
    assertThat(FactExtraction.LLM.choose(Optional.of(GATEWAY), LOCAL))
        .isInstanceOf(LlmFactExtractor.class);
    assertThatThrownBy(() -> FactExtraction.LLM.choose(Optional.empty(), LOCAL))
        .hasMessageContaining("ENGRAM_MEMORY_EXTRACTOR=llm needs an LLM");
  }
}
