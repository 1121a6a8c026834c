package io.engram.core.config;

/**
 * The API process.
 *
 * @param host interface it listens on
 * @param port port it listens on
 * @param maxUploadBytes largest request body it accepts
 * @param databasePool database connections it keeps
 * @param warmUpQuestions questions its query path answers at start before it reports ready
 * @param publicHealthDetails whether {@code /health} shows its components' reports to any caller
 */
public record ApiSettings(
    String host,
    int port,
    long maxUploadBytes,
    int databasePool,
    int warmUpQuestions,
    boolean publicHealthDetails) {}
