package io.engram.core.ingestion;

import java.util.Optional;
import java.util.Set;

/**
 * Which index versions a collection's documents must be in: the one its serving version searches,
 * and every one some version of it can serve from next. Ingestion writes to the first and has the
 * others follow; the registry and the rollouts know them ({@link
 * io.engram.core.rollout.LiveIndexes}).
 */
public interface ServedIndexes {

  /** A collection with no registered version: ingestion writes to the installation's champion. */
  ServedIndexes NONE =
      new ServedIndexes() {
        @Override
        public Optional<Integer> serving(String collection) {
          return Optional.empty();
        }

        @Override
        public Set<Integer> servable(String collection) {
          return Set.of();
        }
      };

  /** The index version the collection's serving version searches, if it has a registered one. */
  Optional<Integer> serving(String collection);

  /**
   * Every index version some version of the collection can serve from: the serving one, those of
   * versions holding another alias ({@code staging}, {@code previous}: the instant undo) and both
   * sides of a running rollout.
   */
  Set<Integer> servable(String collection);
}
