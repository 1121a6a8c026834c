package io.engram.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;

/** {@code POST /v1/query}: ask a question, optionally within a conversation session. */
public final class Queries {
  /** The longest question the API answers, in UTF-16 characters. */
  public static final int MAX_QUERY_CHARS = 4096;

  /** The most passages one query may ask for. */
  public static final int MAX_TOP_K = 100;

  private Queries() {}

  /**
   * A question.
   *
   * @param query the question
   * @param sessionId a session from {@code POST /v1/sessions}: its working memory resolves
   *     follow-ups and its user's remembered facts may be recalled
   * @param collection the collection to search (default: the session's, else {@code default})
   * @param topK how many passages to retrieve (default 5)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record QueryRequest(
      @NotBlank @Size(max = MAX_QUERY_CHARS, message = SizeMessages.AT_MOST_CHARS) String query,
      @Size(max = 128, message = SizeMessages.AT_MOST_CHARS) String sessionId,
      @Size(max = 63, message = SizeMessages.AT_MOST_CHARS) String collection,
      @Min(1) @Max(MAX_TOP_K) Integer topK) {}

  /**
   * The answer.
   *
   * @param queryId the id to send feedback on ({@code POST /v1/feedback})
   * @param answerMode {@code llm} (generated) or {@code extractive} (the best passage)
   * @param citations the sources the answer cites, numbered from 1
   * @param warning why the answer is degraded (e.g. the LLM failed), when it is
   * @param intent {@code question}, {@code follow-up}, {@code chit-chat} or {@code
   *     memory-statement}
   * @param rewrittenQuery what was searched, when it is not the turn as written: a follow-up as a
   *     standalone question, or what a question beside a statement about the user asks
   * @param intentSource {@code llm} or {@code local}: who classified the intent
   * @param modelVersion the index version that answered
   * @param timings milliseconds per stage ({@code intentMs}, {@code totalMs}, …)
   * @param cached true when served from the response cache
   * @param arm during a rollout of the collection, who served it: {@code champion}, {@code
   *     candidate}, {@code interleaved} (both versions' rankings merged) or {@code fallback} (the
   *     candidate failed and the champion answered); absent otherwise
   */
  public record QueryResponse(
      String queryId,
      String answer,
      String answerMode,
      List<Integer> citations,
      String warning,
      List<Source> sources,
      String intent,
      String rewrittenQuery,
      String intentSource,
      String sessionId,
      String modelVersion,
      Map<String, Double> timings,
      boolean cached,
      String arm) {

    public QueryResponse {
      citations = citations == null ? List.of() : List.copyOf(citations);
      sources = sources == null ? List.of() : List.copyOf(sources);
      timings = timings == null ? Map.of() : timings;
    }
  }

  /**
   * A source of the answer: a document chunk ({@code tier} {@code document}) or a remembered fact
   * ({@code tier} {@code episodic} or {@code semantic}, {@code source} {@code memory:<tier>/<id>},
   * document and chunk ids 0). The query path in core builds these records itself.
   *
   * @param documentId the chunk's document; 0 for a fact
   * @param chunkId the chunk; 0 for a fact
   * @param source the document's source as cited, or {@code memory:<tier>/<id>} for a fact
   * @param title the document's title, or {@code memory: <subject>} for a fact
   * @param snippet a chunk's text with white space folded, cut at 300 characters; a fact's whole
   *     text
   * @param score the reranked (or fused) score of a chunk, the recall score of a fact
   * @param tier {@code document}, {@code episodic} or {@code semantic}
   */
  public record Source(
      long documentId,
      long chunkId,
      String source,
      String title,
      String snippet,
      double score,
      String tier) {}
}
