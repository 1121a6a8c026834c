package io.engram.core.collection;

import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.core.ingestion.DocumentIndexes;
import io.engram.core.ingestion.Documents;
import io.engram.core.ingestion.ServedIndexes;
import io.engram.core.store.PgVectorChunkStore;
import io.engram.core.tenant.Tenant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * What a tenant's collections hold, one document in detail, and the removal of one document: the
 * capability behind {@code /v1/collections}. It composes the owners of the tables involved ({@link
 * CollectionRegistry}, {@link Documents}, {@link DocumentIndexes}, the chunks of {@link
 * PgVectorChunkStore}).
 */
public final class CollectionCatalog {
  /** The most documents one page lists. */
  public static final int MAX_PAGE = 500;

  /** The most chunks a document's detail quotes. */
  public static final int CHUNKS_SHOWN = 20;

  /**
   * A collection with its documents counted by status.
   *
   * @param key the collection's key (see {@link Tenant#collection})
   * @param active documents indexed and served
   * @param failed documents never indexed, each with its error
   * @param tombstoned documents removed: gone from their source, or removed by hand
   */
  public record Summary(String key, long active, long failed, long tombstoned) {}

  /**
   * A page of a collection's documents.
   *
   * @param next the id to ask for the next page after; null on the last page
   */
  public record Page(List<Documents.Listed> documents, Long next) {}

  /**
   * A removed document.
   *
   * @param document the document, as it is now (tombstoned)
   * @param chunks the chunks removed with it, over every index version
   * @param previousStatus its status before: {@code tombstoned} when it was removed already
   */
  public record Removed(Documents.Listed document, int chunks, String previousStatus) {}

  /**
   * One index version's hold of a document.
   *
   * @param current whether it holds the content last stored for the document (else an older one,
   *     until the index follows or is rebuilt)
   * @param serving whether the collection is served from this index version (its champion's; a
   *     running rollout's candidate serves a share of its queries from its own)
   */
  public record Holding(
      IndexVersion index, DocumentIndexes.Held held, boolean current, boolean serving) {}

  /**
   * A document in detail: where it is indexed, and the first chunks the index the collection is
   * served from holds of it.
   *
   * @param servingIndex the index version the collection is served from, whether it holds the
   *     document or not
   * @param chunks the first {@value #CHUNKS_SHOWN} chunks of the serving index, in order
   */
  public record Detail(
      Documents.Listed document,
      List<Holding> indexes,
      Optional<IndexVersion> servingIndex,
      List<String> chunks) {}

  private final Jdbi jdbi;
  private final CollectionRegistry collections;
  private final IndexVersions indexVersions;
  private final ServedIndexes served;

  /**
   * @param served the index version each collection is served from (else the installation's
   *     champion's)
   */
  public CollectionCatalog(
      Jdbi jdbi,
      CollectionRegistry collections,
      IndexVersions indexVersions,
      ServedIndexes served) {
    this.jdbi = jdbi;
    this.collections = collections;
    this.indexVersions = indexVersions;
    this.served = served;
  }

  /** The tenant's collections, by key, with their documents counted. */
  public List<Summary> collections(Tenant tenant) {
    List<String> keys = collections.keys(tenant);
    Map<String, Map<String, Long>> counts = jdbi.withHandle(h -> Documents.countsByStatus(h, keys));
    List<Summary> summaries = new ArrayList<>();
    for (String key : keys) {
      Map<String, Long> byStatus = counts.getOrDefault(key, Map.of());
      summaries.add(
          new Summary(
              key,
              byStatus.getOrDefault("active", 0L),
              byStatus.getOrDefault("failed", 0L),
              byStatus.getOrDefault("tombstoned", 0L)));
    }
    return summaries;
  }

  /** One collection, by key, with its documents counted (all zero for one without documents). */
  public Summary summary(String key) {
    Map<String, Long> byStatus =
        jdbi.withHandle(h -> Documents.countsByStatus(h, List.of(key))).getOrDefault(key, Map.of());
    return new Summary(
        key,
        byStatus.getOrDefault("active", 0L),
        byStatus.getOrDefault("failed", 0L),
        byStatus.getOrDefault("tombstoned", 0L));
  }

  /**
   * Up to {@code limit} of the collection's documents with ids above {@code afterId}, in id order,
   * only those with {@code status} when it is present.
   *
   * @throws IllegalArgumentException when the status is not one of {@link Documents#STATUSES} or
   *     the limit is not within 1 and {@value #MAX_PAGE}
   */
  public Page documents(String key, Optional<String> status, long afterId, int limit) {
    if (status.isPresent() && !Documents.STATUSES.contains(status.get())) {
      throw new IllegalArgumentException(
          "no status '" + status.get() + "'; one of " + String.join(", ", Documents.STATUSES));
    }
    if (limit < 1 || limit > MAX_PAGE) {
      throw new IllegalArgumentException("limit must be within 1 and " + MAX_PAGE);
    }
    // One more than asked, to know whether a next page exists.
    List<Documents.Listed> read =
        jdbi.withHandle(h -> Documents.page(h, key, status.orElse(null), afterId, limit + 1));
    if (read.size() <= limit) {
      return new Page(read, null);
    }
    List<Documents.Listed> page = read.subList(0, limit);
    return new Page(List.copyOf(page), page.get(limit - 1).id());
  }

  /**
   * The collection's document {@code id} in detail: what each index version holds of it, and its
   * first chunks in the index the collection is served from.
   *
   * @return empty when the collection has no document {@code id}
   */
  public Optional<Detail> detail(String key, long id) {
    Optional<IndexVersion> servingIndex =
        served.serving(key).flatMap(indexVersions::byId).or(indexVersions::champion);
    int serving = servingIndex.map(IndexVersion::id).orElse(-1);
    return jdbi.inTransaction(
        h ->
            Documents.find(h, key, id)
                .map(
                    document -> {
                      List<Holding> holdings = new ArrayList<>();
                      for (DocumentIndexes.Held held : DocumentIndexes.ofDocument(h, id)) {
                        indexVersions
                            .byId(held.indexVersionId())
                            .ifPresent(
                                index ->
                                    holdings.add(
                                        new Holding(
                                            index,
                                            held,
                                            held.contentHash().equals(document.contentHash()),
                                            index.id() == serving)));
                      }
                      return new Detail(
                          document,
                          holdings,
                          servingIndex,
                          PgVectorChunkStore.texts(h, id, serving, CHUNKS_SHOWN));
                    }));
  }

  /**
   * Removes the collection's document {@code id} from every index version at once, in one
   * transaction: its chunks and index records are deleted and it is tombstoned, so no search finds
   * it from the commit on. Removing a tombstoned document again removes nothing. An ingestion of a
   * source that still has it stores it again.
   *
   * @return empty when the collection has no document {@code id}
   */
  public Optional<Removed> remove(String key, long id) {
    return jdbi.inTransaction(
        h -> {
          Optional<Documents.Listed> found = Documents.lock(h, key, id);
          if (found.isEmpty()) {
            return Optional.empty();
          }
          Documents.Listed document = found.get();
          if ("tombstoned".equals(document.status())) {
            return Optional.of(new Removed(document, 0, document.status()));
          }
          int chunks = PgVectorChunkStore.deleteOfDocuments(h, List.of(id));
          DocumentIndexes.deleteOfDocuments(h, List.of(id));
          Documents.tombstone(h, List.of(id));
          // No replica serves an answer it cached from the collection before the commit.
          CollectionRegistry.changed(h, key);
          return Optional.of(
              new Removed(Documents.lock(h, key, id).orElseThrow(), chunks, document.status()));
        });
  }
}
