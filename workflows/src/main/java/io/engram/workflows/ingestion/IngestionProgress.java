package io.engram.workflows.ingestion;

import java.util.List;

/**
 * Progress of an ingestion run, served by the workflow's query and returned as its result.
 *
 * @param phase discovering, embedding, validating (checking what was stored against the index),
 *     following (starting the rebuilds of the other indexes the collection can serve from) or done
 * @param total documents found in the source
 * @param done documents parsed, embedded and stored in this run (less those validation failed)
 * @param skipped documents unchanged since they were last indexed
 * @param failed documents that failed alone, in a batch or in validation (see {@code errors})
 * @param tombstoned documents removed because they are gone from the source
 * @param chunks chunks stored in this run
 * @param errors failed documents with reasons (the first {@link IngestionWorkflow#MAX_ERRORS})
 * @param tombstonedSample the first few tombstoned documents
 * @param indexVersionId the index version written to
 * @param validation what the run's validation found; null until it ran, when the run stored
 *     nothing, and in runs that started before validation was added
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
    int indexVersionId,
    ValidationReport validation) {}
