package io.engram.core.memory;

/** The deterministic rules used when no LLM extracts facts. */
class LocalFactExtractorContractTest extends FactExtractorContract {
  private static final LocalFactExtractor EXTRACTOR = new LocalFactExtractor();

  @Override
  protected FactExtractor extractor() {
    return EXTRACTOR;
  }
}
