package io.engram.api.ingestion;

import io.engram.api.auth.Caller;
import io.engram.api.collections.CollectionLookup;
import io.engram.api.problems.CleanText;
import io.engram.api.problems.Problems;
import io.engram.api.temporal.WorkflowRun;
import io.engram.contract.Ingestions;
import io.engram.contract.Ingestions.DocumentError;
import io.engram.contract.Ingestions.FileRef;
import io.engram.contract.Ingestions.IngestionStarted;
import io.engram.contract.Ingestions.IngestionStatus;
import io.engram.contract.Ingestions.Validation;
import io.engram.core.CoreServices;
import io.engram.core.Hashing;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.config.EngramSettings;
import io.engram.core.index.IndexParams;
import io.engram.core.index.IndexVersions;
import io.engram.core.ingestion.BlobStore;
import io.engram.core.ingestion.DocumentType;
import io.engram.core.ingestion.ManifestEntry;
import io.engram.core.ingestion.Manifests;
import io.engram.core.rollout.LiveIndexes;
import io.engram.core.tenant.Tenant;
import io.engram.core.tenant.Tenants;
import io.engram.workflows.ingestion.IngestionProgress;
import io.engram.workflows.ingestion.IngestionRequest;
import io.engram.workflows.ingestion.IngestionWorkflow;
import io.engram.workflows.ingestion.ValidationReport;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.failure.ApplicationFailure;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Validates ingestion requests and starts or inspects {@link IngestionWorkflow} runs. */
@Singleton
class IngestionStarter {
  private final EngramSettings settings;
  private final WorkflowClient client;
  private final CollectionRegistry collections;
  private final CollectionLookup lookup;
  private final BlobStore blobs;
  private static final WorkflowRun.Kind KIND =
      new WorkflowRun.Kind("ingestion", IngestionWorkflow.class.getSimpleName());

  private final Manifests manifests;
  private final IndexVersions indexVersions;
  private final LiveIndexes live;
  private final Tenants tenants;

  IngestionStarter(WorkflowClient client, CoreServices core, CollectionLookup lookup) {
    this.settings = core.settings();
    this.client = client;
    this.lookup = lookup;
    this.collections = core.collections();
    this.blobs = core.blobs();
    this.manifests = new Manifests(core.jdbi());
    this.indexVersions = core.indexVersions();
    this.live = core.liveIndexes();
    this.tenants = new Tenants(core.jdbi());
  }

  /** The tenant other than the default whose directory under a root holds {@code real}. */
  private Optional<Tenant> otherTenantsDirectory(Path real) throws IOException {
    List<Tenant> others = tenants.list().stream().filter(t -> !t.equals(Tenant.DEFAULT)).toList();
    for (Path root : settings.ingestion().roots()) {
      if (!Files.exists(root)) {
        continue;
      }
      Path base = root.toRealPath();
      for (Tenant t : others) {
        if (real.startsWith(base.resolve(t.id()))) {
          return Optional.of(t);
        }
      }
    }
    return Optional.empty();
  }

  IngestionStarted start(Caller caller, Ingestions.IngestionRequest body) throws IOException {
    String name = body.collection() == null ? CollectionRegistry.DEFAULT : body.collection();
    if (!CollectionRegistry.isValidName(name)) {
      throw Problems.invalidCollection(name);
    }
    String collection = caller.collection("/collection", name);
    IndexParams chunking;
    try {
      // From the index the collection is served from, as the ingestion will be.
      chunking =
          indexVersions.check(
              live.serving(collection),
              IndexParams.chunking(body.chunkSize(), body.chunkOverlap()));
    } catch (IllegalArgumentException e) {
      throw Problems.invalidField("/chunkOverlap", e.getMessage());
    }
    boolean hasPath = body.path() != null && !body.path().isBlank();
    // An empty upload is a source that has no files any more: its run tombstones what the
    // collection holds from that origin (and only from it), so it must say which source that is.
    // Beside a path, an empty list is no upload at all.
    boolean hasFiles = body.files() != null && (!body.files().isEmpty() || !hasPath);
    if (hasPath == hasFiles) {
      throw Problems.badRequest(
          "give exactly one of 'path' (a server-side path) and 'files' (uploaded blobs)");
    }
    if (hasFiles && body.files().isEmpty() && (body.origin() == null || body.origin().isBlank())) {
      throw Problems.invalidField(
          "/origin",
          "an upload of no files needs 'origin', the source that has none any more (its documents"
              + " are removed from the collection)");
    }
    IngestionRequest request;
    if (hasPath) {
      Path real = resolveAllowed(caller.tenant(), body.path());
      request =
          new IngestionRequest(
              collection,
              real.toString(),
              real.toString(),
              null,
              body.chunkSize(),
              body.chunkOverlap());
    } else {
      String origin =
          body.origin() == null || body.origin().isBlank()
              ? body.files().get(0).path()
              : body.origin();
      if (origin.equals(IngestionRequest.REBUILD_ORIGIN)) {
        throw Problems.invalidField(
            "/origin", "'" + origin + "' is reserved for rebuilds; name where the files came from");
      }
      UUID manifest = storeManifest(caller.tenant(), collection, origin, body.files());
      request =
          new IngestionRequest(
              collection, origin, null, manifest.toString(), body.chunkSize(), body.chunkOverlap());
    }
    collections.ensure(collection);
    String asked = fingerprint(request, body, chunking);
    IngestionWorkflow workflow =
        client.newWorkflowStub(
            IngestionWorkflow.class,
            IngestionWorkflow.startOptions(collection, request.origin(), asked));
    String workflowId = IngestionWorkflow.workflowId(collection, request.origin());
    return WorkflowRun.start(
        "the ingestion workflow",
        () -> {
          Optional<String> running =
              WorkflowRun.find(client, workflowId)
                  .filter(WorkflowRun::running)
                  .map(WorkflowRun::runId);
          WorkflowExecution execution = WorkflowClient.start(workflow::ingest, request);
          // The run the start returned, ours or one already open (another request may have started
          // it between the look above and the start), asks what its memo says.
          Optional<String> itsAsk =
              WorkflowRun.find(client, workflowId)
                  .filter(r -> r.runId().equals(execution.getRunId()))
                  .flatMap(r -> r.memo(IngestionWorkflow.REQUEST_MEMO));
          if (itsAsk.isPresent() && !itsAsk.get().equals(asked)) {
            throw Problems.conflict(
                "an ingestion of this source into collection '"
                    + name
                    + "' is running (workflow "
                    + workflowId
                    + ") with other files or chunking; attaching to it would drop what you sent."
                    + " Wait for it to end, then send this again");
          }
          // The workflow id is stable per source; a start while a run is open returns that run.
          boolean attached = running.isPresent() && running.get().equals(execution.getRunId());
          return new IngestionStarted(execution.getWorkflowId(), execution.getRunId(), attached);
        });
  }

  /**
   * What a request asks, for {@link IngestionWorkflow#REQUEST_MEMO}: the server path, or the
   * uploaded files by path, hash and size in order, and the chunking it amounts to (a request that
   * gives none and one that gives the served chunking ask the same). Two requests of one source
   * with the same fingerprint would ingest the same, so the second may attach to the first's run.
   */
  static String fingerprint(
      IngestionRequest request, Ingestions.IngestionRequest body, IndexParams chunking) {
    StringBuilder asked =
        new StringBuilder()
            .append(chunking.chunkSize())
            .append('/')
            .append(chunking.chunkOverlap())
            .append('\n');
    if (request.path() != null) {
      asked.append("path ").append(request.path());
    } else {
      body.files().stream()
          .sorted(Comparator.comparing(FileRef::path))
          .forEach(
              f ->
                  asked
                      .append(f.path())
                      .append('\t')
                      .append(f.sha256())
                      .append('\t')
                      .append(f.size())
                      .append('\n'));
    }
    return Hashing.sha256(asked.toString());
  }

  IngestionStatus status(Caller caller, String workflowId) {
    CleanText.require("workflowId", workflowId);
    WorkflowRun workflow =
        lookup.ofCurrentCollection(
            WorkflowRun.describe(client, workflowId, KIND, caller.tenant()), KIND, workflowId);
    IngestionProgress progress = null;
    String failure = null;
    if (workflow.status() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      progress = workflow.result(IngestionProgress.class);
    } else if (workflow.running()) {
      progress =
          workflow.progress(
              IngestionProgress.class,
              new IngestionProgress(
                  "waiting-for-worker", 0, 0, 0, 0, 0, 0, List.of(), List.of(), 0, null));
    } else {
      failure = workflow.failure().map(IngestionStarter::rootMessage).orElse(null);
    }
    if (progress == null) {
      progress = new IngestionProgress("done", 0, 0, 0, 0, 0, 0, List.of(), List.of(), 0, null);
    }
    return new IngestionStatus(
        workflowId,
        workflow.runId(),
        workflow.statusName(),
        progress.phase(),
        progress.total(),
        progress.done(),
        progress.skipped(),
        progress.failed(),
        progress.tombstoned(),
        progress.chunks(),
        progress.errors().stream().map(e -> new DocumentError(e.source(), e.reason())).toList(),
        progress.tombstonedSample(),
        validation(progress.validation()),
        failure);
  }

  private static Validation validation(ValidationReport report) {
    return report == null
        ? null
        : new Validation(
            report.checked(),
            report.incomplete(),
            report.probed(),
            report.unreachable(),
            report.problems());
  }

  /**
   * Resolves a server-side path and checks that its real path lies under one of the tenant's
   * ingestion roots: the directory named after the tenant inside each root for any other tenant;
   * for the default tenant (the installation's own) the configured roots, but for the directories
   * of the other tenants in them.
   */
  private Path resolveAllowed(Tenant tenant, String raw) throws IOException {
    if (settings.ingestion().roots().isEmpty()) {
      throw Problems.forbidden(
          "server-side paths are disabled: set ENGRAM_INGEST_ROOTS on the API, or upload the files (./engram ingest does)");
    }
    Path given = Path.of(raw);
    if (!given.isAbsolute()) {
      throw Problems.badRequest("path must be absolute: " + raw);
    }
    List<Path> roots =
        settings.ingestion().roots().stream()
            .map(root -> tenant.equals(Tenant.DEFAULT) ? root : root.resolve(tenant.id()))
            .toList();
    if (!Files.exists(given)) {
      // Only a path inside the roots may be told missing: outside them, whether a file exists is
      // the server's business, not the caller's.
      Path normal = given.normalize();
      if (roots.stream().noneMatch(normal::startsWith)) {
        throw Problems.forbidden("path " + raw + " is outside the ingestion roots " + roots);
      }
      throw Problems.notFound("path", "no such file or directory on the server: " + raw);
    }
    // toRealPath resolves symbolic links and '..', so neither can escape the roots.
    Path real = given.toRealPath();
    boolean allowed = false;
    for (Path root : roots) {
      if (Files.exists(root) && real.startsWith(root.toRealPath())) {
        allowed = true;
        break;
      }
    }
    if (!allowed) {
      throw Problems.forbidden("path " + raw + " is outside the ingestion roots " + roots);
    }
    if (tenant.equals(Tenant.DEFAULT)) {
      Optional<Tenant> owner = otherTenantsDirectory(real);
      if (owner.isPresent()) {
        throw Problems.forbidden(
            "path "
                + raw
                + " is in the ingestion directory of tenant '"
                + owner.get().id()
                + "'; ingest it with one of that tenant's keys");
      }
    }
    if (Files.isRegularFile(real)
        && DocumentType.ofFileName(real.getFileName().toString()).isEmpty()) {
      throw Problems.unsupportedType(
          "cannot ingest "
              + real.getFileName()
              + "; supported: "
              + DocumentType.supportedExtensions());
    }
    if (!Files.isReadable(real)) {
      throw Problems.forbidden("path is not readable by the server: " + raw);
    }
    return real;
  }

  /** The last name of a client's path ({@code notes/a.md}: {@code a.md}); empty for {@code /}. */
  private static Optional<String> fileName(String clientPath) {
    // Strict binding has refused a NUL already, the one character a Unix path cannot hold.
    return Optional.ofNullable(Path.of(clientPath).getFileName()).map(Path::toString);
  }

  private UUID storeManifest(Tenant tenant, String collection, String origin, List<FileRef> files)
      throws IOException {
    for (int i = 0; i < files.size(); i++) {
      if (fileName(files.get(i).path()).isEmpty()) {
        throw Problems.invalidField(
            "/files/" + i + "/path", "names no file; give the file's path as the client sees it");
      }
    }
    if (files.size() == 1
        && DocumentType.ofFileName(fileName(files.get(0).path()).orElseThrow()).isEmpty()) {
      throw Problems.unsupportedType(
          "cannot ingest "
              + files.get(0).path()
              + "; supported: "
              + DocumentType.supportedExtensions());
    }
    List<ManifestEntry> entries = new ArrayList<>(files.size());
    for (FileRef f : files) {
      entries.add(new ManifestEntry(f.path(), f.sha256(), f.size()));
    }
    List<String> missing =
        blobs.missing(tenant, entries.stream().map(ManifestEntry::sha256).toList());
    if (!missing.isEmpty()) {
      throw Problems.badRequest(
          missing.size()
              + " file(s) were not uploaded (first: "
              + missing.get(0)
              + "); PUT /v1/blobs/{sha256} first");
    }
    collections.ensure(collection);
    return manifests.store(collection, origin, entries);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
      if (t instanceof ApplicationFailure af) {
        return af.getOriginalMessage();
      }
    }
    return t.getMessage();
  }
}
