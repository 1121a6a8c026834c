package io.engram.workflows.ingestion;

import java.util.List;

/**
 * Progress of an ingestion run, served by the workflow's query and returned as its result.
 *
 * @param phase discovering, embedding, following (starting the rebuilds of the other indexes the
 *     collection can serve from) or done
 * @param total documents found in the source
 * @param done documents parsed, embedded and stored in this run
 * @param skipped documents unchanged since they were last indexed
 * @param failed documents that failed alone (see {@code errors})
 * @param tombstoned documents removed because they are gone from the source
 * @param chunks chunks stored in this run
 * @param errors failed documents with reasons (the first {@link IngestionWorkflow#MAX_ERRORS})
 * @param tombstonedSample the first few tombstoned documents
 * @param indexVersionId the index version written to
 */
public record IngestionProgress(
    String phase,
    int total,
    int done,
    int skipped,
    int failed,
    int tombstoned,
    long chunks,
    List<DocumentError> errors,
    List<String> tombstonedSample,
    int indexVersionId) {}
