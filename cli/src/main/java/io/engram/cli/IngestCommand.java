package io.engram.cli;

import io.engram.cli.EngramClient.Reply;
import io.engram.contract.Collections.DocumentDetail;
import io.engram.contract.Collections.DocumentView;
import io.engram.contract.Collections.IndexHolding;
import io.engram.contract.Ingestions;
import io.engram.contract.Ingestions.DocumentError;
import io.engram.contract.Ingestions.FileRef;
import io.engram.contract.Ingestions.IngestionRequest;
import io.engram.contract.Ingestions.IngestionStarted;
import io.engram.contract.Ingestions.IngestionStatus;
import io.engram.contract.Ingestions.Validation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Ingests a file or directory. By default the content is uploaded to the API as content-addressed
 * blobs (a claim check), so the API and the workers need no access to this machine's disk; only
 * blobs the API does not already hold are sent, which makes re-ingesting a large tree cheap.
 */
@Command(
    name = "ingest",
    description = {
      "Ingest a file or a directory (recursively) into a collection.",
      "Files are uploaded to the API unless --server-path is given; hidden files and symlinks"
          + " leading outside PATH are skipped."
    },
    exitCodeListHeading = "Exit status:%n",
    exitCodeList = {
      "0:the ingestion completed (documents that failed, if some were stored, are listed)",
      "1:the workflow failed, or every document failed and nothing was ingested",
      "2:a usage error or a request the API refused"
    })
final class IngestCommand implements Callable<Integer> {

  static final int UPLOAD_CONCURRENCY = 4;
  private static final int HASH_PROGRESS_MIN_FILES = 100;
  private static final long HASH_PROGRESS_MIN_BYTES = 256L * 1024 * 1024;
  private static final int MAX_LISTED_ERRORS = 20;

  /** The collection the API ingests into when the request names none. */
  static final String DEFAULT_COLLECTION = "default";

  /** How many of the collection's documents the unserved-chunking note reads at most. */
  static final int NOTE_SAMPLE = 5;

  @Mixin CommandContext context;

  @Parameters(paramLabel = "PATH", description = "File or directory to ingest.")
  Path path;

  @Option(
      names = "--collection",
      paramLabel = "NAME",
      description = "Collection to ingest into (default: the API's default collection).")
  String collection;

  @Option(
      names = "--chunk-size",
      paramLabel = "N",
      description =
          "Chunk size in characters, "
              + Ingestions.MIN_CHUNK_SIZE
              + "-"
              + Ingestions.MAX_CHUNK_SIZE
              + " (default: the API's setting).")
  Integer chunkSize;

  @Option(
      names = "--chunk-overlap",
      paramLabel = "N",
      description =
          "Overlap between chunks in characters, 0-"
              + Ingestions.MAX_CHUNK_OVERLAP
              + " and below the chunk size (default: the API's setting).")
  Integer chunkOverlap;

  @Option(
      names = "--server-path",
      description = "Let the API read PATH from its own file system instead of uploading files.")
  boolean serverPath;

  @Option(
      names = "--no-wait",
      description = "Return as soon as the workflow has started instead of following it.")
  boolean noWait;

  @Option(
      names = "--allow-empty",
      description =
          "Let a PATH with no files to ingest remove what the collection holds from it (without"
              + " this, an empty PATH is refused: an unmounted disk looks empty too).")
  boolean allowEmpty;

  @Override
  public Integer call() throws Exception {
    validateOptions();
    long startedNanos = System.nanoTime();
    PrintWriter err = context.err();
    EngramClient client = context.client();

    IngestionStarted started = serverPath ? startServerSide(client) : uploadAndStart(client, err);
    if (started.workflowId() == null || started.workflowId().isBlank()) {
      throw new CliException(
          "the API started an ingestion without a workflow id", CliException.FAILURE);
    }
    if (started.attached()) {
      err.println(
          "note: the same ingestion was already running; following workflow "
              + started.workflowId());
    }
    if (noWait) {
      context.print(
          started,
          out -> {
            out.println("started ingestion workflow " + started.workflowId());
            out.println(
                "see it in the Temporal UI: " + context.temporalUiLink(started.workflowId()));
          });
      return 0;
    }

    Reply<IngestionStatus> last = follow(client, started.workflowId(), err);
    double seconds = (System.nanoTime() - startedNanos) / 1e9;
    String unserved =
        "COMPLETED".equals(last.value().status()) && (chunkSize != null || chunkOverlap != null)
            ? unservedChunkingNote(
                client,
                collection == null ? DEFAULT_COLLECTION : collection,
                chunkSize,
                chunkOverlap)
            : null;
    context.print(
        last,
        (out, status) -> {
          printSummary(out, status, started.workflowId(), seconds);
          if (unserved != null) {
            out.println(unserved);
          }
        });
    // --json keeps stdout to the API's document: the note goes to stderr then.
    if (unserved != null && context.cli().json()) {
      err.println(unserved);
      err.flush();
    }
    IngestionStatus progress = last.value();
    if ("COMPLETED".equals(progress.status())) {
      if (progress.failed() > 0 && progress.done() == 0 && progress.skipped() == 0) {
        // Nothing was stored: a script must not take this for an ingestion that worked.
        err.println(
            "error: every document failed ("
                + progress.failed()
                + "), so nothing was ingested; the reasons are listed above");
        return 1;
      }
      return 0;
    }
    // The summary on stdout names the workflow and its Temporal UI link in text; --json keeps
    // stdout to the API's document, so the link goes with the error line on stderr then.
    if (context.cli().json()) {
      err.println(context.workflowLine(started.workflowId()));
    }
    err.println(
        "error: the ingestion workflow ended with status "
            + progress.status()
            + (progress.failure() == null ? "" : ": " + progress.failure()));
    return 1;
  }

  /**
   * The note for an ingestion that asked for a chunking other than the one the collection is served
   * from: its chunks went to an index version of their own, which searches use only once a model
   * version on it serves. Null when the chunking is the serving one, or when the collection's
   * documents do not tell (then nothing is claimed).
   *
   * <p>The ingestion's status says nothing of index versions; a document's detail ({@code GET
   * /v1/collections/C/documents/ID}) names the serving index and what each index version holds of
   * it, with its chunking. A few of the collection's documents are read until one tells.
   */
  static String unservedChunkingNote(
      EngramClient client, String collection, Integer chunkSize, Integer chunkOverlap) {
    try {
      List<DocumentView> documents =
          client.documents(collection, "active", 0, NOTE_SAMPLE).value().documents();
      for (DocumentView document : documents) {
        DocumentDetail detail = client.document(collection, document.id()).value();
        String serving = detail.servingIndex();
        if (serving == null) {
          return null;
        }
        IndexHolding servingHolding =
            detail.indexes().stream()
                .filter(h -> serving.equals(h.indexVersion()))
                .findFirst()
                .orElse(null);
        Integer size =
            chunkSize != null
                ? chunkSize
                : servingHolding == null ? null : Integer.valueOf(servingHolding.chunkSize());
        Integer overlap =
            chunkOverlap != null
                ? chunkOverlap
                : servingHolding == null ? null : Integer.valueOf(servingHolding.chunkOverlap());
        List<IndexHolding> asked =
            detail.indexes().stream()
                .filter(h -> size == null || h.chunkSize() == size)
                .filter(h -> overlap == null || h.chunkOverlap() == overlap)
                .toList();
        String label;
        if (asked.stream().anyMatch(h -> serving.equals(h.indexVersion()))) {
          return null;
        } else if (!asked.isEmpty()) {
          label = asked.get(0).indexVersion();
        } else if (servingHolding != null) {
          if (servingHolding.chunkSize() == size && servingHolding.chunkOverlap() == overlap) {
            return null;
          }
          label = "chunk size " + size + ", overlap " + overlap;
        } else {
          continue;
        }
        List<String> params = new ArrayList<>();
        if (size != null) {
          params.add("chunkSize=" + size);
        }
        if (overlap != null) {
          params.add("chunkOverlap=" + overlap);
        }
        return "note: chunking "
            + label
            + " is not what '"
            + collection
            + "' is served from ("
            + serving
            + "): searches use these chunks only once a model version on that chunking serves"
            + " (./engram retrain --collection "
            + collection
            + " --params "
            + String.join(",", params)
            + " trains one; a rollout or promotion of it makes it serve)";
      }
      return null;
    } catch (CliException e) {
      // Only a note: the ingestion itself completed.
      return null;
    }
  }

  /** What the API would refuse, refused before any file is hashed or uploaded. */
  private void validateOptions() {
    context.requireCollectionName("--collection", collection);
    if (chunkSize != null
        && (chunkSize < Ingestions.MIN_CHUNK_SIZE || chunkSize > Ingestions.MAX_CHUNK_SIZE)) {
      throw context.usageError(
          "--chunk-size must be from "
              + Ingestions.MIN_CHUNK_SIZE
              + " to "
              + Ingestions.MAX_CHUNK_SIZE
              + " characters");
    }
    if (chunkOverlap != null && (chunkOverlap < 0 || chunkOverlap > Ingestions.MAX_CHUNK_OVERLAP)) {
      throw context.usageError(
          "--chunk-overlap must be from 0 to " + Ingestions.MAX_CHUNK_OVERLAP + " characters");
    }
    if (chunkSize != null && chunkOverlap != null && chunkOverlap >= chunkSize) {
      throw context.usageError("--chunk-overlap must be smaller than --chunk-size");
    }
  }

  private IngestionStarted startServerSide(EngramClient client) {
    String serverSidePath = path.toAbsolutePath().normalize().toString();
    return client.startIngestion(
        new IngestionRequest(collection, serverSidePath, null, null, chunkSize, chunkOverlap));
  }

  private IngestionStarted uploadAndStart(EngramClient client, PrintWriter err)
      throws IOException, InterruptedException {
    List<LocalFiles.Found> found = LocalFiles.list(path, warning -> warn(err, warning));
    Path origin = path.toRealPath();
    List<LocalFiles.Hashed> files = hashAll(found, err);

    // Identical files share one blob, so each distinct hash is checked and uploaded once.
    Map<String, LocalFiles.Hashed> byHash = new LinkedHashMap<>();
    for (LocalFiles.Hashed file : files) {
      byHash.putIfAbsent(file.sha256(), file);
    }
    List<LocalFiles.Hashed> toUpload = new ArrayList<>();
    if (!byHash.isEmpty()) {
      for (String hash : client.missingBlobs(byHash.keySet())) {
        LocalFiles.Hashed file = byHash.remove(hash.toLowerCase(Locale.ROOT));
        if (file != null) {
          toUpload.add(file);
        }
      }
    }
    upload(client, toUpload, err);
    err.printf(
        "%s: %d to upload (%s), %d already stored%n",
        plural(files.size(), "file"),
        toUpload.size(),
        bytes(toUpload.stream().mapToLong(LocalFiles.Hashed::size).sum()),
        files.size() - toUpload.size());
    if (files.isEmpty()) {
      if (!allowEmpty) {
        throw new CliException(
            origin
                + " has no files to ingest. If it is meant to be empty, run again with"
                + " --allow-empty to remove what the collection holds from it",
            CliException.USAGE);
      }
      err.printf(
          "%s has no files to ingest: what the collection holds from it is removed%n", origin);
    }
    err.flush();

    List<FileRef> manifest =
        files.stream().map(f -> new FileRef(f.path().toString(), f.sha256(), f.size())).toList();
    return client.startIngestion(
        new IngestionRequest(
            collection, null, origin.toString(), manifest, chunkSize, chunkOverlap));
  }

  private List<LocalFiles.Hashed> hashAll(List<LocalFiles.Found> found, PrintWriter err) {
    long totalBytes = found.stream().mapToLong(LocalFiles.Found::size).sum();
    boolean showProgress =
        found.size() >= HASH_PROGRESS_MIN_FILES || totalBytes >= HASH_PROGRESS_MIN_BYTES;
    ProgressBar bar = new ProgressBar(err, ProgressBar.terminalAttached(), "hashing");
    List<LocalFiles.Hashed> hashed = new ArrayList<>(found.size());
    List<String> unreadable = new ArrayList<>();
    for (int i = 0; i < found.size(); i++) {
      Path file = found.get(i).path();
      try {
        hashed.add(LocalFiles.hash(file));
      } catch (IOException e) {
        unreadable.add(file + ": " + LocalFiles.reason(e));
      }
      if (showProgress) {
        bar.update(i + 1, found.size(), "files");
      }
    }
    bar.finish();
    LocalFiles.refuseUnreadable(path, unreadable);
    return hashed;
  }

  private void upload(EngramClient client, List<LocalFiles.Hashed> files, PrintWriter err)
      throws InterruptedException {
    if (files.isEmpty()) {
      return;
    }
    long totalBytes = files.stream().mapToLong(LocalFiles.Hashed::size).sum();
    ProgressBar bar = new ProgressBar(err, ProgressBar.terminalAttached(), "uploading");
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(UPLOAD_CONCURRENCY, files.size()),
            task -> {
              Thread thread = new Thread(task, "engram-upload");
              thread.setDaemon(true);
              return thread;
            });
    try {
      CompletionService<LocalFiles.Hashed> uploads = new ExecutorCompletionService<>(pool);
      for (LocalFiles.Hashed file : files) {
        uploads.submit(
            () -> {
              client.putBlob(file.sha256(), file.path());
              return file;
            });
      }
      long sentBytes = 0;
      for (int i = 0; i < files.size(); i++) {
        sentBytes += await(uploads.take()).size();
        bar.update(i + 1, files.size(), bytes(sentBytes) + " of " + bytes(totalBytes));
      }
    } finally {
      // Stops the remaining uploads early when one has failed; the command is failing anyway.
      pool.shutdownNow();
      bar.finish();
    }
  }

  private static LocalFiles.Hashed await(Future<LocalFiles.Hashed> upload)
      throws InterruptedException {
    try {
      return upload.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new CliException("upload failed: " + e.getCause(), CliException.FAILURE, e.getCause());
    }
  }

  /**
   * Follows the workflow until it ends (see {@link WorkflowPoller}); on Ctrl-C says that the
   * ingestion goes on without the CLI.
   */
  private Reply<IngestionStatus> follow(EngramClient client, String workflowId, PrintWriter err)
      throws InterruptedException {
    Thread interruptNotice =
        new Thread(
            () -> {
              err.println();
              err.println(
                  "the ingestion continues on the server: " + context.temporalUiLink(workflowId));
              err.flush();
            });
    Runtime.getRuntime().addShutdownHook(interruptNotice);
    try {
      return WorkflowPoller.follow(
          "ingesting",
          () -> client.ingestion(workflowId),
          status ->
              new WorkflowPoller.Progress(
                  status.status(), processed(status), status.total(), describe(status)),
          err);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(interruptNotice);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down (Ctrl-C), so the notice is about to be printed.
      }
    }
  }

  /** Documents the workflow has finished with, one way or another. */
  private static long processed(IngestionStatus progress) {
    return (long) progress.done() + progress.skipped() + progress.failed();
  }

  private static String describe(IngestionStatus progress) {
    StringBuilder detail = new StringBuilder();
    if (progress.phase() != null) {
      detail.append(progress.phase());
    }
    if (progress.failed() > 0) {
      detail.append(detail.isEmpty() ? "" : ", ").append(progress.failed()).append(" failed");
    }
    return detail.toString();
  }

  private void printSummary(
      PrintWriter out, IngestionStatus progress, String workflowId, double seconds) {
    String into = collection == null ? DEFAULT_COLLECTION : collection;
    if ("COMPLETED".equals(progress.status())) {
      out.printf(
          Locale.ROOT,
          "ingested %s into '%s': %d new/changed, %d skipped, %d failed, %d tombstoned,"
              + " %s in %.1f s%n",
          plural(progress.total(), "document"),
          into,
          progress.done(),
          progress.skipped(),
          progress.failed(),
          progress.tombstoned(),
          plural(progress.chunks(), "chunk"),
          seconds);
    } else {
      out.printf(
          Locale.ROOT,
          "ingestion into '%s' ended with status %s after %.1f s (phase %s):"
              + " %d of %s processed, %d failed%n",
          into,
          progress.status(),
          seconds,
          progress.phase() == null ? "unknown" : progress.phase(),
          processed(progress),
          plural(progress.total(), "document"),
          progress.failed());
    }
    Validation validation = progress.validation();
    if (validation != null) {
      out.printf(
          Locale.ROOT,
          "validated %s in the index: %d lacked chunks (failed)%s%n",
          plural(validation.checked(), "document"),
          validation.incomplete(),
          validation.probed() == 0
              ? ""
              : ", %d of %d probed found by search"
                  .formatted(validation.probed() - validation.unreachable(), validation.probed()));
      for (String problem : validation.problems()) {
        out.println("index problem: " + problem);
      }
    }
    List<DocumentError> errors = progress.errors();
    if (!errors.isEmpty()) {
      out.println("failed documents:");
      int shown = Math.min(MAX_LISTED_ERRORS, errors.size());
      for (DocumentError error : errors.subList(0, shown)) {
        out.println(
            "  " + TerminalSafe.cell(error.source()) + ": " + TerminalSafe.cell(error.reason()));
      }
      long more = Math.max(progress.failed(), errors.size()) - shown;
      if (more > 0) {
        out.println("  ... and " + more + " more");
      }
    }
    out.println(context.workflowLine(workflowId));
  }

  private static void warn(PrintWriter err, String message) {
    err.println("warning: " + TerminalSafe.cell(message));
    err.flush();
  }

  static String plural(long count, String noun) {
    return count + " " + noun + (count == 1 ? "" : "s");
  }

  static String bytes(long count) {
    if (count < 1024) {
      return count + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = count;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
