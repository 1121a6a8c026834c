package io.engram.core.query;

import io.engram.core.embedding.EmbeddableText;
import io.engram.core.tenant.Tenant;
import java.util.Objects;
import java.util.UUID;

/**
 * One turn asked of the query path.
 *
 * @param tenant who asks: the session and the collection must be this tenant's
 * @param text what the user wrote
 * @param sessionId the conversation it belongs to; null for a sessionless question
 * @param collection the key ({@link Tenant#collection}) of the collection to search; null for the
 *     session's, else the tenant's {@code default}
 * @param topK document chunks to return
 * @param fresh compute afresh: no response cache, no cached query embedding
 */
public record Question(
    Tenant tenant, String text, UUID sessionId, String collection, int topK, boolean fresh) {

  /** Chunks returned when a caller does not say. */
  public static final int DEFAULT_TOP_K = 5;

  public Question {
    Objects.requireNonNull(tenant, "tenant");
    if (!EmbeddableText.isReadable(text)) {
      throw new IllegalArgumentException(
          "a question needs text: this one holds only white space or invisible characters");
    }
    text = text.strip();
    if (topK < 1) {
      throw new IllegalArgumentException("topK must be positive, got " + topK);
    }
  }
}
