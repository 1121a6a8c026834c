package io.engram.core.registry;

import io.engram.core.Hashing;
import io.engram.core.index.IndexVersion;
import io.engram.core.ingestion.BlobStore;
import io.engram.core.query.UnknownResourceException;
import io.engram.core.rerank.LinearReranker;
import io.engram.core.rerank.RerankerSettings;
import io.engram.core.rerank.Rerankers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model registry: numbered versions per collection (each a bundle of index version, retrieval
 * settings and reranker with its weights as a stored artifact), the aliases {@code champion} (it
 * serves), {@code staging} (passed the gates) and {@code previous} (the instant rollback target),
 * and an audit row for every alias move. Serving resolves a collection's {@code champion} alias to
 * one version and builds everything from it, so a model and its index are never mixed up.
 */
public final class ModelRegistry {
  private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

  /**
   * The origin of every collection's version 1, migrated from an install's champion or registered
   * at its first ingestion: a retried registration finds it instead of adding another.
   */
  public static final String MIGRATION = "migration";

  private final Jdbi jdbi;
  private final BlobStore blobs;
  private final ModelVersions versions;
  private final ModelAliases aliases;
  private final AliasEvents events;
  private final boolean championNeedsApproval;

  /**
   * @param championNeedsApproval whether moving {@code champion} by hand needs an explicit approval
   *     (production)
   */
  public ModelRegistry(Jdbi jdbi, BlobStore blobs, boolean championNeedsApproval) {
    this.jdbi = jdbi;
    this.blobs = blobs;
    this.versions = new ModelVersions(jdbi);
    this.aliases = new ModelAliases(jdbi);
    this.events = new AliasEvents(jdbi);
    this.championNeedsApproval = championNeedsApproval;
  }

  public ModelVersions versions() {
    return versions;
  }

  public ModelAliases aliases() {
    return aliases;
  }

  public AliasEvents events() {
    return events;
  }

  /** Who changes the registry and why, for the audit. */
  public record Change(String actor, String reason, String workflowId) {}

  /**
   * Registers a version and points {@code aliases} at it, in one transaction (a retried
   * registration from the same origin changes nothing and returns the first).
   */
  public RegisteredVersion register(
      ModelVersions.NewVersion version, List<String> pointAliases, Change change) {
    long id =
        jdbi.inTransaction(
            h -> {
              long row = ModelVersions.insert(h, version);
              for (String alias : pointAliases) {
                move(h, version.collection(), alias, row, change);
              }
              return row;
            });
    return byId(id).orElseThrow();
  }

  /** The version with its current aliases. */
  public Optional<RegisteredVersion> find(String collection, int version) {
    return versions.find(collection, version).map(this::withAliases);
  }

  /** The version with row id {@code id} and its current aliases. */
  public Optional<RegisteredVersion> byId(long id) {
    return versions.byId(id).map(this::withAliases);
  }

  /** The version {@code alias} of {@code collection} points at. */
  public Optional<RegisteredVersion> alias(String collection, String alias) {
    return aliases.find(collection, alias).flatMap(t -> byId(t.versionId()));
  }

  /** The collection's versions, newest first, with their aliases. */
  public List<RegisteredVersion> list(String collection) {
    Map<Long, List<String>> byVersion = aliases.byVersion(collection);
    List<RegisteredVersion> out = new ArrayList<>();
    for (RegisteredVersion v : versions.list(collection)) {
      out.add(with(v, byVersion.getOrDefault(v.id(), List.of())));
    }
    return out;
  }

  /**
   * Points {@code alias} of {@code collection} at {@code version}; moving {@code champion} makes
   * the old champion {@code previous}, and takes {@code staging} off the version when it was staged
   * (every move audited). Production needs {@code approved} for a champion move made by hand.
   *
   * @throws UnknownResourceException when there is no such version
   * @throws RegistryConflictException when the version is rejected or archived, or approval is
   *     missing
   */
  public RegisteredVersion promote(
      String collection, String alias, int version, boolean approved, Change change) {
    return promote(collection, alias, version, approved, change, null, h -> {});
  }

  /**
   * As {@link #promote(String, String, int, boolean, Change)}, but only while {@code alias} still
   * points at {@code from} (checked in the transaction with the alias row locked, so a move made
   * meanwhile, by hand say, is never silently undone), and with {@code alongside} run in the same
   * transaction: a rollout records its decision in the one that moves the alias, so routing never
   * sees one without the other. An exception from {@code alongside} rolls the move back.
   *
   * @param from where the alias must point when it moves; null for wherever it points
   * @throws RegistryConflictException also when the alias no longer points at {@code from}
   */
  public RegisteredVersion promote(
      String collection,
      String alias,
      int version,
      boolean approved,
      Change change,
      ModelAliases.Target from,
      Consumer<Handle> alongside) {
    if (!ModelAliases.ALL.contains(alias)) {
      throw new IllegalArgumentException(
          "alias must be one of " + ModelAliases.ALL + ", got '" + alias + "'");
    }
    RegisteredVersion target = require(collection, version);
    requireRegistered(target, target.status());
    if (alias.equals(ModelAliases.CHAMPION) && championNeedsApproval && !approved) {
      throw new RegistryConflictException(
          RegistryConflictException.Reason.APPROVAL_REQUIRED,
          "moving champion in production needs approval: repeat with --approve (API: approve:"
              + " true)");
    }
    jdbi.useTransaction(
        h -> {
          // The status read again with the version row locked: a concurrent archive of it waits
          // for this move (and then finds it carrying the alias) or, first, makes it fail here.
          requireRegistered(target, ModelVersions.lockStatus(h, target.id()));
          // Then the alias row (the version row first, as a move by hand locks them).
          if (from != null) {
            Optional<ModelAliases.Target> now = ModelAliases.findForUpdate(h, collection, alias);
            if (now.isEmpty() || now.get().versionId() != from.versionId()) {
              throw new RegistryConflictException(
                  RegistryConflictException.Reason.CONFLICT,
                  alias
                      + " of "
                      + collection
                      + " points at "
                      + now.map(t -> "v" + t.version()).orElse("no version")
                      + ", not v"
                      + from.version()
                      + ": it was moved meanwhile");
            }
          }
          move(h, collection, alias, target.id(), change);
          if (alias.equals(ModelAliases.CHAMPION)) {
            // A staged version that serves is no longer waiting for a rollout.
            unset(h, collection, ModelAliases.STAGING, target.version(), change);
          }
          alongside.accept(h);
        });
    return byId(target.id()).orElseThrow();
  }

  /**
   * Removes {@code alias} of {@code collection} when it points at {@code version} (audited), inside
   * the caller's transaction: a promoted candidate leaves {@code staging}.
   */
  public static void unset(Handle h, String collection, String alias, int version, Change change) {
    Optional<ModelAliases.Target> current = ModelAliases.find(h, collection, alias);
    if (current.isEmpty() || current.get().version() != version) {
      return;
    }
    removeAlias(h, collection, alias, version, change);
  }

  /** Removes {@code alias}, which points at {@code version}, and records the change. */
  private static void removeAlias(
      Handle h, String collection, String alias, int version, Change change) {
    ModelAliases.remove(h, collection, alias);
    AliasEvents.record(
        h,
        new AliasEvents.Event(
            collection,
            alias,
            version,
            null,
            change.actor(),
            change.reason(),
            change.workflowId(),
            null));
  }

  /**
   * Stores the gates' verdicts on a candidate and acts on them in one transaction: when every gate
   * passed, {@code staging} points at it; otherwise it is rejected (it can never carry an alias)
   * and the champion is left alone. Judging again stores the same.
   */
  public RegisteredVersion judge(
      String collection, int version, List<RegisteredVersion.Gate> gates, Change change) {
    RegisteredVersion target = require(collection, version);
    boolean passed = gates.stream().allMatch(RegisteredVersion.Gate::passed);
    jdbi.useTransaction(
        h -> {
          ModelVersions.setGates(h, target.id(), gates);
          if (passed) {
            move(h, collection, ModelAliases.STAGING, target.id(), change);
          } else {
            ModelVersions.setStatus(h, target.id(), RegisteredVersion.REJECTED);
          }
        });
    return byId(target.id()).orElseThrow();
  }

  /**
   * Archives a version: it keeps its row but carries no alias and cannot serve. Who archived it,
   * when and why are kept in its {@code archived} tag; archiving it again changes nothing.
   *
   * @throws RegistryConflictException when it is the champion
   */
  public RegisteredVersion archive(String collection, int version, Change change) {
    return archive(collection, version, change, h -> {});
  }

  /**
   * As {@link #archive(String, int, Change)}, with {@code alongside} run in the same transaction (a
   * rollout records its rollback in it); an exception from it rolls the archive back.
   */
  public RegisteredVersion archive(
      String collection, int version, Change change, Consumer<Handle> alongside) {
    RegisteredVersion target = require(collection, version);
    jdbi.useTransaction(
        h -> {
          // Status and aliases read again with the version locked: a concurrent promote onto it
          // either lands first (and this refuses a champion) or waits and finds it archived.
          Locked locked = lock(h, target.id());
          if (locked.serves()) {
            throw new RegistryConflictException(
                RegistryConflictException.Reason.CONFLICT,
                target.label() + " serves as champion; promote another version first");
          }
          archive(h, collection, target.id(), target.version(), locked, change);
          alongside.accept(h);
        });
    return byId(target.id()).orElseThrow();
  }

  /**
   * A version's status and aliases, read with its row locked until the caller's transaction ends,
   * so that what is decided on them (archive it or not) cannot race a promote or an archive.
   */
  public record Locked(String status, List<String> aliases) {
    public boolean serves() {
      return aliases.contains(ModelAliases.CHAMPION);
    }

    public boolean archived() {
      return RegisteredVersion.ARCHIVED.equals(status);
    }
  }

  /**
   * Whether a version {@link #lock locked} in the caller's transaction has served as champion: it
   * carries {@code previous} (the collection's way back), or the alias audit records {@code
   * champion} pointing at it. Such a version is known good, unlike a fresh candidate.
   */
  public static boolean servedAsChampion(Handle h, String collection, int version, Locked locked) {
    return locked.aliases().contains(ModelAliases.PREVIOUS)
        || locked.serves()
        || AliasEvents.everPointedAt(h, collection, ModelAliases.CHAMPION, version);
  }

  /** Locks a version's row in the caller's transaction and reads its status and aliases. */
  public static Locked lock(Handle h, long versionId) {
    String status = ModelVersions.lockStatus(h, versionId);
    return new Locked(status, ModelAliases.ofVersion(h, versionId));
  }

  /**
   * Archives a version {@link #lock locked} in the caller's transaction: its aliases are removed
   * (audited) and it is marked archived with who, when and why. The caller refuses a champion.
   */
  public static void archive(
      Handle h, String collection, long versionId, int version, Locked locked, Change change) {
    for (String alias : locked.aliases()) {
      removeAlias(h, collection, alias, version, change);
    }
    ModelVersions.archive(h, versionId, change.actor(), change.reason());
  }

  /**
   * Makes sure the collection has a champion: an install that served before the registry existed
   * gets its champion index version and configured retrieval and reranker as version 1 (the
   * reranker's weights stored as an artifact), so it upgrades without re-ingesting. A collection
   * that already has versions is left as it is.
   */
  public Optional<RegisteredVersion> bootstrap(
      String collection, IndexVersion index, ModelBundle configured) {
    return versionOne(
        collection,
        index,
        configured,
        "migrated from the champion index version " + index.name(),
        "version 1: the install's champion before the registry");
  }

  /**
   * Makes sure a collection that has just been given its first documents has a champion: version 1
   * is the configured retrieval and reranker over {@code index}, the index version its first
   * ingestion wrote (so an ingestion with chunking of its own is served with that chunking). A
   * collection that already has versions is left as it is.
   */
  public Optional<RegisteredVersion> first(
      String collection, IndexVersion index, ModelBundle configured) {
    return versionOne(
        collection,
        index,
        configured,
        "the collection's first ingestion, into index version " + index.name(),
        "version 1: the collection's first documents");
  }

  private Optional<RegisteredVersion> versionOne(
      String collection, IndexVersion index, ModelBundle configured, String reason, String note) {
    if (versions.any(collection)) {
      return alias(collection, ModelAliases.CHAMPION);
    }
    List<RegisteredVersion.Artifact> artifacts = new ArrayList<>();
    ModelBundle bundle = configured;
    RerankerSettings reranker = configured.reranker();
    if (reranker.kind() == Rerankers.Kind.LINEAR && reranker.artifact() == null) {
      byte[] weights = linearWeights(reranker);
      RegisteredVersion.Artifact artifact = storeArtifact("reranker", weights);
      artifacts.add(artifact);
      bundle =
          new ModelBundle(
              configured.retrieval(),
              reranker.withArtifact(artifact.sha256()),
              configured.answerModel());
    }
    RegisteredVersion v1 =
        register(
            ModelVersions.NewVersion.builder(collection, index.id(), bundle)
                .artifacts(artifacts)
                .lineage(Map.of("indexVersion", index.name()))
                .createdBy("engram")
                .reason(reason)
                .origin(MIGRATION)
                .build(),
            List.of(ModelAliases.CHAMPION),
            new Change("engram", note, null));
    log.info("registered {} over index version {}: {}", v1.label(), index.name(), reason);
    return Optional.of(v1);
  }

  /** Stores {@code bytes} as a content-addressed blob and describes it as an artifact. */
  public RegisteredVersion.Artifact storeArtifact(String name, byte[] bytes) {
    String sha256 = Hashing.sha256(bytes);
    blobs.put(sha256, bytes);
    return new RegisteredVersion.Artifact(name, sha256, bytes.length);
  }

  /** The bytes of a stored artifact. */
  public byte[] artifact(String sha256) {
    try {
      return blobs.read(sha256);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read artifact " + sha256, e);
    }
  }

  private static byte[] linearWeights(RerankerSettings reranker) {
    if (reranker.linearModel() != null) {
      try {
        return java.nio.file.Files.readAllBytes(reranker.linearModel());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + reranker.linearModel(), e);
      }
    }
    try (InputStream in =
        LinearReranker.class
            .getClassLoader()
            .getResourceAsStream(LinearReranker.DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            LinearReranker.DEFAULT_RESOURCE + " is not on the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + LinearReranker.DEFAULT_RESOURCE, e);
    }
  }

  /** The registered version {@code version} of the collection; unknown, an error that says so. */
  public RegisteredVersion require(String collection, int version) {
    return find(collection, version)
        .orElseThrow(
            () ->
                new UnknownResourceException(
                    "model-version",
                    "no model version "
                        + RegisteredVersion.label(collection, version)
                        + "; ./engram models list --collection "
                        + collection
                        + " shows them"));
  }

  private static void requireRegistered(RegisteredVersion target, String status) {
    if (!status.equals(RegisteredVersion.REGISTERED)) {
      throw new RegistryConflictException(
          RegistryConflictException.Reason.CONFLICT,
          target.label() + " is " + status + "; only a registered version can carry an alias");
    }
  }

  /** Points {@code alias} at {@code versionId}; a champion move makes the old one previous. */
  private static void move(
      Handle h, String collection, String alias, long versionId, Change change) {
    Optional<ModelAliases.Target> before = ModelAliases.find(h, collection, alias);
    if (before.isPresent() && before.get().versionId() == versionId) {
      return;
    }
    int to =
        h.createQuery("SELECT version FROM model_versions WHERE id = :id")
            .bind("id", versionId)
            .mapTo(Integer.class)
            .one();
    if (alias.equals(ModelAliases.CHAMPION) && before.isPresent()) {
      Optional<ModelAliases.Target> previous =
          ModelAliases.find(h, collection, ModelAliases.PREVIOUS);
      ModelAliases.set(h, collection, ModelAliases.PREVIOUS, before.get().versionId());
      AliasEvents.record(
          h,
          new AliasEvents.Event(
              collection,
              ModelAliases.PREVIOUS,
              previous.map(ModelAliases.Target::version).orElse(null),
              before.get().version(),
              change.actor(),
              "champion moved to v" + to,
              change.workflowId(),
              null));
    }
    ModelAliases.set(h, collection, alias, versionId);
    AliasEvents.record(
        h,
        new AliasEvents.Event(
            collection,
            alias,
            before.map(ModelAliases.Target::version).orElse(null),
            to,
            change.actor(),
            change.reason(),
            change.workflowId(),
            null));
  }

  private RegisteredVersion withAliases(RegisteredVersion v) {
    return with(v, aliases.byVersion(v.collection()).getOrDefault(v.id(), List.of()));
  }

  private static RegisteredVersion with(RegisteredVersion v, List<String> aliases) {
    return new RegisteredVersion(
        v.id(),
        v.collection(),
        v.version(),
        v.indexVersionId(),
        v.bundle(),
        v.artifacts(),
        v.metrics(),
        v.lineage(),
        v.gates(),
        v.status(),
        v.tags(),
        v.createdBy(),
        v.reason(),
        v.createdAt(),
        List.copyOf(aliases));
  }
}
