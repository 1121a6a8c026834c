package io.engram.core.rollout;

import io.engram.core.ingestion.ServedIndexes;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.ModelRegistry;
import io.engram.core.registry.RegisteredVersion;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The index versions a collection is served from, read from the registry's aliases and the running
 * rollout: what ingestion writes to and has follow, and what index retention never drops.
 */
public final class LiveIndexes implements ServedIndexes {
  private final ModelRegistry registry;
  private final Rollouts rollouts;

  public LiveIndexes(ModelRegistry registry, Rollouts rollouts) {
    this.registry = registry;
    this.rollouts = rollouts;
  }

  @Override
  public Optional<Integer> serving(String collection) {
    return registry.alias(collection, ModelAliases.CHAMPION).map(RegisteredVersion::indexVersionId);
  }

  @Override
  public Set<Integer> servable(String collection) {
    Set<Integer> live = new LinkedHashSet<>();
    for (RegisteredVersion v : registry.list(collection)) {
      if (!v.aliases().isEmpty()) {
        live.add(v.indexVersionId());
      }
    }
    rollouts
        .running(collection)
        .ifPresent(
            r -> {
              registry.byId(r.champion().id()).ifPresent(v -> live.add(v.indexVersionId()));
              registry.byId(r.candidate().id()).ifPresent(v -> live.add(v.indexVersionId()));
            });
    return live;
  }
}
