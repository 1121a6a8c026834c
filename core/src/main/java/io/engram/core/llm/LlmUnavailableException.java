package io.engram.core.llm;

/**
 * The LLM could not produce an answer: the breaker is open, the endpoint timed out or failed, or
 * the reply was empty. Callers fall back to an extractive answer and report {@link #getMessage()}
 * as a warning; the message never contains the API key or the prompt.
 */
public final class LlmUnavailableException extends Exception {
  public LlmUnavailableException(String message) {
    super(message);
  }

  public LlmUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
