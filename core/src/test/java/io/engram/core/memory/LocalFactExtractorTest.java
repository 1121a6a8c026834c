package io.engram.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The local rules' subjects, texts and confidences. What every extractor promises is checked by
 * {@link LocalFactExtractorContractTest}.
 */
class LocalFactExtractorTest {

  private final LocalFactExtractor extractor = new LocalFactExtractor();

  private List<ExtractedFact> extract(String... userTurns) {
    List<FactExtractor.Turn> turns = new java.util.ArrayList<>();
    long id = 1;
    for (String text : userTurns) {
      turns.add(new FactExtractor.Turn(id++, "user", text));
      turns.add(new FactExtractor.Turn(id++, "assistant", "Noted; I prefer nothing."));
    }
    return extractor.extract(turns, List.of());
  }

  private ExtractedFact only(String turn) {
    List<ExtractedFact> facts = extract(turn);
    assertThat(facts).as("facts of '%s'", turn).hasSize(1);
    return facts.get(0);
  }

  /** What the intent classifier calls a statement, the extractor keeps a fact of. */
  @Test
  void a_statement_opened_or_corrected_as_people_talk_is_kept() {
    assertThat(only("Actually I now live in Madrid.").text()).contains("Madrid");
    assertThat(only("Also, I love sailing.").text()).contains("sailing");
    assertThat(only("By the way, my name is Ada.").text()).contains("Ada");
  }

  @Test
  void a_preference_is_about_the_category_of_the_choice() {
    ExtractedFact tea = only("I prefer green tea.");
    assertThat(tea.kind()).isEqualTo(FactKind.PREFERENCE);
    assertThat(tea.subject()).isEqualTo("beverage");
    assertThat(tea.text()).isEqualTo("User prefers green tea");
    assertThat(tea.confidence()).isEqualTo(LocalFactExtractor.EXPLICIT);
    assertThat(tea.sourceTurnIds()).containsExactly(1L);
  }

  @Test
  void a_correction_has_the_same_subject_and_a_higher_confidence() {
    ExtractedFact coffee = only("Actually, I now prefer coffee.");
    assertThat(coffee.subject()).isEqualTo("beverage");
    assertThat(coffee.text()).isEqualTo("User prefers coffee");
    assertThat(coffee.confidence()).isEqualTo(LocalFactExtractor.CORRECTION);
  }

  @Test
  void likes_and_dislikes_are_about_the_thing_itself() {
    assertThat(only("I love hiking in the Alps").subject()).isEqualTo("hiking");
    ExtractedFact dislike = only("I really don't like cilantro, it tastes like soap");
    assertThat(dislike.subject()).isEqualTo("cilantro");
    assertThat(dislike.text()).isEqualTo("User dislikes cilantro");
    assertThat(only("I hate cilantro").subject()).isEqualTo("cilantro");
  }

  @Test
  void who_facts_have_fixed_subjects() {
    assertThat(only("My name is Ada Lovelace").text()).isEqualTo("User's name is Ada Lovelace");
    assertThat(only("My name is Ada Lovelace").subject()).isEqualTo("name");
    assertThat(only("I work at Acme Corp").subject()).isEqualTo("employer");
    assertThat(only("I work as a nurse").text()).isEqualTo("User works as a nurse");
    assertThat(only("I'm an engineer").subject()).isEqualTo("occupation");
    ExtractedFact home = only("I live in Lisbon");
    assertThat(home.kind()).isEqualTo(FactKind.WHO);
    assertThat(home.subject()).isEqualTo("home");
    assertThat(home.text()).isEqualTo("User lives in Lisbon");
  }

  @Test
  void allergies_and_decisions() {
    ExtractedFact allergy = only("I'm allergic to peanuts.");
    assertThat(allergy.kind()).isEqualTo(FactKind.WHAT);
    assertThat(allergy.kind().exclusive()).isFalse();
    assertThat(allergy.text()).isEqualTo("User is allergic to peanuts");
    ExtractedFact decision = only("I decided to move to Berlin");
    assertThat(decision.kind()).isEqualTo(FactKind.DECISION);
    assertThat(decision.subject()).isEqualTo("move");
    assertThat(only("I've decided to learn Spanish").subject()).isEqualTo("learn spanish");
  }

  @Test
  void favorites_map_onto_the_same_categories() {
    ExtractedFact drink = only("My favorite drink is coffee");
    assertThat(drink.subject()).isEqualTo("beverage");
    assertThat(only("My favourite colour is blue").subject()).isEqualTo("color");
    assertThat(only("I'm a vegetarian").subject()).isEqualTo("diet");
  }

  @Test
  void hedged_statements_are_less_certain() {
    assertThat(only("I think I prefer window seats").confidence())
        .isEqualTo(LocalFactExtractor.HEDGED);
  }

  @Test
  void several_sentences_give_several_facts_and_repeats_are_merged() {
    List<ExtractedFact> facts =
        extract("My name is Bo. I live in Oslo! I prefer tea.", "I prefer tea");
    assertThat(facts)
        .extracting(ExtractedFact::text)
        .containsExactly("User's name is Bo", "User lives in Oslo", "User prefers tea");
    assertThat(facts.get(2).sourceTurnIds()).containsExactly(1L, 3L);
  }

  @Test
  void the_same_turns_always_give_the_same_facts() {
    String turn = "I'm allergic to shellfish; I prefer aisle seats over window seats";
    assertThat(extract(turn)).isEqualTo(extract(turn));
    assertThat(extract(turn)).extracting(ExtractedFact::subject).containsExactly("allergy", "seat");
  }

  @Test
  void a_sentence_is_split_where_a_new_first_person_statement_begins() {
    assertThat(extract("I am allergic to peanuts and my name is Alice Wexford."))
        .extracting(ExtractedFact::subject, ExtractedFact::text)
        .containsExactly(
            tuple("allergy", "User is allergic to peanuts"),
            tuple("name", "User's name is Alice Wexford"));
    assertThat(extract("My name is Bob Stone and I live in Lima."))
        .extracting(ExtractedFact::subject, ExtractedFact::text)
        .containsExactly(
            tuple("name", "User's name is Bob Stone"), tuple("home", "User lives in Lima"));
    assertThat(extract("I don't like coffee, but I love tea; and my favorite color is blue!"))
        .extracting(ExtractedFact::text)
        .containsExactly("User dislikes coffee", "User likes tea", "User's favorite color is blue");
    assertThat(extract("I live in Oslo, I work at Acme Corp and also I prefer tea..."))
        .extracting(ExtractedFact::subject)
        .containsExactly("home", "employer", "beverage");
  }

  @Test
  void things_joined_by_and_are_one_value_not_two_clauses() {
    assertThat(only("I like salt and pepper.").text()).isEqualTo("User likes salt and pepper");
    assertThat(only("I love Tom and Jerry").text()).isEqualTo("User likes Tom and Jerry");
    assertThat(only("I like cooking for my family and my friends").text())
        .isEqualTo("User likes cooking for my family and my friends");
    assertThat(only("My favorite food is rice and beans").text())
        .isEqualTo("User's favorite food is rice and beans");
  }

  @Test
  void an_opening_correction_covers_every_clause_and_a_hedge_only_its_own() {
    assertThat(extract("Actually, my name is Bob and I live in Lima"))
        .extracting(ExtractedFact::confidence)
        .containsExactly(LocalFactExtractor.CORRECTION, LocalFactExtractor.CORRECTION);
    assertThat(extract("My name is Bo and I think I prefer tea"))
        .extracting(ExtractedFact::confidence)
        .containsExactly(LocalFactExtractor.EXPLICIT, LocalFactExtractor.HEDGED);
  }
}
