package io.engram.core.memory;

import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.retrieval.QueryEmbeddings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Recalls what Engram remembers about a conversation's user for a query: hybrid search (dense
 * cosine plus full text) over the owner's active episodic facts and the collection's semantic
 * facts, fused like document retrieval. Superseded and expired facts are never returned. Meant to
 * run beside document retrieval on the query path.
 */
public final class MemoryRetriever {

  /**
   * How recall ranks and filters.
   *
   * @param denseWeight weight of the dense score in the fusion; full text gets the rest
   * @param minSimilarity facts less similar than this to the query are not recalled at all, so an
   *     unrelated memory never becomes a source (and never collects a citation)
   * @param candidates candidates per tier and leg before fusion
   */
  public record Options(double denseWeight, double minSimilarity, int candidates) {
    public Options {
      if (!(denseWeight >= 0 && denseWeight <= 1)) {
        throw new IllegalArgumentException("dense weight must be in [0, 1]");
      }
      if (!(minSimilarity >= -1 && minSimilarity <= 1)) {
        throw new IllegalArgumentException("min similarity must be in [-1, 1]");
      }
      if (candidates < 1) {
        throw new IllegalArgumentException("candidates must be positive");
      }
    }

    /**
     * Defaults for a model. Cosine similarities are not comparable across models: bge-small puts
     * unrelated sentences around 0.5-0.6, MiniLM around 0-0.2, so the recall cut-off differs.
     */
    public static Options forModel(String model) {
      double min = model.startsWith("all-minilm") ? 0.45 : 0.72;
      return new Options(0.8, min, 50);
    }
  }

  private final Jdbi jdbi;
  private final Sessions sessions;
  private final SemanticMemory semantic;
  private final String model;
  private final QueryEmbeddings embeddings;
  private final Options options;

  public MemoryRetriever(Jdbi jdbi, String model, QueryEmbeddings embeddings, Options options) {
    this.jdbi = jdbi;
    this.sessions = new Sessions(jdbi);
    this.semantic = new SemanticMemory(jdbi);
    this.model = model;
    this.embeddings = embeddings;
    this.options = options;
  }

  /** The scope of a session, if it exists. */
  public Optional<MemoryScope> scopeOf(UUID sessionId) {
    return sessions.scope(sessionId);
  }

  /** The {@code topK} facts of the session's scope most relevant to {@code query}. */
  public List<MemoryHit> recall(UUID sessionId, String query, int topK, Instant now) {
    Optional<MemoryScope> scope = scopeOf(sessionId);
    return scope.isEmpty() ? List.of() : recall(scope.get(), query, topK, now);
  }

  /**
   * The {@code topK} facts of {@code scope} most relevant to {@code query}. The dense leg compares
   * the facts with the question put in the third person ({@link AboutTheUser}), as facts are
   * stored, and, for a question about the user asking several things ("What is my job and my
   * name?"), with each of its clauses too, a fact keeping its best similarity; the full-text leg
   * reads the question as asked.
   */
  public List<MemoryHit> recall(MemoryScope scope, String query, int topK, Instant now) {
    String third = AboutTheUser.of(query);
    List<String> asked = new ArrayList<>();
    asked.add(third);
    if (!third.equals(query)) {
      // Only a question about the user is read clause by clause: one about anything else ("What
      // are the risks and benefits of statins?") would cost embeddings and scans for facts it
      // does not ask for, and each clause is one more chance of a false recall.
      asked.addAll(AboutTheUser.clauses(third));
    }
    List<float[]> vectors =
        asked.stream()
            .map(text -> embeddings.embed(model, EmbeddingModels.get(model), text))
            .toList();
    List<MemoryHit> candidates = new ArrayList<>();
    String tsquery =
        jdbi.withHandle(
            h -> {
              String lexemes = MemorySql.orQuery(h, query);
              for (float[] vector : vectors) {
                candidates.addAll(
                    EpisodicMemory.candidates(
                        h, scope, model, vector, lexemes, options.candidates() * 2, now));
              }
              return lexemes;
            });
    for (float[] vector : vectors) {
      candidates.addAll(semantic.candidates(scope, model, vector, tsquery, options.candidates()));
    }
    // A fact found through several clauses keeps its best similarity, once.
    Map<String, MemoryHit> best = new LinkedHashMap<>();
    for (MemoryHit hit : candidates) {
      best.merge(hit.source(), hit, (kept, other) -> other.dense() > kept.dense() ? other : kept);
    }
    return fuse(List.copyOf(best.values()), options, topK);
  }

  /**
   * Keeps candidates similar enough to the query and ranks them by {@code w * dense + (1 - w) *
   * lexical / max lexical}, salience breaking ties.
   */
  static List<MemoryHit> fuse(List<MemoryHit> candidates, Options options, int topK) {
    double maxLexical = candidates.stream().mapToDouble(MemoryHit::lexical).max().orElse(0);
    List<MemoryHit> kept = new ArrayList<>();
    for (MemoryHit hit : candidates) {
      if (hit.dense() < options.minSimilarity()) {
        continue;
      }
      double lexical = maxLexical > 0 ? hit.lexical() / maxLexical : 0;
      kept.add(
          hit.withScore(
              options.denseWeight() * hit.dense() + (1 - options.denseWeight()) * lexical));
    }
    kept.sort(
        Comparator.comparingDouble(MemoryHit::score)
            .reversed()
            .thenComparing(Comparator.comparingDouble(MemoryHit::salience).reversed())
            .thenComparingLong(MemoryHit::factId));
    return List.copyOf(kept.subList(0, Math.min(topK, kept.size())));
  }
}
