package io.engram.core.evaluation;

import io.engram.core.rerank.Terms;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The answer-level metrics of the evaluation's advisory tier, computed without a judge LLM so that
 * they are deterministic, cheap, and comparable between runs. They are heuristics: they say whether
 * an answer stays with its sources and addresses the question, not whether it is right, which is
 * why they are reported apart from the retrieval metrics and never gate anything.
 *
 * <dl>
 *   <dt>faithfulness
 *   <dd>The share of the answer's claims that the passages support. The answer is split into
 *       sentences (at {@code .}, {@code !} or {@code ?} followed by a space, and at line breaks); a
 *       sentence made only of citations ("[2].") adds its citations to the sentence before it. A
 *       sentence is a claim when it has at least {@link #MIN_CLAIM_TERMS} distinct content terms
 *       (the reranker's analysis: lowercased, stopwords dropped, stemmed) once its citations are
 *       removed, so "I do not know." and bare citations are not scored. A claim is checked against
 *       the passages it cites, or against all passages given when it cites none (the prompt asks
 *       for answers from the sources only, so an uncited sentence still claims to come from them).
 *       It is supported when at least {@link #MIN_TERM_RECALL} of its distinct terms occur in those
 *       passages, or, for paraphrases, when its embedding has a cosine of at least {@link
 *       #minCosine(String)} with one sentence of those passages. An answer without claims has no
 *       faithfulness (null), rather than a perfect or a zero one.
 *   <dt>answer relevancy
 *   <dd>The cosine between the embeddings of the question and of the answer (citations removed),
 *       with the embedding model of the evaluated index version, floored at 0. Only comparable
 *       between runs with the same embedding model.
 *   <dt>context recall
 *   <dd>The share of the qrels-relevant documents that are among the documents of the passages
 *       given to the generator.
 * </dl>
 */
public final class AnswerMetrics {
  /** A claim is supported lexically when at least this share of its distinct terms is found. */
  public static final double MIN_TERM_RECALL = 0.5;

  /** Sentences with fewer distinct content terms are boilerplate or bare citations, not claims. */
  public static final int MIN_CLAIM_TERMS = 2;

  /**
   * The cosine from which a passage sentence supports a claim that uses other words, per embedding
   * model, set from sentence pairs measured with both models: paraphrases of a passage sentence
   * scored 0.85-0.94 with bge-small and 0.70-0.94 with all-MiniLM-L6-v2, claims on the same topic
   * that the sentence does not support ("corals thrive when sea temperatures rise") 0.72-0.89 and
   * 0.48-0.78, unrelated sentences 0.39-0.56 and below 0.11. The thresholds sit above the
   * unsupported claims, giving up the loosest paraphrases: embeddings measure topic, not
   * entailment, and a false "supported" is the worse error for a faithfulness metric.
   */
  private static final Map<String, Double> MIN_COSINE =
      Map.of("bge-small-en-v1.5-q", 0.90, "all-minilm-l6-v2-q", 0.85);

  /** For a model not listed in {@link #MIN_COSINE}: strict, so that lexical support decides. */
  static final double DEFAULT_MIN_COSINE = 0.95;

  private static final Pattern CITATION = Pattern.compile("\\[(\\d{1,3}(?:\\s*,\\s*\\d{1,3})*)]");
  private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+");
  private static final Pattern LINE_BREAKS = Pattern.compile("\\R+");
  private static final Pattern NOTHING_BUT_PUNCTUATION = Pattern.compile("[\\s\\p{Punct}]*");

  /**
   * A sentence of an answer that states something.
   *
   * @param text the sentence without its citations
   * @param terms its distinct content terms
   * @param citations the source numbers it cites, in order
   */
  public record Claim(String text, Set<String> terms, Set<Integer> citations) {
    public Claim {
      terms = Set.copyOf(terms);
      citations = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(citations));
    }
  }

  /**
   * The faithfulness check of one answer.
   *
   * @param claims claims found in the answer
   * @param supported claims supported by their passages, lexically or semantically
   * @param supportedLexically of those, the claims supported by their terms alone
   */
  public record Faithfulness(int claims, int supported, int supportedLexically) {
    public Faithfulness {
      if (claims < 0 || supported < 0 || supported > claims || supportedLexically > supported) {
        throw new IllegalArgumentException(
            "inconsistent counts: " + claims + ", " + supported + ", " + supportedLexically);
      }
    }

    /** The share of supported claims, or null when the answer makes no claim. */
    public Double score() {
      return claims == 0 ? null : (double) supported / claims;
    }
  }

  /** Embeds a text with the evaluated index version's model. */
  @FunctionalInterface
  public interface Embedder {
    float[] embed(String text);
  }

  private AnswerMetrics() {}

  /** The cosine from which a sentence supports a claim, for {@code embeddingModel}. */
  public static double minCosine(String embeddingModel) {
    return MIN_COSINE.getOrDefault(embeddingModel, DEFAULT_MIN_COSINE);
  }

  /** The claims of an answer, in order (see the class comment for what counts as one). */
  public static List<Claim> claims(String answer) {
    List<String> texts = new ArrayList<>();
    List<Set<Integer>> cited = new ArrayList<>();
    for (String sentence : sentences(answer)) {
      Set<Integer> citations = citations(sentence);
      String text = withoutCitations(sentence);
      if (NOTHING_BUT_PUNCTUATION.matcher(text).matches()) {
        // "… passes the test. [2]" cites for the sentence before it.
        if (!cited.isEmpty()) {
          cited.get(cited.size() - 1).addAll(citations);
        }
        continue;
      }
      texts.add(text);
      cited.add(citations);
    }
    List<Claim> claims = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      Set<String> terms = new LinkedHashSet<>(Terms.analyze(texts.get(i)));
      if (terms.size() >= MIN_CLAIM_TERMS) {
        claims.add(new Claim(texts.get(i), terms, cited.get(i)));
      }
    }
    return claims;
  }

  /** The sentences of a text, stripped, in order. */
  static List<String> sentences(String text) {
    List<String> out = new ArrayList<>();
    for (String line : LINE_BREAKS.split(text == null ? "" : text.strip())) {
      for (String sentence : SENTENCE_END.split(line.strip())) {
        if (!sentence.isBlank()) {
          out.add(sentence.strip());
        }
      }
    }
    return out;
  }

  /**
   * Checks each claim of {@code answer} against the passages it cites (all of them when it cites
   * none, or only numbers that are not among them).
   *
   * @param passages the text of each passage shown to the generator, by its source number
   * @param embedder the evaluated index version's embedding model
   * @param minCosine see {@link #minCosine(String)}
   */
  public static Faithfulness faithfulness(
      String answer, Map<Integer, String> passages, Embedder embedder, double minCosine) {
    Map<Integer, Set<String>> passageTerms = new HashMap<>();
    passages.forEach((n, text) -> passageTerms.put(n, new HashSet<>(Terms.analyze(text))));
    Map<String, float[]> vectors = new HashMap<>();
    List<Claim> claims = claims(answer);
    int supported = 0;
    int lexically = 0;
    for (Claim claim : claims) {
      List<Integer> sources = new ArrayList<>();
      for (int n : claim.citations()) {
        if (passages.containsKey(n)) {
          sources.add(n);
        }
      }
      if (sources.isEmpty()) {
        sources.addAll(passages.keySet());
      }
      Set<String> terms = new HashSet<>();
      sources.forEach(n -> terms.addAll(passageTerms.get(n)));
      if (termRecall(claim.terms(), terms) >= MIN_TERM_RECALL) {
        supported++;
        lexically++;
        continue;
      }
      // Embeddings only for what the terms could not settle: most claims of a small model echo
      // their source, and every embedding costs milliseconds on two cores.
      float[] claimVector = vectors.computeIfAbsent(claim.text(), embedder::embed);
      boolean paraphrased = false;
      for (int n : sources) {
        for (String sentence : sentences(passages.get(n))) {
          if (cosine(claimVector, vectors.computeIfAbsent(sentence, embedder::embed))
              >= minCosine) {
            paraphrased = true;
            break;
          }
        }
        if (paraphrased) {
          break;
        }
      }
      if (paraphrased) {
        supported++;
      }
    }
    return new Faithfulness(claims.size(), supported, lexically);
  }

  /** The share of {@code claimTerms} found in {@code passageTerms}; 0 for no terms. */
  public static double termRecall(Collection<String> claimTerms, Set<String> passageTerms) {
    Set<String> distinct = new HashSet<>(claimTerms);
    if (distinct.isEmpty()) {
      return 0;
    }
    long found = distinct.stream().filter(passageTerms::contains).count();
    return (double) found / distinct.size();
  }

  /** The cosine of the question's and the answer's embeddings, floored at 0. */
  public static double relevancy(float[] question, float[] answer) {
    return Math.max(0, cosine(question, answer));
  }

  /**
   * The share of the relevant documents (relevance above 0) among {@code contextDocuments}; 0 when
   * nothing is relevant.
   */
  public static double contextRecall(
      Collection<String> contextDocuments, Map<String, Integer> relevant) {
    long judged = relevant.values().stream().filter(r -> r > 0).count();
    if (judged == 0) {
      return 0;
    }
    long found =
        new HashSet<>(contextDocuments)
            .stream().filter(d -> relevant.getOrDefault(d, 0) > 0).count();
    return (double) found / judged;
  }

  /** The cosine similarity of two vectors of the same length; 0 when either is all zeros. */
  public static double cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "vectors of different lengths: " + a.length + " and " + b.length);
    }
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
  }

  /** The text with its {@code [n]} citations removed and spaces tidied. */
  public static String withoutCitations(String text) {
    return CITATION
        .matcher(text)
        .replaceAll("")
        .replaceAll("\\s+([.,;:!?])", "$1")
        .replaceAll("\\s{2,}", " ")
        .strip();
  }

  /** The source numbers a text cites, in order of first citation. */
  static Set<Integer> citations(String text) {
    Set<Integer> out = new LinkedHashSet<>();
    Matcher m = CITATION.matcher(text);
    while (m.find()) {
      for (String part : m.group(1).split(",")) {
        out.add(Integer.parseInt(part.strip()));
      }
    }
    return out;
  }
}
