package io.engram.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Questions for drift tests, generated from word lists: in-domain ones about the health corpus of
 * {@link DriftApiIT} (its interventions and outcomes in the ways people ask), off-domain ones about
 * hobbies, sport, travel and household things the corpus never mentions. Deterministic: the same
 * seed gives the same questions.
 */
final class DriftQuestions {
  static final List<String> INTERVENTIONS =
      List.of(
          "aspirin",
          "coffee",
          "vitamin D",
          "regular exercise",
          "statins",
          "metformin",
          "smoking",
          "sleep deprivation",
          "a Mediterranean diet",
          "influenza vaccination",
          "green tea",
          "omega-3 supplements",
          "alcohol",
          "added sugar",
          "intermittent fasting");
  static final List<String> OUTCOMES =
      List.of(
          "heart attack risk",
          "liver cirrhosis",
          "bone density",
          "blood pressure",
          "insulin resistance",
          "lung cancer",
          "memory decline",
          "chronic inflammation",
          "cholesterol levels",
          "type 2 diabetes",
          "stroke",
          "depression",
          "gut bacteria",
          "the immune response");
  private static final List<String> IN_DOMAIN =
      List.of(
          "Does %s reduce %s?",
          "Is %s associated with %s?",
          "What is the effect of %s on %s?",
          "Can %s prevent %s in older adults?",
          "How does %s change %s?",
          "Is there evidence that %s increases %s?");

  private static final List<String> THINGS =
      List.of(
          "sourdough starter",
          "penalty kick",
          "guitar pedal",
          "train ticket",
          "carburetor",
          "tomato seedling",
          "wool scarf",
          "chess opening",
          "skateboard",
          "camera lens",
          "espresso machine",
          "surfboard",
          "mountain bike",
          "tennis racket",
          "pizza oven",
          "violin bow",
          "sailing boat",
          "poker hand",
          "yoga mat",
          "hiking boots");
  private static final List<String> VERBS =
      List.of(
          "tune", "repair", "bake", "choose", "polish", "paint", "pack", "sharpen", "wax", "store");
  private static final List<String> OFF_DOMAIN =
      List.of(
          "How do I %2$s a %1$s before the weekend?",
          "Which %1$s should a beginner %2$s first?",
          "Where can I %2$s a cheap %1$s in Lisbon?",
          "What is the fastest way to %2$s my %1$s?",
          "Should I %2$s the %1$s every season?",
          "Who taught the famous champion to %2$s a %1$s?");

  private DriftQuestions() {}

  /** Every in-domain question, shuffled by {@code seed}: take disjoint slices as windows. */
  static List<String> inDomain(long seed) {
    List<String> out = new ArrayList<>();
    for (String template : IN_DOMAIN) {
      for (String i : INTERVENTIONS) {
        for (String o : OUTCOMES) {
          out.add(template.formatted(i, o));
        }
      }
    }
    Collections.shuffle(out, new Random(seed));
    return out;
  }

  /** Every off-domain question, shuffled by {@code seed}. */
  static List<String> offDomain(long seed) {
    List<String> out = new ArrayList<>();
    for (String template : OFF_DOMAIN) {
      for (String thing : THINGS) {
        for (String verb : VERBS) {
          out.add(template.formatted(thing, verb));
        }
      }
    }
    Collections.shuffle(out, new Random(seed));
    return out;
  }
}
