package io.engram.core.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.embedding.EmbeddingModel;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.evaluation.AnswerMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Recall's cut-off, measured with the real embedding models over questions users ask about
 * themselves (memory/recall-questions.tsv): how many recall their fact, and how many questions
 * about anything else would recall one, with the question as asked and as {@link AboutTheUser} puts
 * it. The figures it prints are docs/benchmarks/memory-recall.md's.
 */
class RecallQuestionsTest {

  private record Labelled(String fact, String question) {}

  private record Figures(int recalled, int positives, int falseRecalls, int negatives) {}

  @ParameterizedTest
  @ValueSource(strings = {"bge-small-en-v1.5-q", "all-minilm-l6-v2-q"})
  void the_third_person_recalls_what_users_ask_about_themselves(String model) throws IOException {
    List<Labelled> set = read();
    EmbeddingModel embedder = EmbeddingModels.get(model);
    double cut = MemoryRetriever.Options.forModel(model).minSimilarity();
    Map<String, float[]> facts = new LinkedHashMap<>();
    for (Labelled l : set) {
      if (l.fact() != null) {
        facts.computeIfAbsent(l.fact(), f -> embedder.embed(f).content().vector());
      }
    }

    Figures asked = measure(set, facts, embedder, cut, List::of);
    Figures third = measure(set, facts, embedder, cut, q -> List.of(AboutTheUser.of(q)));
    Figures clauses = measure(set, facts, embedder, cut, RecallQuestionsTest::asRecallReadsIt);
    System.out.printf(
        Locale.ROOT,
        "recall model=%s cut=%.2f asked: recalled=%d/%d false=%d/%d third_person: recalled=%d/%d"
            + " false=%d/%d with_clauses: recalled=%d/%d false=%d/%d%n",
        model,
        cut,
        asked.recalled(),
        asked.positives(),
        asked.falseRecalls(),
        asked.negatives(),
        third.recalled(),
        third.positives(),
        third.falseRecalls(),
        third.negatives(),
        clauses.recalled(),
        clauses.positives(),
        clauses.falseRecalls(),
        clauses.negatives());

    assertThat(clauses.recalled())
        .isGreaterThanOrEqualTo((int) Math.ceil(0.8 * clauses.positives()));
    assertThat(third.recalled()).isGreaterThan(asked.recalled());
    assertThat(third.falseRecalls()).isLessThanOrEqualTo(asked.falseRecalls());
    assertThat(clauses.recalled()).isGreaterThan(third.recalled());
    assertThat(clauses.falseRecalls()).isLessThanOrEqualTo(third.falseRecalls());
  }

  /**
   * What recall's dense leg compares the facts with: the third person, and the clauses of a
   * question about the user ({@link MemoryRetriever#recall}).
   */
  private static List<String> asRecallReadsIt(String question) {
    String third = AboutTheUser.of(question);
    List<String> texts = new ArrayList<>(List.of(third));
    if (!third.equals(question)) {
      texts.addAll(AboutTheUser.clauses(third));
    }
    return texts;
  }

  private static Figures measure(
      List<Labelled> set,
      Map<String, float[]> facts,
      EmbeddingModel embedder,
      double cut,
      Function<String, List<String>> put) {
    int recalled = 0;
    int positives = 0;
    int falseRecalls = 0;
    int negatives = 0;
    for (Labelled l : set) {
      List<float[]> q =
          put.apply(l.question()).stream().map(t -> embedder.embed(t).content().vector()).toList();
      if (l.fact() != null) {
        positives++;
        recalled += best(q, facts.get(l.fact())) >= cut ? 1 : 0;
      } else {
        negatives++;
        falseRecalls += facts.values().stream().anyMatch(f -> best(q, f) >= cut) ? 1 : 0;
      }
    }
    return new Figures(recalled, positives, falseRecalls, negatives);
  }

  /** The fact's best similarity to any of the texts, as recall keeps it. */
  private static double best(List<float[]> texts, float[] fact) {
    return texts.stream().mapToDouble(t -> AnswerMetrics.cosine(t, fact)).max().orElseThrow();
  }

  private static List<Labelled> read() throws IOException {
    List<Labelled> set = new ArrayList<>();
    try (InputStream in =
        RecallQuestionsTest.class.getResourceAsStream("/memory/recall-questions.tsv")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] parts = line.split("\t", 2);
        set.add(new Labelled(parts[0].equals("-") ? null : parts[0], parts[1].strip()));
      }
    }
    return set;
  }
}
