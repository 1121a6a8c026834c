package io.engram.core.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What every {@link FactExtractor} promises, run against each implementation by a small subclass: a
 * statement about the user becomes a fact of the right kind citing the turn that stated it, and two
 * statements joined in one sentence become two facts; only the user's turns state facts; no turns,
 * questions and small talk give no facts; every fact is well formed (a normalized subject, a kind,
 * a text, a confidence in [0, 1]) and cites only user turns of the batch; the extractor names
 * itself.
 *
 * <p>An LLM-backed subclass answers from a scripted endpoint as a good model would ({@link
 * #LLM_FACTS}), so what is tested is that the extractor keeps the model's good answer through its
 * prompt (turn numbering), the client and its validation.
 */
abstract class FactExtractorContract {

  static final String PREFERENCE = "I prefer green tea.";
  static final String NAME = "My name is Ada Lovelace";
  static final String ALLERGY = "I'm allergic to peanuts.";
  static final String DECISION = "I've decided to learn Spanish";
  static final String TWO_FACTS = "My name is Bo. I live in Oslo!";
  static final String JOINED = "I am allergic to peanuts and my name is Alice Wexford.";

  /**
   * The facts a good model finds in each user turn of these tests, as JSON objects without their
   * {@code turns}; any other turn states nothing.
   */
  static final Map<String, List<String>> LLM_FACTS =
      Map.of(
          PREFERENCE,
          List.of(fact("beverage", "preference", "User prefers green tea", 0.9)),
          NAME,
          List.of(fact("name", "who", "User's name is Ada Lovelace", 0.9)),
          ALLERGY,
          List.of(fact("allergy", "what", "User is allergic to peanuts", 0.9)),
          DECISION,
          List.of(fact("learn spanish", "decision", "User decided to learn Spanish", 0.9)),
          TWO_FACTS,
          List.of(
              fact("name", "who", "User's name is Bo", 0.9),
              fact("home", "who", "User lives in Oslo", 0.9)),
          JOINED,
          List.of(
              fact("allergy", "what", "User is allergic to peanuts", 0.9),
              fact("name", "who", "User's name is Alice Wexford", 0.9)));

  private static String fact(String subject, String kind, String text, double confidence) {
    return "{\"subject\":\"%s\",\"kind\":\"%s\",\"text\":\"%s\",\"confidence\":%s"
        .formatted(subject, kind, text, confidence);
  }

  /** The implementation under test. */
  protected abstract FactExtractor extractor();

  static FactExtractor.Turn user(long id, String text) {
    return new FactExtractor.Turn(id, "user", text);
  }

  static FactExtractor.Turn assistant(long id, String text) {
    return new FactExtractor.Turn(id, "assistant", text);
  }

  private List<ExtractedFact> extract(FactExtractor.Turn... turns) throws Exception {
    return extractor().extract(List.of(turns), List.of());
  }

  @Test
  void a_preference_is_a_preference_fact_citing_its_turn() throws Exception {
    List<ExtractedFact> facts = extract(user(11, PREFERENCE), assistant(12, "Noted."));

    assertThat(facts)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(FactKind.PREFERENCE);
              assertThat(f.text()).containsIgnoringCase("green tea");
              assertThat(f.sourceTurnIds()).containsExactly(11L);
            });
  }

  @Test
  void who_what_and_decision_facts_cite_their_own_turns() throws Exception {
    List<ExtractedFact> facts =
        extract(
            user(21, NAME),
            assistant(22, "Nice to meet you."),
            user(23, ALLERGY),
            assistant(24, "Noted."),
            user(25, DECISION));

    assertThat(facts).hasSize(3);
    Map<FactKind, ExtractedFact> byKind =
        facts.stream().collect(Collectors.toMap(ExtractedFact::kind, f -> f));
    assertThat(byKind.get(FactKind.WHO).text()).contains("Ada Lovelace");
    assertThat(byKind.get(FactKind.WHO).sourceTurnIds()).containsExactly(21L);
    assertThat(byKind.get(FactKind.WHAT).text()).containsIgnoringCase("peanuts");
    assertThat(byKind.get(FactKind.WHAT).sourceTurnIds()).containsExactly(23L);
    assertThat(byKind.get(FactKind.DECISION).text()).containsIgnoringCase("spanish");
    assertThat(byKind.get(FactKind.DECISION).sourceTurnIds()).containsExactly(25L);
  }

  @Test
  void one_turn_may_state_several_facts() throws Exception {
    List<ExtractedFact> facts = extract(user(31, TWO_FACTS));

    assertThat(facts)
        .extracting(ExtractedFact::text)
        .anySatisfy(t -> assertThat(t).contains("Bo"))
        .anySatisfy(t -> assertThat(t).contains("Oslo"));
    assertThat(facts).allSatisfy(f -> assertThat(f.sourceTurnIds()).containsExactly(31L));
  }

  @Test
  void only_the_users_turns_state_facts() throws Exception {
    assertThat(extract(assistant(41, PREFERENCE), assistant(42, NAME))).isEmpty();
    assertThat(extract(assistant(43, PREFERENCE), user(44, "Thanks!"))).isEmpty();
  }

  @Test
  void two_statements_joined_in_one_sentence_are_two_facts() throws Exception {
    List<ExtractedFact> facts = extract(user(45, JOINED));

    assertThat(facts).hasSize(2);
    Map<FactKind, ExtractedFact> byKind =
        facts.stream().collect(Collectors.toMap(ExtractedFact::kind, f -> f));
    assertThat(byKind.get(FactKind.WHAT).text())
        .containsIgnoringCase("peanuts")
        .doesNotContainIgnoringCase("name");
    assertThat(byKind.get(FactKind.WHO).text()).contains("Alice Wexford").doesNotContain("peanuts");
  }

  @Test
  void no_turns_give_no_facts() throws Exception {
    assertThat(extract()).isEmpty();
  }

  @Test
  void questions_and_small_talk_state_nothing() throws Exception {
    assertThat(
            extract(
                user(51, "Do I prefer tea?"),
                user(52, "What causes myelin loss?"),
                user(53, "hello there")))
        .isEmpty();
  }

  @Test
  void every_fact_is_well_formed_and_cites_only_user_turns_of_the_batch() throws Exception {
    List<FactExtractor.Turn> turns = new ArrayList<>();
    long id = 60;
    for (String said : List.of(PREFERENCE, NAME, ALLERGY, DECISION, TWO_FACTS, "Thanks!")) {
      turns.add(user(++id, said));
      turns.add(assistant(++id, "Noted; " + said));
    }
    Set<Long> userTurns =
        turns.stream()
            .filter(t -> t.role().equals("user"))
            .map(FactExtractor.Turn::id)
            .collect(Collectors.toSet());

    List<ExtractedFact> facts = extractor().extract(turns, List.of("beverage"));

    assertThat(facts).hasSizeGreaterThanOrEqualTo(6);
    for (ExtractedFact f : facts) {
      assertThat(f.kind()).isNotNull();
      assertThat(f.subject()).isNotBlank().isEqualTo(ExtractedFact.normalize(f.subject()));
      assertThat(f.text()).isNotBlank();
      assertThat(f.confidence()).isBetween(0.0, 1.0);
      assertThat(f.sourceTurnIds()).isNotEmpty().allSatisfy(t -> assertThat(userTurns).contains(t));
    }
  }

  @Test
  void names_itself() {
    assertThat(extractor().name()).isNotBlank().isEqualTo(extractor().name());
  }
}
