package io.engram.workflows.ingestion;

import java.util.List;

/** The outcome of one batch of items: counts plus the documents that failed, with reasons. */
public record BatchResult(int done, int failed, int chunks, List<DocumentError> errors) {}
