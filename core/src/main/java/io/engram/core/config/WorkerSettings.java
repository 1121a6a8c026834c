package io.engram.core.config;

/**
 * The worker process.
 *
 * @param metricsPort port of its Prometheus endpoint, 0 for none
 * @param databasePool database connections it keeps
 */
public record WorkerSettings(int metricsPort, int databasePool) {}
