package io.engram.core.memory;

import io.engram.core.embedding.CachedEmbedder;
import io.engram.core.llm.LlmUnavailableException;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a batch of a session's turns into episodic facts: extract, embed, then store with dedup and
 * supersession ({@link EpisodicMemory}) in one transaction that also advances the session's
 * distillation watermark ({@link DistillationState}) and records the batch ({@link
 * DistillationBatches}). A batch is therefore stored entirely or not at all, and distilling it
 * again returns the recorded result instead of storing anything twice.
 */
public final class Distiller {
  private static final Logger log = LoggerFactory.getLogger(Distiller.class);

  /**
   * What a batch did.
   *
   * @param toTurnId the last turn of the batch; the watermark is at least this afterwards
   * @param extractor which extractor found the facts
   * @param replayed true when the batch had been distilled before and this is its recorded result
   */
  public record Outcome(
      long toTurnId,
      List<Long> storedIds,
      List<Long> mergedIds,
      List<Long> supersededIds,
      String extractor,
      boolean replayed) {}

  /** The session does not exist (any more): a permanent condition, retrying cannot help. */
  public static final class UnknownSessionException extends Exception {
    public UnknownSessionException(UUID sessionId) {
      super("no session " + sessionId);
    }
  }

  private final Jdbi jdbi;
  private final Sessions sessions;
  private final Turns turns;
  private final DistillationState state;
  private final EpisodicMemory episodic;
  private final FactExtractor extractor;
  private final FactExtractor fallback;
  private final CachedEmbedder embedder;

  /**
   * @param extractor the preferred extractor (an LLM-backed one when configured)
   * @param fallback used when {@code extractor} cannot reach its LLM; an outage degrades extraction
   *     to the local patterns rather than failing every conversation
   */
  public Distiller(
      Jdbi jdbi,
      EpisodicMemory episodic,
      FactExtractor extractor,
      FactExtractor fallback,
      CachedEmbedder embedder) {
    this.jdbi = jdbi;
    this.sessions = new Sessions(jdbi);
    this.turns = new Turns(jdbi);
    this.state = new DistillationState(jdbi);
    this.episodic = episodic;
    this.extractor = extractor;
    this.fallback = fallback;
    this.embedder = embedder;
  }

  /** The ids of the session's turns after its watermark, oldest first, at most {@code limit}. */
  public List<Long> pendingTurns(UUID sessionId, int limit) {
    return turns.undistilled(sessionId, limit);
  }

  /** How far the session is distilled (0 before its first batch). */
  public long watermark(UUID sessionId) {
    return state.watermark(sessionId);
  }

  /**
   * Distills the turns {@code turnIds} of a session.
   *
   * @throws MalformedExtractionException when the extractor's output is invalid; nothing is stored
   * @throws UnknownSessionException when the session does not exist
   */
  public Outcome distill(UUID sessionId, List<Long> turnIds, Instant now)
      throws MalformedExtractionException, UnknownSessionException {
    if (turnIds.isEmpty()) {
      return new Outcome(0, List.of(), List.of(), List.of(), "none", false);
    }
    long toTurnId = Collections.max(turnIds);
    Optional<Outcome> recorded =
        jdbi.withHandle(h -> DistillationBatches.recorded(h, sessionId, toTurnId));
    if (recorded.isPresent()) {
      return recorded.get();
    }
    MemoryScope scope =
        sessions.scope(sessionId).orElseThrow(() -> new UnknownSessionException(sessionId));
    List<FactExtractor.Turn> batch = turns.byIds(sessionId, turnIds);
    Extraction extraction = extract(sessionId, batch, episodic.knownSubjects(scope, now));
    List<ExtractedFact> facts = extraction.facts();
    String extractedBy = extraction.extractor();
    // Not through the cache: a fact is a user's, and the cache names no owner to forget it by.
    List<float[]> vectors =
        embedder.embedUncached(facts.stream().map(ExtractedFact::text).toList());
    return jdbi.inTransaction(
        h -> {
          long watermark = DistillationState.lock(h, sessionId, now);
          Optional<Outcome> raced = DistillationBatches.recorded(h, sessionId, toTurnId);
          if (raced.isPresent()) {
            h.rollback();
            return raced.get();
          }
          if (watermark >= toTurnId) {
            // Another run distilled these turns in batches of other bounds: nothing is left to do.
            h.rollback();
            return new Outcome(toTurnId, List.of(), List.of(), List.of(), extractedBy, true);
          }
          EpisodicMemory.StoreResult result =
              episodic.store(h, scope, facts, vectors, embedder.modelName(), extractedBy, now);
          DistillationBatches.recordDone(h, sessionId, turnIds, extractedBy, result, now);
          DistillationState.advance(h, sessionId, toTurnId, now);
          return new Outcome(
              toTurnId,
              result.storedIds(),
              result.mergedIds(),
              result.supersededIds(),
              extractedBy,
              false);
        });
  }

  /** Facts and the name of the extractor that found them. */
  private record Extraction(List<ExtractedFact> facts, String extractor) {}

  private Extraction extract(UUID sessionId, List<FactExtractor.Turn> batch, List<String> known)
      throws MalformedExtractionException {
    try {
      return new Extraction(extractor.extract(batch, known), extractor.name());
    } catch (LlmUnavailableException e) {
      log.warn(
          "fact extraction by {} unavailable ({}); using {} for session {}",
          extractor.name(),
          e.getMessage(),
          fallback.name(),
          sessionId);
      try {
        return new Extraction(fallback.extract(batch, known), fallback.name());
      } catch (LlmUnavailableException unreachable) {
        throw new IllegalStateException("the fallback extractor must not need an LLM", unreachable);
      }
    }
  }

  /**
   * Records a batch that could not be distilled (its extraction stayed malformed) and moves the
   * watermark past it, storing no fact: the turns stay in working memory and the failure is listed
   * in {@code distillation_batches} for an operator.
   */
  public void recordFailure(UUID sessionId, List<Long> turnIds, String reason, Instant now) {
    if (turnIds.isEmpty()) {
      return;
    }
    jdbi.useTransaction(
        h -> {
          DistillationState.lock(h, sessionId, now);
          DistillationBatches.recordFailed(h, sessionId, turnIds, reason, now);
          DistillationState.advance(h, sessionId, Collections.max(turnIds), now);
        });
  }
}
