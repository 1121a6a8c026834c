package io.engram.core.drift;

import io.engram.core.store.Lexicon;

/**
 * Computes a live query's {@link QueryFeatures} from its text and the scores of what it returned,
 * against the lexicon of the index version that answered it. Called by the query path where it logs
 * a query, off the request path; the lexicon is the one the lexical leg keeps in memory, so this
 * makes no database round trip once the index version has been searched.
 */
public final class QueryFeatureExtractor {
  private final Lexicon lexicon;

  public QueryFeatureExtractor(Lexicon lexicon) {
    this.lexicon = lexicon;
  }

  public QueryFeatures extract(
      int indexVersionId, String collection, String query, QueryFeatures.Scores scores) {
    EnglishLexemes.Analysis analysis = EnglishLexemes.analyze(query);
    double unknown = lexicon.unknownShare(indexVersionId, collection, analysis.lexemes());
    return QueryFeatures.of(analysis.words(), unknown, scores);
  }
}
