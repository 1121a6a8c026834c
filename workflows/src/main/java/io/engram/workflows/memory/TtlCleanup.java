package io.engram.workflows.memory;

/** What a TTL pass deleted. */
public record TtlCleanup(long factsExpired, long turnsReleased) {}
