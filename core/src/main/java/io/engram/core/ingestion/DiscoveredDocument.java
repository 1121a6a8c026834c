package io.engram.core.ingestion;

/**
 * A document found in a source, before any parsing: its identity, its content hash and where its
 * bytes are.
 */
public record DiscoveredDocument(
    String sourceUri, String externalId, String title, String contentHash, Locator locator) {}
