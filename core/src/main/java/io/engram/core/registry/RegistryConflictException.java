package io.engram.core.registry;

/**
 * A registry change that cannot be made as asked: an alias onto a rejected or archived version,
 * archiving the serving version, or moving the champion in production without approval. The API
 * answers 409 (403 for a missing approval); the message says what to do.
 */
public final class RegistryConflictException extends RuntimeException {
  /** Why the change was refused. */
  public enum Reason {
    CONFLICT,
    APPROVAL_REQUIRED
  }

  private final Reason reason;

  public RegistryConflictException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
