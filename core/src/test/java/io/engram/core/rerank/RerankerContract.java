package io.engram.core.rerank;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.retrieval.Candidate;
import io.engram.core.store.PgVectorChunkStore.ChunkHit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Reranker} promises, run against each implementation by a small subclass that
 * provides the instance: every candidate comes back exactly once and unchanged but for its score,
 * in the order of the new scores; nothing in, nothing out; the same input gives the same order,
 * ties included; it is thread-safe and names itself.
 *
 * <p>The candidate lists here are short enough for every implementation to score all of them (a
 * cross-encoder scores only its top N; what it does beyond them is its own test's business). A
 * candidate id always stands for the same text, because the linear reranker's feature cache takes a
 * chunk id to identify its text, as stored chunks do.
 */
abstract class RerankerContract {

  private static final String QUERY = "do cats eat fish";

  /** Passages of distinct documents, best fused first; ids unique to this suite. */
  private static final List<Candidate> FUSED =
      List.of(
          candidate(61_001, "Birds", "birds sing songs at dawn", 0.95, 1, 3),
          candidate(61_002, "Dogs", "dogs eat meat and bones", 0.90, 2, 0),
          candidate(61_003, "Cats", "cats eat fish every day", 0.85, 3, 1),
          candidate(61_004, "Rivers", "rivers flow to the sea", 0.80, 0, 2),
          candidate(61_005, "Fish", "fish swim in cold rivers", 0.75, 4, 4),
          candidate(61_006, "Cats and birds", "cats chase birds in gardens", 0.70, 5, 0),
          candidate(61_007, "Feeding", "what do cats eat when they are old", 0.65, 6, 5),
          candidate(61_008, "Songs", "songs of birds and cats", 0.60, 0, 6),
          candidate(61_009, "Meat", "dogs and cats share meat", 0.55, 7, 0),
          candidate(61_010, "Sea", "the sea holds many fish", 0.50, 8, 7),
          candidate(61_011, "Gardens", "gardens grow in spring", 0.45, 9, 0),
          candidate(61_012, "Dawn", "dawn comes early in summer", 0.40, 0, 8));

  /** The implementation under test; may be the same instance on every call. */
  protected abstract Reranker reranker();

  private static Candidate candidate(
      long id, String title, String text, double fused, int denseRank, int lexicalRank) {
    return new Candidate(
        new ChunkHit(id, id, "doc-" + id, title, text, fused),
        fused,
        denseRank == 0
            ? Candidate.Leg.ABSENT
            : new Candidate.Leg(fused, 0.5 + fused / 4, denseRank),
        lexicalRank == 0
            ? Candidate.Leg.ABSENT
            : new Candidate.Leg(fused, fused / 10, lexicalRank));
  }

  private static List<Long> ids(List<Candidate> candidates) {
    return candidates.stream().map(c -> c.chunk().chunkId()).toList();
  }

  @Test
  void returns_every_candidate_exactly_once() {
    List<Candidate> reranked = reranker().rerank(QUERY, FUSED);

    assertThat(reranked).hasSameSizeAs(FUSED);
    assertThat(ids(reranked))
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(ids(FUSED));
  }

  @Test
  void changes_nothing_but_the_score_of_a_candidate() {
    List<Candidate> reranked = reranker().rerank(QUERY, FUSED);

    for (Candidate c : reranked) {
      Candidate original =
          FUSED.stream().filter(f -> f.chunk().equals(c.chunk())).findFirst().orElseThrow();
      assertThat(c.withScore(original.score())).isEqualTo(original);
      assertThat(c.score()).isFinite();
    }
  }

  @Test
  void scores_do_not_increase_down_the_returned_order() {
    assertThat(reranker().rerank(QUERY, FUSED))
        .extracting(Candidate::score)
        .isSortedAccordingTo(Comparator.reverseOrder());
  }

  @Test
  void no_candidates_give_no_candidates() {
    assertThat(reranker().rerank(QUERY, List.of())).isEmpty();
  }

  @Test
  void a_single_candidate_comes_back() {
    Candidate only = FUSED.get(2);

    assertThat(reranker().rerank(QUERY, List.of(only)))
        .singleElement()
        .satisfies(c -> assertThat(c.chunk()).isEqualTo(only.chunk()));
  }

  @Test
  void the_callers_list_is_left_as_it_was() {
    List<Candidate> input = new ArrayList<>(FUSED);

    reranker().rerank(QUERY, input);

    assertThat(input).isEqualTo(FUSED);
  }

  @Test
  void the_same_input_gives_the_same_order_and_scores() {
    List<Candidate> first = reranker().rerank(QUERY, FUSED);
    List<Candidate> second = reranker().rerank(QUERY, List.copyOf(FUSED));

    assertThat(second).isEqualTo(first);
  }

  @Test
  void preparing_the_passages_changes_no_result() {
    List<Candidate> before = reranker().rerank(QUERY, FUSED);
    reranker().prepare(FUSED);
    reranker().prepare(List.of());

    assertThat(reranker().rerank(QUERY, FUSED)).isEqualTo(before);
  }

  @Test
  void identical_candidates_come_back_in_the_same_order_every_time() {
    // Same title, text and leg scores in four documents: only the fusion position tells them
    // apart, which a learned model may weigh either way, but always the same way.
    List<Candidate> twins =
        IntStream.range(0, 4)
            .mapToObj(
                i ->
                    new Candidate(
                        new ChunkHit(61_100 + i, 61_100 + i, "twin", "Cats", "cats eat fish", 0.5),
                        0.5,
                        new Candidate.Leg(0.5, 0.7, 1),
                        new Candidate.Leg(0.5, 0.05, 1)))
            .toList();
    List<Long> first = ids(reranker().rerank(QUERY, twins));

    for (int round = 0; round < 20; round++) {
      assertThat(ids(reranker().rerank(QUERY, List.copyOf(twins)))).isEqualTo(first);
    }
  }

  @Test
  void concurrent_calls_get_what_sequential_ones_get() throws Exception {
    List<String> queries = List.of(QUERY, "dogs eat meat", "birds sing", "where do rivers flow");
    List<List<Candidate>> expected =
        queries.stream().map(q -> reranker().rerank(q, FUSED)).toList();

    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Boolean>> callers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        callers.add(
            () -> {
              for (int round = 0; round < 25; round++) {
                for (int q = 0; q < queries.size(); q++) {
                  if (!reranker().rerank(queries.get(q), FUSED).equals(expected.get(q))) {
                    return false;
                  }
                }
              }
              return true;
            });
      }
      for (Future<Boolean> result : pool.invokeAll(callers)) {
        assertThat(result.get()).as("a concurrent call got what a sequential one got").isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void names_itself_the_same_way_every_time() {
    assertThat(reranker().name()).isNotBlank().isEqualTo(reranker().name());
  }
}
