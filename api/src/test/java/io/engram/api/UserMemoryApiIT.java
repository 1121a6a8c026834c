package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.core.CoreServices;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.ZooCorpus;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code DELETE /v1/users/{userId}/memory} on a real API and PostgreSQL: only an admin key may call
 * it (403 for query and ingest keys, which change nothing); an id {@code POST /v1/sessions} would
 * refuse is 400; it forgets the caller's tenant's user (their sessions are gone, another user's
 * stay) and answers the rows changed by table, all zeros the second time.
 */
@EngramServices
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class UserMemoryApiIT extends ApiTestSupport implements TestPropertyProvider {
  @Inject EmbeddedServer server;
  @Inject CoreServices core;

  private String admin;
  private String query;
  private String ingest;

  @Override
  public Map<String, String> getProperties() {
    String dbUrl = EngramServicesExtension.postgres().createDatabase("user_memory_api_it");
    return serviceProperties(dbUrl, Map.of());
  }

  @Override
  protected URI baseUri() {
    return URI.create(server.getURL().toString());
  }

  @BeforeAll
  void keys() throws Exception {
    admin = createKey(List.of("query", "ingest", "admin"));
    query = createKey(List.of("query"));
    ingest = createKey(List.of("query", "ingest"));
    ZooCorpus.index(core, "acme~zoo");
  }

  @Test
  void forgets_the_callers_user_with_an_admin_key_and_answers_what_went() throws Exception {
    String ann = converse("ann");
    String ann2 = converse("ann");
    String bob = converse("bob");

    for (String key : List.of(query, ingest)) {
      assertProblem(call(key, "DELETE", "/v1/users/ann/memory", null), 403);
    }
    assertThat(turns(ann).status()).isEqualTo(200);

    Reply forgotten = call(admin, "DELETE", "/v1/users/ann/memory", null);
    assertThat(forgotten.status()).as(forgotten.body()).isEqualTo(200);
    JsonNode body = forgotten.json();
    assertThat(body.path("userId").asText()).isEqualTo("ann");
    assertThat(body.path("deleted").path("sessions").asLong()).isEqualTo(2);
    assertThat(body.path("deleted").path("turns").asLong()).isEqualTo(8);
    assertThat(body.path("deleted").has("semantic_facts")).isTrue();
    assertThat(body.path("anonymized").has("query_log")).isTrue();
    assertProblem(turns(ann), 404);
    assertProblem(turns(ann2), 404);
    assertThat(turns(bob).json().path("turns")).hasSize(4);
    // A question in a forgotten session finds no session.
    assertProblem(
        call(admin, "POST", "/v1/query", Map.of("query", "and now?", "sessionId", ann)), 404);

    Reply again = call(admin, "DELETE", "/v1/users/ann/memory", null);
    assertThat(again.status()).as(again.body()).isEqualTo(200);
    assertThat(again.json().path("deleted"))
        .isNotEmpty()
        .allSatisfy(n -> assertThat(n.asLong()).isZero());
    assertThat(again.json().path("anonymized"))
        .isNotEmpty()
        .allSatisfy(n -> assertThat(n.asLong()).isZero());
  }

  @Test
  void a_user_id_that_posting_a_session_refuses_is_400() throws Exception {
    for (String invalid : List.of(" ", " ann", "ann ", "\u200Bann", "an\u0007n", "a".repeat(129))) {
      String path = "/v1/users/" + segment(invalid) + "/memory";
      Reply refused = call(admin, "DELETE", path, null);
      assertProblem(refused, 400);
      assertThat(refused.body()).contains("userId").doesNotContain("\u0007");
      // The same id is refused where sessions are opened.
      assertProblem(call(admin, "POST", "/v1/sessions", Map.of("userId", invalid)), 400);
    }
    // The longest id a session takes is taken here too.
    Reply longest = call(admin, "DELETE", "/v1/users/" + "a".repeat(128) + "/memory", null);
    assertThat(longest.status()).as(longest.body()).isEqualTo(200);
  }

  @Test
  void an_id_with_a_slash_or_other_characters_is_one_path_segment_percent_encoded()
      throws Exception {
    String odd = "team/ann? #1 😀";
    String session = converse(odd);
    Reply forgotten = call(admin, "DELETE", "/v1/users/" + segment(odd) + "/memory", null);
    assertThat(forgotten.status()).as(forgotten.body()).isEqualTo(200);
    assertThat(forgotten.json().path("userId").asText()).isEqualTo(odd);
    assertThat(forgotten.json().path("deleted").path("sessions").asLong()).isEqualTo(1);
    assertProblem(turns(session), 404);
  }

  /** Opens a session of {@code user} and asks two questions in it; its id. */
  private String converse(String user) throws Exception {
    Reply session =
        call(admin, "POST", "/v1/sessions", Map.of("collection", "zoo", "userId", user));
    assertThat(session.status()).as(session.body()).isEqualTo(201);
    String id = session.json().path("sessionId").asText();
    for (String question : List.of("I prefer green tea.", "What do I prefer?")) {
      Reply answer = call(admin, "POST", "/v1/query", Map.of("query", question, "sessionId", id));
      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }
    return id;
  }

  private Reply turns(String session) throws Exception {
    return call(admin, "GET", "/v1/sessions/" + session + "/turns", null);
  }

  private static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A key of tenant {@code acme}, made by the dev profile's loopback operator. */
  private String createKey(List<String> scopes) throws Exception {
    Map<String, Object> body = new HashMap<>();
    body.put("tenant", "acme");
    body.put("scopes", scopes);
    Reply created = call(null, "POST", "/v1/keys", body);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return created.json().path("key").asText();
  }
}
