package io.engram.api.collections;

import io.engram.api.auth.Caller;
import io.engram.api.problems.ApiProblem;
import io.engram.api.problems.ProblemResponses;
import io.engram.api.problems.Problems;
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
import io.engram.core.CoreServices;
import io.engram.core.collection.CollectionCatalog;
import io.engram.core.index.IndexVersion;
import io.engram.core.ingestion.Documents;
import io.engram.core.tenant.Tenant;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /v1/collections}: the caller's tenant's collections with their documents counted, a
 * collection's documents page by page (the failed ones with {@code ?status=failed}), one document
 * in detail (where it is indexed), and the removal of one document from every index, through core's
 * {@link CollectionCatalog}; one collection, and the deletion of a whole collection ({@link
 * CollectionDeletionStarter}).
 */
@Controller("/v1/collections")
@ExecuteOn(TaskExecutors.BLOCKING)
@ProblemResponses
class CollectionController {
  private static final Logger log = LoggerFactory.getLogger(CollectionController.class);
  private static final int DEFAULT_PAGE = 100;

  private final CollectionCatalog catalog;
  private final CollectionLookup collections;
  private final CollectionDeletionStarter deletions;

  CollectionController(
      CoreServices core, CollectionLookup collections, CollectionDeletionStarter deletions) {
    this.catalog = core.catalog();
    this.collections = collections;
    this.deletions = deletions;
  }

  @Get
  CollectionList list(Caller caller) {
    return new CollectionList(
        catalog.collections(caller.tenant()).stream()
            .map(
                c ->
                    new CollectionView(
                        Tenant.nameOf(c.key()), c.active(), c.failed(), c.tombstoned()))
            .toList());
  }

  /** One collection with its documents counted; 404 for one the caller lacks or is deleting. */
  @Get("/{collection}")
  CollectionView collection(Caller caller, String collection) {
    String key = collections.existing(caller, "collection", collection);
    CollectionCatalog.Summary c = catalog.summary(key);
    return new CollectionView(collection, c.active(), c.failed(), c.tombstoned());
  }

  /**
   * Deletes the whole collection with everything kept for it (202 with the deletion's workflow; a
   * second request while it runs answers the same); 404 for a collection the caller lacks, 409
   * while other work runs on it. Cannot be undone.
   */
  @Delete("/{collection}")
  @Status(HttpStatus.ACCEPTED)
  HttpResponse<DeletionStarted> delete(Caller caller, String collection) {
    DeletionStarted started = deletions.start(caller, collection);
    log.info(
        "deletion of collection {} accepted ({}) from {}",
        caller.collection("collection", collection),
        started.workflowId(),
        caller.keyId() == null ? "a keyless caller" : "key " + caller.keyId());
    return HttpResponse.accepted().body(started);
  }

  /** Where the collection's deletion stands; 404 when none ran. */
  @Get("/{collection}/deletion")
  DeletionStatus deletion(Caller caller, String collection) {
    return deletions.status(caller, collection);
  }

  @Get("/{collection}/documents")
  DocumentPage documents(
      Caller caller,
      String collection,
      @Nullable @QueryValue String status,
      @Nullable @QueryValue @Min(0) Long after,
      @Nullable @QueryValue @Min(1) @Max(Collections.MAX_PAGE) Integer limit) {
    if (status != null && !Collections.STATUSES.contains(status)) {
      throw Problems.invalidField(
          "status", "must be one of " + String.join(", ", Collections.STATUSES));
    }
    String key = collections.existing(caller, "collection", collection);
    CollectionCatalog.Page page =
        catalog.documents(
            key,
            Optional.ofNullable(status),
            after == null ? 0 : after,
            limit == null ? DEFAULT_PAGE : limit);
    return new DocumentPage(
        page.documents().stream().map(CollectionController::view).toList(), page.next());
  }

  /** One document in detail: where it is indexed, and its first chunks where it is served from. */
  @Get("/{collection}/documents/{id}")
  DocumentDetail document(Caller caller, String collection, long id) {
    String key = collections.existing(caller, "collection", collection);
    CollectionCatalog.Detail detail =
        catalog.detail(key, id).orElseThrow(() -> noDocument(collection, id));
    Documents.Listed d = detail.document();
    return new DocumentDetail(
        view(d),
        d.origin(),
        d.contentHash(),
        detail.indexes().stream()
            .map(
                h ->
                    new IndexHolding(
                        h.index().name(),
                        h.index().embeddingModel(),
                        h.index().chunkSize(),
                        h.index().chunkOverlap(),
                        h.held().chunks(),
                        h.current(),
                        h.serving(),
                        h.held().indexedAt().toString()))
            .toList(),
        detail.servingIndex().map(IndexVersion::name).orElse(null),
        detail.chunks());
  }

  /**
   * Removes the document from every index at once (200 with what was removed; again, 200 with
   * nothing removed); 404 when the collection has no such document.
   */
  @Delete("/{collection}/documents/{id}")
  DocumentRemoved remove(Caller caller, String collection, long id) {
    String key = collections.existing(caller, "collection", collection);
    CollectionCatalog.Removed removed =
        catalog.remove(key, id).orElseThrow(() -> noDocument(collection, id));
    if (!"tombstoned".equals(removed.previousStatus())) {
      log.info(
          "document {} ({}) of collection {} removed with {} chunks by {}",
          id,
          Documents.shownSource(removed.document().sourceUri(), removed.document().externalId()),
          key,
          removed.chunks(),
          caller.keyId() == null ? "a keyless caller" : "key " + caller.keyId());
    }
    return new DocumentRemoved(
        view(removed.document()), removed.chunks(), removed.previousStatus());
  }

  private static ApiProblem noDocument(String collection, long id) {
    return Problems.notFound(
        "document",
        "collection '"
            + collection
            + "' has no document "
            + id
            + "; list them with GET /v1/collections/"
            + collection
            + "/documents");
  }

  private static DocumentView view(Documents.Listed d) {
    return new DocumentView(
        d.id(),
        Documents.shownSource(d.sourceUri(), d.externalId()),
        d.title(),
        d.mime(),
        d.status(),
        d.error(),
        d.updatedAt().toString());
  }
}
