package io.engram.core.memory;

import io.engram.core.config.EngramSettings;
import io.engram.core.llm.ChatModelGateway;
import io.engram.core.llm.LlmSettings;
import io.engram.testing.ChatStubServer.Reply;
import io.engram.testing.OpenAiStubServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The LLM extractor through the real OpenAI client of the gateway, against a local endpoint that
 * answers as a good model would: for each numbered user turn of the prompt, the facts of {@link
 * #LLM_FACTS} citing that number.
 */
class LlmFactExtractorContractTest extends FactExtractorContract {
  private static final Pattern TURN = Pattern.compile("^\\[(\\d+)] User: (.*)$", Pattern.MULTILINE);

  private static OpenAiStubServer server;
  private static LlmFactExtractor extractor;

  @BeforeAll
  static void start() {
    server = OpenAiStubServer.start(r -> Reply.completion(reply(r.user())));
    LlmSettings settings =
        EngramSettings.of(
                Map.of(
                    LlmSettings.ENV_PROVIDER, "openai",
                    LlmSettings.ENV_BASE_URL, server.baseUrl(),
                    LlmSettings.ENV_MODEL, "stub-model",
                    LlmSettings.ENV_MAX_RETRIES, "0"))
            .llm();
    extractor = new LlmFactExtractor(ChatModelGateway.create(settings).orElseThrow());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A good model's JSON array for the numbered user turns of {@code prompt}. */
  private static String reply(String prompt) {
    List<String> facts = new ArrayList<>();
    Matcher m = TURN.matcher(prompt);
    while (m.find()) {
      for (String fact : LLM_FACTS.getOrDefault(m.group(2).strip(), List.of())) {
        facts.add(fact + ",\"turns\":[" + m.group(1) + "]}");
      }
    }
    return "[" + String.join(",", facts) + "]";
  }

  @Override
  protected FactExtractor extractor() {
    return extractor;
  }
}
