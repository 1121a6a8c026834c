package io.engram.workflows.memory;

/** Citations folded into episodic and semantic facts by one flush. */
public record CitationFlush(long citations, long episodicFacts, long semanticFacts) {}
