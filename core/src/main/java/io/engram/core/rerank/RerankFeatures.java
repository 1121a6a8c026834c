package io.engram.core.rerank;

import io.engram.core.retrieval.Candidate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-candidate features a learned reranker scores, computed at query time from the query text
 * and the fused candidates alone (no extra database round trip). Candidate-set statistics (the
 * inverse document frequency of a query term, the mean passage length) are taken over the
 * candidates themselves, so nothing corpus-wide has to be loaded.
 *
 * <p>The one implementation used by {@link LinearReranker} and by its trainer; the order of {@link
 * #NAMES} is the order of the weights in a trained model.
 */
public final class RerankFeatures {

  /** Feature names, in column order. */
  public static final List<String> NAMES =
      List.of(
          // The fusion's own view: score, both legs' normalized scores, and position.
          "fused_score",
          "dense_norm",
          "lexical_norm",
          "fused_reciprocal_rank",
          // The legs' raw scores and ranks.
          "dense_cosine",
          "lexical_ts_rank",
          "dense_reciprocal_rank",
          "lexical_reciprocal_rank",
          "both_legs",
          // Query terms in the passage, after Terms' analysis.
          "title_coverage",
          "text_coverage",
          "idf_coverage",
          "bigram_coverage",
          "bm25",
          // The passage and its document.
          "log_length",
          "log_siblings",
          // What all of the document's candidate chunks hold together.
          "document_idf_coverage",
          "document_max_cosine");

  public static final int COUNT = NAMES.size();

  static final double BM25_K1 = 1.2;
  static final double BM25_B = 0.75;

  private RerankFeatures() {}

  /**
   * One row of {@link #COUNT} features per candidate, in the candidates' order. The candidates are
   * expected in fusion order (best first), as {@code HybridRetriever} hands them to a reranker.
   */
  public static double[][] extract(String query, List<Candidate> candidates) {
    return extract(QueryTerms.of(query), candidates);
  }

  /** Analyses the candidates' passages into the shared cache {@link #extract} reads them from. */
  static void prepare(List<Candidate> candidates) {
    for (Candidate c : candidates) {
      PassageTerms.SHARED.title(c.chunk().documentId(), c.chunk().title());
      PassageTerms.SHARED.text(c.chunk().chunkId(), c.chunk().text());
    }
  }

  static double[][] extract(QueryTerms query, List<Candidate> candidates) {
    return extract(query, candidates, PassageTerms.SHARED);
  }

  static double[][] extract(QueryTerms query, List<Candidate> candidates, PassageTerms passages) {
    int n = candidates.size();
    int q = query.size();
    int[][] titleTerms = new int[n][];
    int[][] textTerms = new int[n][];
    for (int i = 0; i < n; i++) {
      Candidate hit = candidates.get(i);
      titleTerms[i] = passages.title(hit.chunk().documentId(), hit.chunk().title());
      textTerms[i] = passages.text(hit.chunk().chunkId(), hit.chunk().text());
    }
    // After the passages, so every term they hold has an id.
    QueryTerms.Matcher matcher = query.matcher(passages.vocabulary());
    QueryTerms.Match[] titles = new QueryTerms.Match[n];
    QueryTerms.Match[] texts = new QueryTerms.Match[n];
    Map<Long, QueryTerms.Match> titleByDocument = new HashMap<>();
    Map<Long, Integer> chunksByDocument = new HashMap<>();
    Map<Long, Long> termsByDocument = new HashMap<>();
    Map<Long, Double> cosineByDocument = new HashMap<>();
    double minCosine = Double.POSITIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      Candidate hit = candidates.get(i);
      long document = hit.chunk().documentId();
      // Chunks of one document share its title: scan it once.
      int[] title = titleTerms[i];
      titles[i] = titleByDocument.computeIfAbsent(document, d -> matcher.scan(title));
      texts[i] = matcher.scan(textTerms[i]);
      chunksByDocument.merge(document, 1, Integer::sum);
      termsByDocument.merge(document, titles[i].terms() | texts[i].terms(), (x, y) -> x | y);
      if (hit.dense().rank() > 0) {
        minCosine = Math.min(minCosine, hit.dense().raw());
      }
    }
    if (minCosine == Double.POSITIVE_INFINITY) {
      minCosine = 0;
    }
    double[] cosine = new double[n];
    for (int i = 0; i < n; i++) {
      Candidate hit = candidates.get(i);
      // A chunk the dense leg did not return is at most as similar as the least similar it did.
      cosine[i] = hit.dense().rank() > 0 ? hit.dense().raw() : minCosine;
      cosineByDocument.merge(hit.chunk().documentId(), cosine[i], Math::max);
    }

    // Candidate-set statistics for the idf-weighted features.
    double[] idf = new double[q];
    double idfSum = 0;
    double meanLength = 0;
    for (int t = 0; t < q; t++) {
      int df = 0;
      for (int i = 0; i < n; i++) {
        if (titles[i].has(t) || texts[i].has(t)) {
          df++;
        }
      }
      idf[t] = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      idfSum += idf[t];
    }
    for (int i = 0; i < n; i++) {
      meanLength += titles[i].length() + texts[i].length();
    }
    meanLength = n == 0 ? 1 : Math.max(1, meanLength / n);

    double[][] rows = new double[n][COUNT];
    for (int i = 0; i < n; i++) {
      Candidate hit = candidates.get(i);
      QueryTerms.Match title = titles[i];
      QueryTerms.Match text = texts[i];
      long both = title.terms() | text.terms();
      double idfCovered = coverage(both, idf);
      double bm25 = 0;
      int length = title.length() + text.length();
      for (int t = 0; t < q; t++) {
        if ((both & (1L << t)) != 0) {
          int tf = title.counts()[t] + text.counts()[t];
          bm25 +=
              idf[t]
                  * tf
                  * (BM25_K1 + 1)
                  / (tf + BM25_K1 * (1 - BM25_B + BM25_B * length / meanLength));
        }
      }
      double[] row = rows[i];
      int c = 0;
      row[c++] = hit.score();
      row[c++] = hit.dense().normalized();
      row[c++] = hit.lexical().normalized();
      row[c++] = 1.0 / (i + 1);
      row[c++] = cosine[i];
      row[c++] = hit.lexical().rank() > 0 ? hit.lexical().raw() : 0;
      row[c++] = hit.dense().rank() > 0 ? 1.0 / hit.dense().rank() : 0;
      row[c++] = hit.lexical().rank() > 0 ? 1.0 / hit.lexical().rank() : 0;
      row[c++] = hit.dense().rank() > 0 && hit.lexical().rank() > 0 ? 1 : 0;
      row[c++] = q == 0 ? 0 : (double) title.termCount() / q;
      row[c++] = q == 0 ? 0 : (double) text.termCount() / q;
      row[c++] = idfSum <= 0 ? 0 : idfCovered / idfSum;
      row[c++] =
          query.bigramCount() == 0
              ? 0
              : (double) Long.bitCount(title.bigrams() | text.bigrams()) / query.bigramCount();
      row[c++] = bm25;
      row[c++] = Math.log1p(text.length());
      long document = hit.chunk().documentId();
      row[c++] = Math.log(chunksByDocument.get(document));
      row[c++] = idfSum <= 0 ? 0 : coverage(termsByDocument.get(document), idf) / idfSum;
      row[c++] = cosineByDocument.get(document);
    }
    return rows;
  }

  /** The summed idf of the query terms in {@code terms}. */
  private static double coverage(long terms, double[] idf) {
    double sum = 0;
    for (int t = 0; t < idf.length; t++) {
      if ((terms & (1L << t)) != 0) {
        sum += idf[t];
      }
    }
    return sum;
  }
}
