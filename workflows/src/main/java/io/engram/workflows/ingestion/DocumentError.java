package io.engram.workflows.ingestion;

/** A document that failed alone, and why. */
public record DocumentError(String source, String reason) {}
