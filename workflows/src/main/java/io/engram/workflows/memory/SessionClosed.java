package io.engram.workflows.memory;

/** Whether closing a session closed it (false when it already was) and turns released. */
public record SessionClosed(boolean closed, long turnsReleased) {}
