package io.engram.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SearchSpaceTest {
  static final SearchSpace RETRIEVAL =
      SearchSpace.of(
          SearchSpace.uniform("weight", 0, 1),
          SearchSpace.logUniform("share", 0.005, 0.2),
          SearchSpace.integer("candidates", 20, 200, 10),
          SearchSpace.categorical("reranker", "none", "linear"));

  @Test
  void the_space_round_trips_through_json() {
    String json = RETRIEVAL.toJson();
    assertThat(json).contains("\"type\":\"float\"", "\"type\":\"int\"", "\"type\":\"categorical\"");
    assertThat(SearchSpace.fromJson(json)).isEqualTo(RETRIEVAL);
  }

  @Test
  void params_round_trip_through_json_exactly_with_their_types() throws Exception {
    Random rng = new Random(7);
    for (int i = 0; i < 2000; i++) {
      Params p = RandomSampler.draw(RETRIEVAL.params(), rng);
      Params back = Params.fromJson(p.toJson(), RETRIEVAL);
      assertThat(back).isEqualTo(p);
      assertThat(back.values().get("weight")).isInstanceOf(Double.class);
      assertThat(back.values().get("candidates")).isInstanceOf(Integer.class);
    }
    // Temporal's payloads go through Jackson too: the record is a plain JSON object.
    ObjectMapper json = new ObjectMapper();
    Params p =
        RETRIEVAL.validate(
            Map.of("weight", 0.1, "share", 1e-2, "candidates", 30, "reranker", "none"));
    assertThat(json.writeValueAsString(p)).startsWith("{").contains("\"candidates\":30");
    assertThat(
            RETRIEVAL.validate(json.readValue(json.writeValueAsString(p), Params.class).values()))
        .isEqualTo(p);
  }

  @Test
  void validation_types_values_and_rejects_what_the_space_does_not_hold() {
    Map<String, Object> raw = new LinkedHashMap<>();
    raw.put("weight", 1);
    raw.put("share", 0.05);
    raw.put("candidates", 40.0);
    raw.put("reranker", "linear");
    Params p = RETRIEVAL.validate(raw);
    assertThat(p.values().get("weight")).isEqualTo(1.0);
    assertThat(p.getInt("candidates")).isEqualTo(40);

    raw.put("candidates", 45.0);
    // Said in the user's words: the value as written, what the parameter takes.
    assertThatThrownBy(() -> RETRIEVAL.validate(raw))
        .hasMessageStartingWith("parameter 'candidates' cannot be 45: expected an integer from ")
        .hasMessageContaining(" in steps of ")
        .hasMessageNotContaining("IntParam[");
    raw.put("candidates", 40);
    raw.put("reranker", "cross-encoder");
    assertThatThrownBy(() -> RETRIEVAL.validate(raw))
        .hasMessageStartingWith("parameter 'reranker' cannot be 'cross-encoder': expected one of ");
    raw.put("reranker", "none");
    raw.put("share", 0.5);
    assertThatThrownBy(() -> RETRIEVAL.validate(raw)).hasMessageContaining("share");
    raw.remove("share");
    assertThatThrownBy(() -> RETRIEVAL.validate(raw)).hasMessageContaining("do not cover");
    raw.put("share", 0.05);
    raw.put("other", 1);
    assertThatThrownBy(() -> RETRIEVAL.validate(raw))
        .hasMessageContaining("not in the search space");
  }

  @Test
  void pinned_text_is_read_as_each_parameter_s_type() {
    Params p =
        RETRIEVAL.parsePartial(Map.of("weight", "0.25", "candidates", " 40 ", "reranker", "none"));

    assertThat(p.values()).isEqualTo(Map.of("weight", 0.25, "candidates", 40, "reranker", "none"));
    assertThat(p.values().get("weight")).isInstanceOf(Double.class);
    assertThat(p.values().get("candidates")).isInstanceOf(Integer.class);
    assertThat(RETRIEVAL.parsePartial(Map.of("weight", "1", "share", "1e-2")).values())
        .isEqualTo(Map.of("weight", 1.0, "share", 0.01));
    assertThat(RETRIEVAL.parsePartial(Map.of("candidates", "40.0")).getInt("candidates"))
        .isEqualTo(40);
    for (String bad : List.of("abc", "NaN", "0x1p-2", "0.5f", "", "1e400")) {
      assertThatThrownBy(() -> RETRIEVAL.parsePartial(Map.of("weight", bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("weight");
    }
    assertThatThrownBy(() -> RETRIEVAL.parsePartial(Map.of("candidates", "45")))
        .hasMessageContaining("candidates");
    assertThatThrownBy(() -> RETRIEVAL.parsePartial(Map.of("reranker", "1")))
        .hasMessageContaining("reranker");
    assertThatThrownBy(() -> RETRIEVAL.parsePartial(Map.of("wieght", "0.5")))
        .hasMessageContaining("not in the search space");
  }

  @Test
  void a_changed_space_keeps_the_values_it_still_accepts() {
    SearchSpace narrower =
        SearchSpace.of(
            SearchSpace.uniform("weight", 0, 0.5), SearchSpace.categorical("reranker", "linear"));
    Params old =
        RETRIEVAL.validate(
            Map.of("weight", 0.7, "share", 0.01, "candidates", 100, "reranker", "linear"));
    assertThat(narrower.project(old).values()).isEqualTo(Map.of("reranker", "linear"));
  }

  @Test
  void parameters_are_checked_when_declared() {
    assertThatThrownBy(() -> SearchSpace.logUniform("x", 0, 1)).hasMessageContaining("log");
    assertThatThrownBy(() -> SearchSpace.integer("n", 0, 10, 3)).hasMessageContaining("multiple");
    assertThatThrownBy(() -> new SearchSpace.IntParam("n", 0, 10, 2, true))
        .hasMessageContaining("log");
    assertThatThrownBy(() -> SearchSpace.categorical("c", "a", "a"))
        .hasMessageContaining("distinct");
    assertThatThrownBy(
            () -> SearchSpace.of(SearchSpace.uniform("x", 0, 1), SearchSpace.uniform("x", 0, 2)))
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> new SearchSpace(List.of())).hasMessageContaining("at least one");
  }
}
