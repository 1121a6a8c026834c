package io.engram.core.rollout;

import io.engram.core.index.IndexVersions;
import io.engram.core.ingestion.DocumentIndexes;
import io.engram.core.registry.ModelRegistry;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.store.PgVectorChunkStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the index a version lost a rollout with, once the rollout's retention ({@code
 * ENGRAM_ROLLOUT_RETENTION}) has passed: the old champion's after a promotion (until then {@code
 * undo} is instant), the candidate's after a rollback. Also the index a retraining rebuilt for
 * candidates the gates rejected (another embedding model or chunking), once the same retention has
 * passed since the last of them was registered, when no version on it is still registered (one
 * could yet roll out). An index is dropped only when nothing can serve from it any more: no version
 * of the collection on that index holds an alias ({@code champion}, {@code staging}, {@code
 * previous}) or takes part in a running rollout, and it is not the index version ingestion writes
 * to. Dropping archives the versions that searched it (tagged {@code index}), so none can be
 * promoted onto an empty index, then deletes the collection's chunks and document index rows of
 * that index version in one transaction. Each step is safe to repeat, and an index is passed over
 * only once it is empty and all its versions are archived and tagged: a sweep that died half way
 * (even between the delete and the archiving, as sweeps before this order could) is finished by the
 * next one, and running it again drops nothing more.
 */
public final class IndexRetention {
  private static final Logger log = LoggerFactory.getLogger(IndexRetention.class);
  static final String ACTOR = "index-retention";

  /** The tag a version archived with its index carries; its value says why. */
  static final String INDEX_TAG = "index";

  /**
   * An index version of a collection that was dropped, the versions archived with it, and the
   * rollout it lost (null when only rejected candidates searched it).
   */
  public record Dropped(
      String collection, int indexVersionId, long chunks, List<Integer> versions, String rollout) {}

  /** A version that lost a rollout, and that rollout's workflow id. */
  private record Lost(RegisteredVersion version, String rollout) {}

  private final Jdbi jdbi;
  private final ModelRegistry registry;
  private final Rollouts rollouts;
  private final IndexVersions indexes;
  private final PgVectorChunkStore chunks;
  private final LiveIndexes live;
  private final Duration retention;

  /**
   * @param retention how long after the last rejection an index only rejected candidates search is
   *     kept ({@code ENGRAM_ROLLOUT_RETENTION}, the rollouts' own)
   */
  public IndexRetention(
      Jdbi jdbi,
      ModelRegistry registry,
      Rollouts rollouts,
      IndexVersions indexes,
      PgVectorChunkStore chunks,
      Duration retention) {
    this.jdbi = jdbi;
    this.registry = registry;
    this.rollouts = rollouts;
    this.indexes = indexes;
    this.chunks = chunks;
    this.live = new LiveIndexes(registry, rollouts);
    this.retention = retention;
  }

  /**
   * Drops every losing index whose retention passed before {@code now}; returns what it dropped.
   */
  public List<Dropped> dropExpired(Instant now) {
    Integer ingestTarget = indexes.champion().map(v -> v.id()).orElse(null);
    // The latest rollout naming a (collection, index) wins: one drop per index.
    Map<String, Lost> lost = new LinkedHashMap<>();
    for (Rollouts.Loser loser : rollouts.losersRetainedUntil(now)) {
      registry
          .byId(loser.versionId())
          .ifPresent(
              v ->
                  lost.put(
                      v.collection() + "\u0000" + v.indexVersionId(),
                      new Lost(v, loser.rolloutWorkflowId())));
    }
    // Candidates the gates rejected: their index goes too, unless a rollout named it above.
    Instant cutoff = now.minus(retention);
    for (RegisteredVersion v : registry.versions().rejectedBefore(cutoff)) {
      lost.putIfAbsent(v.collection() + "\u0000" + v.indexVersionId(), new Lost(v, null));
    }
    List<Dropped> dropped = new ArrayList<>();
    for (Lost l : lost.values()) {
      String collection = l.version().collection();
      int index = l.version().indexVersionId();
      if (Integer.valueOf(index).equals(ingestTarget)
          || live.servable(collection).contains(index)) {
        continue;
      }
      List<RegisteredVersion> onIndex =
          registry.list(collection).stream().filter(v -> v.indexVersionId() == index).toList();
      if (l.rollout() == null
          && onIndex.stream()
              .anyMatch(
                  v ->
                      RegisteredVersion.REGISTERED.equals(v.status())
                          || !v.createdAt().isBefore(cutoff))) {
        // A version on it may still roll out, or a rejection is recent (a retraining with the
        // same index parameters reuses the index rather than rebuilding it).
        continue;
      }
      if (chunks.count(collection, index) == 0 && onIndex.stream().allMatch(IndexRetention::done)) {
        continue;
      }
      dropped.add(drop(collection, index, onIndex, l.rollout()));
    }
    return dropped;
  }

  /** Archived by a drop of its index. */
  private static boolean done(RegisteredVersion v) {
    return RegisteredVersion.ARCHIVED.equals(v.status()) && v.tags().containsKey(INDEX_TAG);
  }

  private Dropped drop(
      String collection, int index, List<RegisteredVersion> onIndex, String rollout) {
    String reason =
        "index version "
            + index
            + " dropped: retention after "
            + (rollout == null ? "its candidates were rejected" : rollout + " ended");
    // Archived first: from here on none of them can be staged or promoted onto the index.
    List<Integer> archived = new ArrayList<>();
    for (RegisteredVersion v : onIndex) {
      if (!RegisteredVersion.ARCHIVED.equals(v.status())) {
        registry.archive(collection, v.version(), new ModelRegistry.Change(ACTOR, reason, null));
      }
      registry.versions().tag(v.id(), INDEX_TAG, reason);
      archived.add(v.version());
    }
    long deleted =
        jdbi.inTransaction(
            h -> {
              long n = PgVectorChunkStore.deleteOfIndex(h, collection, index);
              DocumentIndexes.deleteOfIndex(h, collection, index);
              return n;
            });
    log.info("{}: {} chunks of {} deleted; versions {}", reason, deleted, collection, archived);
    return new Dropped(collection, index, deleted, archived, rollout);
  }
}
