package io.engram.core.memory;

import io.engram.core.memory.IntentClassifier.Source;

/** The local rules, deciding alone as when no LLM is configured. */
class LocalIntentClassifierContractTest extends IntentClassifierContract {
  private static final LocalIntentClassifier CLASSIFIER = new LocalIntentClassifier();

  @Override
  protected IntentClassifier classifier() {
    return CLASSIFIER;
  }

  @Override
  protected Source decidesInContext() {
    return Source.LOCAL;
  }
}
