package io.engram.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.engram.cli.EngramClient.Reply;
import io.engram.contract.Collections;
import io.engram.contract.Collections.CollectionList;
import io.engram.contract.Collections.CollectionView;
import io.engram.contract.Collections.DeletionStarted;
import io.engram.contract.Collections.DeletionStatus;
import io.engram.contract.Collections.DocumentDetail;
import io.engram.contract.Collections.DocumentPage;
import io.engram.contract.Collections.DocumentRemoved;
import io.engram.contract.Collections.DocumentView;
import io.engram.contract.Collections.IndexHolding;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The caller's collections and their documents, through {@code /v1/collections}. */
@Command(
    name = "collections",
    mixinStandardHelpOptions = true,
    versionProvider = EngramCli.VersionProvider.class,
    description = {
      "The collections and what they hold: list them with their documents by status, page through"
          + " a collection's documents (the failed ones, with why), show one (where it is"
          + " indexed, its first chunks), remove one document from every index, delete a whole"
          + " collection."
    },
    subcommands = {
      CollectionsCommand.ListCollections.class,
      CollectionsCommand.ListDocuments.class,
      CollectionsCommand.Show.class,
      CollectionsCommand.Remove.class,
      CollectionsCommand.Delete.class
    })
final class CollectionsCommand extends CommandGroup {
  /** The parameters of the commands about one document: its collection and its id. */
  static final class OneDocument {
    @Parameters(index = "0", paramLabel = "COLLECTION", description = "The collection's name.")
    String collection;

    @Parameters(
        index = "1",
        paramLabel = "ID",
        description = "The document's id, as collections documents shows it.")
    long id;
  }

  @Command(
      name = "list",
      description = "The collections with their active, failed and tombstoned documents.")
  static final class ListCollections implements Callable<Integer> {
    @Mixin CommandContext context;

    @Override
    public Integer call() throws Exception {
      Reply<CollectionList> reply = context.client().collections();
      context.print(reply, (out, list) -> print(out, list.collections()));
      return 0;
    }

    static void print(PrintWriter out, List<CollectionView> collections) {
      if (collections.isEmpty()) {
        out.println("no collections; ./engram ingest PATH --collection NAME makes one");
        return;
      }
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"COLLECTION", "ACTIVE", "FAILED", "TOMBSTONED"});
      for (CollectionView c : collections) {
        rows.add(
            new String[] {
              c.name(),
              Long.toString(c.active()),
              Long.toString(c.failed()),
              Long.toString(c.tombstoned())
            });
      }
      Table.print(out, rows);
    }
  }

  @Command(
      name = "documents",
      description = {
        "A page of a collection's documents in id order; the next page's --after is printed"
            + " last. With --json: {\"documents\": [{id, source, title, mime, status, error,"
            + " updatedAt}], \"next\": …}."
      })
  static final class ListDocuments implements Callable<Integer> {
    @Mixin CommandContext context;

    @Parameters(paramLabel = "COLLECTION", description = "The collection's name.")
    String collection;

    @Option(
        names = "--status",
        paramLabel = "STATUS",
        description = "Only documents with this status: active, failed or tombstoned.")
    String status;

    @Option(
        names = "--after",
        paramLabel = "ID",
        defaultValue = "0",
        description = "Start after this document id (a page's next).")
    long after;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "50",
        description = "Documents per page, at most " + Collections.MAX_PAGE + " (default: 50).")
    int limit;

    @Override
    public Integer call() throws Exception {
      if (status != null && !Collections.STATUSES.contains(status)) {
        throw new CliException(
            "--status must be one of " + String.join(", ", Collections.STATUSES),
            CliException.USAGE);
      }
      Reply<DocumentPage> reply = context.client().documents(collection, status, after, limit);
      context.print(
          reply,
          (out, page) -> {
            print(out, page.documents());
            if (page.next() != null) {
              out.println(
                  "more: ./engram collections documents "
                      + collection
                      + (status == null ? "" : " --status " + status)
                      + " --limit "
                      + limit
                      + " --after "
                      + page.next());
            }
          });
      return 0;
    }

    /** How much of a title a row shows. */
    private static final int TITLE = 60;

    static String shortened(String text, int most) {
      return text.length() > most ? text.substring(0, most - 1) + "…" : text;
    }

    static void print(PrintWriter out, List<DocumentView> documents) {
      if (documents.isEmpty()) {
        out.println("no documents");
        return;
      }
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"ID", "STATUS", "SOURCE", "TITLE", "UPDATED", "ERROR"});
      for (DocumentView d : documents) {
        rows.add(
            new String[] {
              Long.toString(d.id()),
              d.status(),
              d.source(),
              d.title() == null ? "-" : shortened(d.title(), TITLE),
              d.updatedAt(),
              // One line a row: a parser's message may span several.
              d.error() == null ? "" : d.error().replaceAll("\\s+", " ")
            });
      }
      Table.print(out, rows);
    }
  }

  @Command(
      name = "show",
      description = {
        "One document: its source, status and error, what each index version holds of it (and"
            + " whether that is its current content), and its first chunks where the collection"
            + " is served from."
      })
  static final class Show implements Callable<Integer> {
    /** How much of a chunk the text output quotes. */
    private static final int QUOTED = 160;

    @Mixin CommandContext context;

    @Mixin OneDocument document;

    @Override
    public Integer call() throws Exception {
      Reply<DocumentDetail> reply = context.client().document(document.collection, document.id);
      context.print(reply, (out, detail) -> print(out, detail));
      return 0;
    }

    static void print(PrintWriter out, DocumentDetail detail) {
      DocumentView d = detail.document();
      out.println("document " + d.id() + ": " + TerminalSafe.cell(d.source()));
      out.println(
          "  status   "
              + d.status()
              + (d.error() == null ? "" : " (" + d.error().replaceAll("\\s+", " ") + ")"));
      out.println("  title    " + (d.title() == null ? "-" : TerminalSafe.cell(d.title())));
      out.println("  origin   " + TerminalSafe.cell(detail.origin()));
      out.println("  content  " + (detail.contentHash() == null ? "-" : detail.contentHash()));
      out.println("  updated  " + d.updatedAt());
      if (detail.indexes().isEmpty()) {
        out.println("in no index");
      } else {
        List<String[]> rows = new ArrayList<>();
        rows.add(
            new String[] {"INDEX", "MODEL", "CHUNKING", "CHUNKS", "CONTENT", "SERVING", "INDEXED"});
        for (IndexHolding h : detail.indexes()) {
          rows.add(
              new String[] {
                h.indexVersion(),
                h.embeddingModel(),
                h.chunkSize() + "/" + h.chunkOverlap(),
                Integer.toString(h.chunks()),
                h.current() ? "current" : "older",
                h.serving() ? "yes" : "",
                h.indexedAt()
              });
        }
        Table.print(out, rows);
      }
      boolean held = detail.indexes().stream().anyMatch(IndexHolding::serving);
      if (detail.servingIndex() != null && !held) {
        out.println(
            "not in "
                + detail.servingIndex()
                + ", the index the collection is served from: searches do not find it");
      }
      for (int i = 0; i < detail.chunks().size(); i++) {
        String text = detail.chunks().get(i).replaceAll("\\s+", " ");
        out.println(
            "  [" + i + "] " + (text.length() > QUOTED ? text.substring(0, QUOTED) + "…" : text));
      }
    }
  }

  @Command(
      name = "remove",
      description = {
        "Remove a document from every index of its collection at once: no search finds it"
            + " from then on. An ingestion of a source that still has it stores it again."
      })
  static final class Remove implements Callable<Integer> {
    @Mixin CommandContext context;

    @Mixin OneDocument document;

    @Override
    public Integer call() throws Exception {
      Reply<DocumentRemoved> reply =
          context.client().removeDocument(document.collection, document.id);
      context.print(
          reply,
          (out, removed) ->
              out.println(
                  "tombstoned".equals(removed.previousStatus())
                      ? "document "
                          + document.id
                          + " ("
                          + removed.document().source()
                          + ") was removed already"
                      : "removed document "
                          + document.id
                          + " ("
                          + removed.document().source()
                          + ") and its "
                          + IngestCommand.plural(removed.chunksRemoved(), "chunk")
                          + " from every index of '"
                          + document.collection
                          + "'"));
      return 0;
    }
  }

  @Command(
      name = "delete",
      description = {
        "Delete a whole collection: its documents and chunks, ingestion runs, sessions and their"
            + " turns, memory facts distilled from them, logged queries and feedback, evaluation"
            + " runs, studies, drift reports, model versions and aliases, rollouts. It cannot be"
            + " undone. Asks first unless --yes (and refuses without a terminal unless --yes)."
            + " Refused while a rollout, retraining, ingestion or evaluation runs on it.",
        "Follows the deletion until it is done and prints the rows deleted by kind, unless"
            + " --no-wait. With --json: the API's {workflowId, collection} with --no-wait, else"
            + " the final {workflowId, collection, status, stage, deleted, failure}."
      })
  static final class Delete implements Callable<Integer> {
    @Mixin CommandContext context;

    @Parameters(paramLabel = "COLLECTION", description = "The collection's name.")
    String collection;

    @Option(names = "--yes", description = "Do not ask for confirmation.")
    boolean yes;

    @Option(
        names = "--no-wait",
        description = "Return once the deletion is accepted, without following it.")
    boolean noWait;

    @Override
    public Integer call() throws Exception {
      if (collection.isBlank()) {
        throw context.usageError("COLLECTION must name a collection");
      }
      EngramClient client = context.client();
      if (!yes) {
        CollectionView shown = preview(client);
        String prompt =
            "Delete collection '"
                + TerminalSafe.cell(collection)
                + "' with its "
                + IngestCommand.plural(
                    shown.active() + shown.failed() + shown.tombstoned(), "document")
                + " and everything kept for it? This cannot be undone. Type the collection's"
                + " name to confirm: ";
        Optional<String> answer = context.cli().terminal().ask(prompt);
        if (answer.isEmpty()) {
          throw new CliException(
              "no terminal to confirm the deletion of '"
                  + collection
                  + "'; pass --yes to delete it without asking",
              CliException.USAGE);
        }
        if (!answer.get().strip().equals(collection)) {
          context.err().println("not deleted: the answer was not '" + collection + "'");
          return CliException.FAILURE;
        }
      }
      Reply<DeletionStarted> started = client.deleteCollection(collection);
      if (noWait) {
        context.print(
            started,
            (out, s) ->
                out.println(
                    "deleting collection '"
                        + TerminalSafe.cell(collection)
                        + "': "
                        + context.workflowLine(s.workflowId())
                        + "; follow it while it runs: ./engram collections delete "
                        + collection
                        + " --yes (attaches to it); its report, also once done: GET"
                        + " /v1/collections/"
                        + collection
                        + "/deletion"));
        return 0;
      }
      Reply<DeletionStatus> last;
      try {
        last =
            WorkflowPoller.follow(
                "deleting " + collection,
                () -> client.collectionDeletion(collection),
                s ->
                    new WorkflowPoller.Progress(
                        s.status(),
                        0,
                        0,
                        s.stage()
                            + (s.kind() == null ? "" : " " + s.kind())
                            + ", "
                            + IngestCommand.plural(rows(s), "row")),
                context.err());
      } catch (CliException following) {
        return lostTrack(started, following);
      }
      DeletionStatus done = last.value();
      context.print(last, (out, s) -> print(out, s));
      return "COMPLETED".equals(done.status()) ? 0 : CliException.FAILURE;
    }

    /**
     * What is about to go, before the question: the collection must exist to be shown. Reading it
     * needs scope {@code query}, which a key made for deletions alone lacks: the refusal then says
     * so, and that nothing was deleted.
     */
    private CollectionView preview(EngramClient client) {
      try {
        return client.collection(collection).value();
      } catch (CliException refused) {
        if (refused.httpStatus() != CliException.FORBIDDEN) {
          throw refused;
        }
        throw new CliException(
            "nothing was deleted: showing what collection '"
                + collection
                + "' holds before asking needs an API key with scope 'query' ("
                + refused.getMessage()
                + "); use a key with scopes query and admin, or pass --yes to delete it without"
                + " the preview",
            refused.exitCode(),
            refused.httpStatus(),
            null);
      }
    }

    /**
     * The deletion was accepted (202) and runs in its workflow whatever happens to this command;
     * only following it failed. Says so, with where to see how it ends, rather than a bare error
     * that reads as if nothing happened. Exits 1: the deletion's outcome is not known yet.
     */
    private int lostTrack(Reply<DeletionStarted> started, CliException following)
        throws JsonProcessingException {
      context.print(
          started,
          (out, s) ->
              out.println(
                  "the deletion of collection '"
                      + TerminalSafe.cell(collection)
                      + "' was accepted and runs on: "
                      + context.workflowLine(s.workflowId())));
      PrintWriter err = context.err();
      err.println(
          "error: following the deletion failed: "
              + following.getMessage()
              + "; it runs on regardless. See where it stands with ./engram collections delete "
              + collection
              + " --yes (attaches to it, with a key of scope admin) or GET /v1/collections/"
              + collection
              + "/deletion");
      err.flush();
      return CliException.FAILURE;
    }

    static void print(PrintWriter out, DeletionStatus status) {
      if (!"COMPLETED".equals(status.status())) {
        out.println(
            "the deletion of '"
                + TerminalSafe.cell(status.collection())
                + "' ended "
                + status.status()
                + (status.failure() == null ? "" : ": " + status.failure())
                + "; ./engram collections delete "
                + status.collection()
                + " --yes takes it up again");
        return;
      }
      long total = rows(status);
      if (total == 0) {
        out.println(
            "nothing was left to delete of collection '"
                + TerminalSafe.cell(status.collection())
                + "': it was deleted already");
        return;
      }
      out.println(
          "deleted collection '"
              + TerminalSafe.cell(status.collection())
              + "' ("
              + IngestCommand.plural(total, "row")
              + ")");
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"KIND", "ROWS"});
      for (Map.Entry<String, Long> e : status.deleted().entrySet()) {
        if (e.getValue() > 0) {
          rows.add(new String[] {e.getKey(), Long.toString(e.getValue())});
        }
      }
      if (rows.size() > 1) {
        Table.print(out, rows);
      }
    }

    /**
     * The rows deleted so far; once completed, the collection's own row included (the API counts it
     * as {@value Collections#COLLECTION_ROW}).
     */
    private static long rows(DeletionStatus status) {
      return status.deleted().values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
