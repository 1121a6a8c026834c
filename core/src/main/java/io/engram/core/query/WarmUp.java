package io.engram.core.query;

import io.engram.core.retrieval.Candidate;
import io.engram.core.store.PgVectorChunkStore;
import io.engram.core.store.PgVectorChunkStore.StoredChunk;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the query pipelines that serve up to speed before a process reports ready, so their first
 * users are not the ones who pay for it: the installation champion's, and that of every collection
 * served from another index (one a retraining rebuilt with other chunking or another embedding
 * model, whose model then loads here too). Every stored chunk of each such index goes through the
 * reranker's per-passage preparation (the linear reranker analyses each passage once, about a
 * millisecond per query while its cache fills), then a few hundred questions made of the corpus's
 * own sentences run the whole retrieval (query embedding, both legs, fusion, reranking), which
 * compiles the hot code and touches the database's pages and pooled sessions. Nothing is logged or
 * cached as a user's query would be.
 */
public final class WarmUp {
  private static final Logger log = LoggerFactory.getLogger(WarmUp.class);

  /** Chunks read per page of the walk over the index. */
  static final int PAGE = 1_000;

  /** Words of a chunk's text that make a warm-up question. */
  static final int QUESTION_WORDS = 12;

  /** Where a warm-up is. */
  public enum State {
    WAITING,
    RUNNING,
    DONE,
    FAILED
  }

  /** What a warm-up did. */
  public record Report(State state, int passages, int questions, long millis, String failure) {}

  private final QueryPipelines pipelines;
  private final PgVectorChunkStore chunks;
  private final int questions;
  private final Supplier<List<String>> served;
  private volatile Report report = new Report(State.WAITING, 0, 0, 0, null);

  /**
   * @param questions how many warm-up questions to ask of each index; 0 asks none (the passages are
   *     still prepared)
   * @param served the collections a registered version serves (their {@code champion} alias)
   */
  public WarmUp(
      QueryPipelines pipelines,
      PgVectorChunkStore chunks,
      int questions,
      Supplier<List<String>> served) {
    this.pipelines = pipelines;
    this.chunks = chunks;
    this.questions = questions;
    this.served = served;
  }

  public Report report() {
    return report;
  }

  /** Runs the warm-up in the calling thread; a failure is reported, never thrown. */
  public Report run() {
    long start = System.nanoTime();
    report = new Report(State.RUNNING, 0, 0, 0, null);
    int[] done = new int[2]; // passages, questions
    try {
      // One pipeline per index: collections served from the champion's index share its warm-up.
      // One that reranks is preferred, since only it prepares the passages (for every reranker).
      Map<Integer, QueryPipeline> targets = new LinkedHashMap<>();
      QueryPipeline champion = pipelines.champion();
      targets.put(champion.version().index().id(), champion);
      for (String collection : served.get()) {
        QueryPipeline p = pipelines.champion(collection);
        targets.merge(
            p.version().index().id(),
            p,
            (kept, other) -> kept.version().retrieval().rerank() ? kept : other);
      }
      for (QueryPipeline pipeline : targets.values()) {
        warm(pipeline, done);
      }
      report =
          new Report(State.DONE, done[0], done[1], (System.nanoTime() - start) / 1_000_000, null);
      log.info(
          "query path warmed up for {}: {} passages prepared, {} questions asked in {} ms",
          targets.values().stream().map(QueryPipeline::name).toList(),
          done[0],
          done[1],
          report.millis());
    } catch (RuntimeException e) {
      report =
          new Report(
              State.FAILED,
              done[0],
              done[1],
              (System.nanoTime() - start) / 1_000_000,
              e.getClass().getSimpleName() + ": " + e.getMessage());
      log.warn("query path warm-up failed after {} questions; serving cold", done[1], e);
    }
    return report;
  }

  /**
   * Prepares every passage of {@code pipeline}'s index and asks it up to {@link #questions}
   * questions made of them, adding to {@code done} (passages, questions) as it goes.
   */
  private void warm(QueryPipeline pipeline, int[] done) {
    int index = pipeline.version().index().id();
    // Reservoir sampling with a fixed seed: the same corpus always gives the same questions.
    Random random = new Random(42);
    StoredChunk[] sample = new StoredChunk[questions];
    int passages = 0;
    long after = 0;
    while (true) {
      List<StoredChunk> page = chunks.page(index, after, PAGE);
      if (page.isEmpty()) {
        break;
      }
      List<Candidate> candidates = new ArrayList<>(page.size());
      for (StoredChunk c : page) {
        candidates.add(Candidate.fused(c.chunk(), 0, 0, 0));
        if (passages < questions) {
          sample[passages] = c;
        } else if (questions > 0) {
          int slot = random.nextInt(passages + 1);
          if (slot < questions) {
            sample[slot] = c;
          }
        }
        passages++;
      }
      pipeline.prepare(candidates);
      done[0] += page.size();
      after = page.get(page.size() - 1).chunk().chunkId();
    }
    for (StoredChunk c : Arrays.copyOf(sample, Math.min(questions, passages))) {
      String question = question(c.chunk().text());
      if (!question.isBlank()) {
        pipeline.retrieve(c.collection(), question, Question.DEFAULT_TOP_K, true);
        done[1]++;
      }
    }
  }

  /** The first words of a passage: a question as long as a user's, about what the corpus holds. */
  static String question(String text) {
    String[] words = text.strip().split("\\s+", QUESTION_WORDS + 1);
    return String.join(" ", Arrays.copyOf(words, Math.min(words.length, QUESTION_WORDS)));
  }
}
