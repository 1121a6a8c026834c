package io.engram.contract;

import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code /v1/collections}: what the caller's tenant's collections hold, the removal of one document
 * from every index at once, and the deletion of a whole collection.
 */
public final class Collections {
  /** The most documents one page lists. */
  public static final int MAX_PAGE = 500;

  /** The statuses a document can have, by which a page may be filtered. */
  public static final List<String> STATUSES = List.of("active", "failed", "tombstoned");

  /** The kind a completed deletion counts the collection's own row under: its table. */
  public static final String COLLECTION_ROW = "collections";

  /**
   * What a collection's name may be, as a tenant gives it: the API refuses any other (400), and the
   * CLI refuses it before it uploads anything.
   */
  public static final String NAME_PATTERN = "^[a-z0-9][a-z0-9_.-]{0,62}$";

  /** {@link #NAME_PATTERN} in words, for a message. */
  public static final String NAME_RULE =
      "1-63 of a-z, 0-9, '_', '.', '-', starting with a letter or a digit";

  private static final Pattern NAME = Pattern.compile(NAME_PATTERN);

  private Collections() {}

  /** Whether {@code name} is a collection's name as a tenant gives it. */
  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /**
   * A collection with its documents counted by status.
   *
   * @param active documents indexed and served
   * @param failed documents never indexed (each has its error)
   * @param tombstoned documents removed: gone from their source, or removed through this API
   */
  public record CollectionView(String name, long active, long failed, long tombstoned) {}

  /** The caller's tenant's collections, by name. */
  public record CollectionList(List<CollectionView> collections) {

    public CollectionList {
      collections = collections == null ? List.of() : List.copyOf(collections);
    }
  }

  /**
   * A document of a collection.
   *
   * @param id its id, to remove it by
   * @param source its external id (a JSONL document's {@code _id}) or its source URI
   * @param status {@code active} (indexed; an {@code error} here says validation found chunks
   *     missing, until it is stored again), {@code failed} (never indexed; {@code error} says why)
   *     or {@code tombstoned} (removed)
   * @param updatedAt when it was last stored, failed or removed (ISO-8601, UTC)
   */
  public record DocumentView(
      long id,
      String source,
      String title,
      String mime,
      String status,
      String error,
      String updatedAt) {}

  /**
   * What one index version holds of a document.
   *
   * @param indexVersion the index version's name
   * @param embeddingModel the model its chunks were embedded with
   * @param chunkSize its chunks' size, in characters
   * @param chunkOverlap the characters consecutive chunks share
   * @param chunks how many chunks it holds of the document
   * @param current whether that is the content last stored for the document (else an older one,
   *     until the index follows or is rebuilt)
   * @param serving whether the collection is served from this index (its champion's; during a
   *     rollout the candidate's index serves a share of the queries too)
   * @param indexedAt when it stored them (ISO-8601, UTC)
   */
  public record IndexHolding(
      String indexVersion,
      String embeddingModel,
      int chunkSize,
      int chunkOverlap,
      int chunks,
      boolean current,
      boolean serving,
      String indexedAt) {}

  /**
   * A document in detail.
   *
   * @param origin what the ingestion that last stored it read: a directory, a file or an upload
   * @param contentHash SHA-256 of its current content
   * @param indexes what each index version holds of it
   * @param servingIndex the index version the collection is served from, whether it holds the
   *     document or not
   * @param chunks the first chunks of the serving index, in order (none when it lacks the document)
   */
  public record DocumentDetail(
      DocumentView document,
      String origin,
      String contentHash,
      List<IndexHolding> indexes,
      String servingIndex,
      List<String> chunks) {

    public DocumentDetail {
      // The API leaves empty lists out of its bodies.
      indexes = indexes == null ? List.of() : List.copyOf(indexes);
      chunks = chunks == null ? List.of() : List.copyOf(chunks);
    }
  }

  /**
   * A page of a collection's documents, in id order.
   *
   * @param next the {@code after} of the next page; null on the last one
   */
  public record DocumentPage(List<DocumentView> documents, Long next) {

    public DocumentPage {
      // The API leaves an empty list out of its bodies.
      documents = documents == null ? List.of() : List.copyOf(documents);
    }
  }

  /**
   * A removed document: tombstoned, its chunks gone from every index.
   *
   * @param chunksRemoved the chunks deleted with it over every index version
   * @param previousStatus its status before: {@code tombstoned} when it was removed already, and
   *     nothing was removed now
   */
  public record DocumentRemoved(DocumentView document, int chunksRemoved, String previousStatus) {}

  /**
   * A collection's deletion was accepted ({@code 202}): it runs as a workflow, which {@code GET
   * /v1/collections/{collection}/deletion} follows. A second request while it runs answers the
   * same.
   *
   * @param workflowId the deletion's workflow id
   * @param collection the collection's name
   */
  public record DeletionStarted(String workflowId, String collection) {}

  /**
   * Where a collection's deletion stands.
   *
   * @param status the workflow's status: {@code RUNNING}, {@code COMPLETED}, {@code FAILED}, …
   * @param stage {@code waiting-for-worker}, {@code marking}, {@code deleting}, {@code removing},
   *     {@code done}, or {@code failed}
   * @param kind the kind of rows (a table) being deleted while {@code deleting}, else null
   * @param deleted rows deleted so far by kind (table), in the order they were deleted; once
   *     completed, last the collection's own row as {@value Collections#COLLECTION_ROW} when the
   *     run removed it (a run that found it deleted already removed nothing)
   * @param failure why a deletion that did not complete ended; null otherwise
   */
  public record DeletionStatus(
      String workflowId,
      String collection,
      String status,
      String stage,
      String kind,
      java.util.Map<String, Long> deleted,
      String failure) {

    public DeletionStatus {
      deleted =
          deleted == null
              ? java.util.Map.of()
              : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(deleted));
    }
  }
}
