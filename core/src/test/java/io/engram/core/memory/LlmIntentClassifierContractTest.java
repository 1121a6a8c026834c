package io.engram.core.memory;

import io.engram.core.config.EngramSettings;
import io.engram.core.llm.ChatModelGateway;
import io.engram.core.llm.LlmSettings;
import io.engram.core.memory.IntentClassifier.Source;
import io.engram.testing.ChatStubServer.Reply;
import io.engram.testing.OpenAiStubServer;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The LLM classifier through the real OpenAI client, with the intent budget as the API builds it,
 * against a local endpoint answering as a good model would ({@link #LLM_REPLIES}).
 */
class LlmIntentClassifierContractTest extends IntentClassifierContract {
  private static final Pattern NEWEST = Pattern.compile("Newest message: (.*)\\nJSON:$");

  private static OpenAiStubServer server;
  private static LlmIntentClassifier classifier;

  @BeforeAll
  static void start() {
    server = OpenAiStubServer.start(r -> Reply.completion(reply(r.user())));
    LlmSettings settings =
        EngramSettings.of(
                Map.of(
                    LlmSettings.ENV_PROVIDER, "openai",
                    LlmSettings.ENV_BASE_URL, server.baseUrl(),
                    LlmSettings.ENV_MODEL, "stub-model"))
            .llm()
            .withCallBudget(Duration.ofSeconds(30), 0, 64, 0);
    classifier =
        new LlmIntentClassifier(
            ChatModelGateway.create(settings).orElseThrow(), new LocalIntentClassifier());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A good model's reply: the scripted one, else the message as a standalone question. */
  private static String reply(String prompt) {
    Matcher m = NEWEST.matcher(prompt);
    if (!m.find()) {
      return "I cannot find the newest message.";
    }
    String newest = m.group(1);
    return LLM_REPLIES.getOrDefault(
        newest,
        "{\"intent\":\"question\",\"query\":\""
            + newest.replace("\\", "\\\\").replace("\"", "\\\"")
            + "\"}");
  }

  @Override
  protected IntentClassifier classifier() {
    return classifier;
  }

  @Override
  protected Source decidesInContext() {
    return Source.LLM;
  }
}
