package io.engram.core.rerank;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A query's distinct content terms (at most {@link #MAX_TERMS}) and the bigrams they form, compiled
 * once per query. Passages are matched as term ids (see {@link PassageTerms}) by a {@link Matcher}.
 * Immutable and thread-safe.
 */
public final class QueryTerms {
  /** Terms and bigrams beyond this are ignored (matches are kept in a {@code long} bit set). */
  public static final int MAX_TERMS = 64;

  /** What a passage holds of the query. */
  public record Match(long terms, long bigrams, int[] counts, int length) {

    /** Number of distinct query terms found. */
    public int termCount() {
      return Long.bitCount(terms);
    }

    /** Whether the query term with index {@code t} was found. */
    public boolean has(int t) {
      return (terms & (1L << t)) != 0;
    }
  }

  private final List<String> terms;
  private final int[] bigramFirst;
  private final int[] bigramSecond;

  private QueryTerms(List<String> terms, List<int[]> bigrams) {
    this.terms = List.copyOf(terms);
    this.bigramFirst = new int[bigrams.size()];
    this.bigramSecond = new int[bigrams.size()];
    for (int b = 0; b < bigrams.size(); b++) {
      bigramFirst[b] = bigrams.get(b)[0];
      bigramSecond[b] = bigrams.get(b)[1];
    }
  }

  /** Analyzes {@code query} with {@link Terms}. */
  public static QueryTerms of(String query) {
    List<String> sequence = Terms.analyze(query);
    Map<String, Integer> index = new LinkedHashMap<>();
    for (String term : sequence) {
      if (index.size() < MAX_TERMS) {
        index.putIfAbsent(term, index.size());
      }
    }
    List<int[]> bigrams = new ArrayList<>();
    for (int k = 1; k < sequence.size() && bigrams.size() < MAX_TERMS; k++) {
      Integer a = index.get(sequence.get(k - 1));
      Integer b = index.get(sequence.get(k));
      if (a != null && b != null && !a.equals(b) && !containsBigram(bigrams, a, b)) {
        bigrams.add(new int[] {a, b});
      }
    }
    return new QueryTerms(new ArrayList<>(index.keySet()), bigrams);
  }

  private static boolean containsBigram(List<int[]> bigrams, int a, int b) {
    for (int[] bigram : bigrams) {
      if (bigram[0] == a && bigram[1] == b) {
        return true;
      }
    }
    return false;
  }

  /** The distinct terms, in order of first occurrence. */
  public List<String> terms() {
    return terms;
  }

  public int size() {
    return terms.size();
  }

  public int bigramCount() {
    return bigramFirst.length;
  }

  /**
   * The query's terms as ids of {@code vocabulary}, ready to scan passages analyzed with it. Look
   * the terms up after the passages were analyzed, so every term they hold has its id.
   */
  Matcher matcher(Vocabulary vocabulary) {
    int[] ids = new int[terms.size()];
    for (int t = 0; t < ids.length; t++) {
      int id = vocabulary.lookup(terms.get(t));
      // A term the vocabulary lacks occurs in no analyzed passage: give it an id none holds.
      ids[t] = id == Vocabulary.UNKNOWN ? Integer.MIN_VALUE + t : id;
    }
    return new Matcher(ids);
  }

  /** Matches analyzed passages against the query. Immutable. */
  final class Matcher {
    private static final int SLOTS = 2 * MAX_TERMS;
    private final int[] slotId = new int[SLOTS];
    private final int[] slotTerm = new int[SLOTS];

    private Matcher(int[] ids) {
      java.util.Arrays.fill(slotTerm, -1);
      for (int t = 0; t < ids.length; t++) {
        int slot = slot(ids[t]);
        while (slotTerm[slot] >= 0) {
          slot = (slot + 1) & (SLOTS - 1);
        }
        slotId[slot] = ids[t];
        slotTerm[slot] = t;
      }
    }

    private static int slot(int id) {
      return (id * 0x9E3779B9 >>> 16) & (SLOTS - 1);
    }

    private int term(int id) {
      int slot = slot(id);
      while (slotTerm[slot] >= 0) {
        if (slotId[slot] == id) {
          return slotTerm[slot];
        }
        slot = (slot + 1) & (SLOTS - 1);
      }
      return -1;
    }

    /**
     * Which query terms the passage holds, how often, which query bigrams occur as adjacent content
     * terms, and how many content terms the passage has.
     */
    Match scan(int[] passage) {
      int[] counts = new int[terms.size()];
      long found = 0;
      long bigrams = 0;
      int previous = -1;
      for (int id : passage) {
        int t = term(id);
        if (t >= 0) {
          found |= 1L << t;
          counts[t]++;
          if (previous >= 0) {
            for (int b = 0; b < bigramFirst.length; b++) {
              if (bigramFirst[b] == previous && bigramSecond[b] == t) {
                bigrams |= 1L << b;
              }
            }
          }
        }
        previous = t;
      }
      return new Match(found, bigrams, counts, passage.length);
    }
  }
}
