package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.cli.FakeApi.Response;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChatCommandTest {
  private FakeApi api;
  private InputStream stdin;

  @BeforeEach
  void start() throws Exception {
    stdin = System.in;
    api = new FakeApi();
    api.on(
        "POST",
        "/v1/sessions",
        r -> Response.json(201, "{\"sessionId\":\"s-42\",\"collection\":\"default\"}"));
    api.on(
        "POST",
        "/v1/query",
        r ->
            Response.json(
                200,
                "{\"answer\":\"Caffeine disturbs sleep. [1]\",\"answerMode\":\"extractive\","
                    + "\"sources\":[{\"documentId\":1,\"chunkId\":2,\"source\":\"caffeine-children\","
                    + "\"title\":\"Caffeine in children\",\"snippet\":\"...\",\"score\":0.9}],"
                    + "\"intent\":\"follow-up\",\"rewrittenQuery\":\"Is coffee safe for children?\","
                    + "\"modelVersion\":\"m\",\"timings\":{}}"));
  }

  @AfterEach
  void stop() {
    System.setIn(stdin);
    api.close();
  }

  @Test
  void every_line_is_a_turn_of_one_new_session_until_quit() {
    System.setIn(
        new ByteArrayInputStream(
            "Is coffee good for the liver?\n\nIs it safe for children?\n/quit\nnever sent\n"
                .getBytes(StandardCharsets.UTF_8)));

    CliRunner.Result result = CliRunner.run("--api", api.url(), "chat", "--collection", "default");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(api.requests("POST", "/v1/sessions")).hasSize(1);
    assertThat(api.requests("POST", "/v1/query")).hasSize(2);
    assertThat(api.requests("POST", "/v1/query"))
        .allSatisfy(
            r ->
                assertThat(EngramClient.JSON.readTree(r.text()).path("sessionId").asText())
                    .isEqualTo("s-42"));
    assertThat(result.out()).contains("(understood as: Is coffee safe for children?)");
    assertThat(result.out()).contains("[1] Caffeine in children — caffeine-children");
    assertThat(result.err()).contains("session s-42");
  }
}
