package io.engram.core.ingestion;

/** One uploaded file of a manifest: the client's path and the blob holding its bytes. */
public record ManifestEntry(String path, String sha256, long size) {}
