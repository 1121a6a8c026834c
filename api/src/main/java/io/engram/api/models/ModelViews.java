package io.engram.api.models;

import io.engram.api.auth.Caller;
import io.engram.contract.Models;
import io.engram.contract.Models.AliasEvent;
import io.engram.contract.Models.Artifact;
import io.engram.contract.Models.Bundle;
import io.engram.contract.Models.CrossEncoder;
import io.engram.contract.Models.Gate;
import io.engram.contract.Models.Retrieval;
import io.engram.contract.Models.VersionView;
import io.engram.core.CoreServices;
import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.core.registry.AliasEvents;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.ModelBundle;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.rerank.CrossEncoderReranker;
import io.engram.core.rerank.RerankerSettings;
import jakarta.inject.Singleton;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Maps the registry's versions and events onto the wire contract. */
@Singleton
class ModelViews {
  private final IndexVersions indexVersions;

  ModelViews(CoreServices core) {
    this.indexVersions = core.indexVersions();
  }

  /** A version as {@code caller}'s tenant is shown it: its collection by name. */
  VersionView view(Caller caller, RegisteredVersion v) {
    return view(caller, v, new HashMap<>());
  }

  /** The versions as listed; each index version is read once. */
  List<VersionView> views(Caller caller, List<RegisteredVersion> versions) {
    Map<Integer, Optional<IndexVersion>> indexes = new HashMap<>();
    return versions.stream().map(v -> view(caller, v, indexes)).toList();
  }

  private VersionView view(
      Caller caller, RegisteredVersion v, Map<Integer, Optional<IndexVersion>> indexes) {
    Optional<IndexVersion> index = indexes.computeIfAbsent(v.indexVersionId(), indexVersions::byId);
    return new VersionView(
        caller.shown(v.collection()),
        v.version(),
        caller.shown(v.label()),
        v.aliases().stream().sorted(Comparator.comparingInt(ModelAliases.ALL::indexOf)).toList(),
        v.status(),
        v.metrics(),
        bundle(v.bundle()),
        index.map(ModelViews::index).orElse(null),
        v.artifacts().stream().map(a -> new Artifact(a.name(), a.sha256(), a.size())).toList(),
        v.lineage(),
        v.gates().stream().map(g -> new Gate(g.name(), g.passed(), g.reason())).toList(),
        v.tags(),
        v.createdBy(),
        v.reason(),
        v.createdAt().toString());
  }

  static Bundle bundle(ModelBundle b) {
    var r = b.retrieval();
    RerankerSettings k = b.reranker();
    CrossEncoderReranker.Settings c = k.crossEncoder();
    return new Bundle(
        new Retrieval(
            r.mode().name().toLowerCase(Locale.ROOT),
            r.denseWeight(),
            r.candidates(),
            r.maxLexemeShare(),
            r.rerank()),
        new Models.Reranker(
            k.kind().value(),
            k.artifact(),
            k.linearModel() == null ? null : k.linearModel().toString(),
            c == null
                ? null
                : new CrossEncoder(
                    c.dir().toString(),
                    c.name(),
                    c.maxLength(),
                    c.topN(),
                    c.batchSize(),
                    c.threads())),
        b.answerModel());
  }

  static Models.IndexVersion index(IndexVersion i) {
    return new Models.IndexVersion(
        i.name(), i.embeddingModel(), i.dimension(), i.chunkSize(), i.chunkOverlap());
  }

  static AliasEvent event(AliasEvents.Event e) {
    return new AliasEvent(
        e.alias(), e.from(), e.to(), e.actor(), e.reason(), e.workflowId(), e.at().toString());
  }
}
