package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.core.CoreServices;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.ModelBundle;
import io.engram.core.registry.ModelRegistry;
import io.engram.core.registry.ModelVersions;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.rerank.RerankerSettings;
import io.engram.core.retrieval.RetrievalSettings;
import io.engram.testing.EngramServices;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code ./engram models} against a real API: versions registered through the API's own registry
 * (as a retraining will register them), listed, shown, compared and promoted. Each test works in a
 * collection of its own.
 */
@EngramServices
@ExtendWith(RealEngram.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ModelsCommandIT {
  private static final String HELD_OUT = "tiny/train/held-out";

  /** v1 (hybrid, champion, NDCG@10 0.70) and v2 (dense, no alias, 0.74) in a new collection. */
  static void registerTwo(String collection) {
    CoreServices core = RealEngram.core();
    core.collections().ensure(collection);
    RetrievalSettings hybrid = core.settings().retrieval().withMode(RetrievalSettings.Mode.HYBRID);
    register(core, collection, "first", hybrid, 0.70, List.of(ModelAliases.CHAMPION));
    register(
        core, collection, "second", hybrid.withMode(RetrievalSettings.Mode.DENSE), 0.74, List.of());
  }

  static RegisteredVersion register(
      CoreServices core,
      String collection,
      String origin,
      RetrievalSettings retrieval,
      double ndcg,
      List<String> aliases) {
    return core.registry()
        .register(
            ModelVersions.NewVersion.builder(
                    collection,
                    core.champion().id(),
                    new ModelBundle(retrieval, RerankerSettings.none(), null))
                .metrics(Map.of(HELD_OUT, Map.of("ndcgAt10", ndcg, "recallAt100", 0.9)))
                .lineage(Map.of("fingerprint", "fp-" + origin))
                .gates(List.of())
                .createdBy("test")
                .reason("the " + origin + " version")
                .origin(origin)
                .build(),
            aliases,
            new ModelRegistry.Change("test", "set up by the test", null));
  }

  private static CliRunner.Result models(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "--api";
    all[1] = RealEngram.url();
    all[2] = "models";
    System.arraycopy(args, 0, all, 3, args.length);
    return CliRunner.run(all);
  }

  @Test
  void list_json_is_a_list_of_versions_with_their_aliases_and_metrics() throws Exception {
    registerTwo("models-list");

    CliRunner.Result json = models("list", "--collection", "models-list", "--json");
    CliRunner.Result table = models("list", "--collection", "models-list");

    assertThat(json.exitCode()).as(json.err()).isZero();
    JsonNode versions = EngramClient.JSON.readTree(json.out());
    assertThat(versions.isArray()).isTrue();
    assertThat(versions).extracting(v -> v.path("version").asInt()).containsExactly(2, 1);
    assertThat(versions.get(1).path("aliases").isArray()).isTrue();
    assertThat(versions.get(1).path("aliases"))
        .extracting(JsonNode::asText)
        .containsExactly("champion");
    assertThat(versions.get(0).path("aliases")).isEmpty();
    assertThat(versions.get(0).path("metrics").path(HELD_OUT).path("ndcgAt10").asDouble())
        .isEqualTo(0.74);

    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.out())
        .startsWith("VERSION  ALIASES   STATUS      NDCG@10  CREATED (UTC)     REASON\n")
        .containsPattern("(?m)^v2 +- +registered +0\\.7400 +\\S+ \\S+ +the second version$")
        .containsPattern("(?m)^v1 +champion +registered +0\\.7000 ")
        .contains("NDCG@10 on eval set " + HELD_OUT);
  }

  @Test
  void show_prints_one_version_in_full() {
    registerTwo("models-show");

    CliRunner.Result result = models("show", "--collection", "models-show", "--version", "v2");
    CliRunner.Result missing = models("show", "--collection", "models-show", "--version", "9");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .startsWith("models-show/v2\n")
        .contains("  status     registered\n", "  reason     the second version\n")
        .contains("mode=dense", "  reranker   none\n", "fingerprint", HELD_OUT, "ndcgAt10=0.7400");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("Not Found", "models-show/v9");
  }

  @Test
  void diff_prints_the_config_and_metric_deltas() {
    registerTwo("models-diff");

    CliRunner.Result result = models("diff", "--collection", "models-diff", "1", "2");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .startsWith("models-diff: v1 -> v2\n")
        .containsPattern("(?m)^retrieval\\.mode +hybrid +dense$")
        .containsPattern("(?m)^" + HELD_OUT + "$")
        .containsPattern("(?m)^  ndcgAt10 +0\\.7000 +0\\.7400 +\\+0\\.0400$")
        .containsPattern("(?m)^  recallAt100 +0\\.9000 +0\\.9000 +\\+0\\.0000$");
  }

  @Test
  void promote_moves_the_champion_and_keeps_the_old_one_as_previous() throws Exception {
    registerTwo("models-promote");

    CliRunner.Result result =
        models("promote", "--collection", "models-promote", "--version", "2", "--reason", "it won");
    CliRunner.Result archived =
        models("archive", "--collection", "models-promote", "--version", "1", "--reason", "old");
    CliRunner.Result refused =
        models("archive", "--collection", "models-promote", "--version", "2", "--reason", "no");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .startsWith("champion of models-promote is now v2\n")
        .contains("  champion  v2\n", "  previous  v1\n");
    assertThat(archived.exitCode()).as(archived.err()).isZero();
    assertThat(archived.out()).isEqualTo("archived models-promote/v1\n");
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err()).contains("Conflict", "serves as champion");
    JsonNode versions =
        EngramClient.JSON.readTree(
            models("list", "--collection", "models-promote", "--json").out());
    assertThat(versions.get(0).path("aliases"))
        .extracting(JsonNode::asText)
        .containsExactly("champion");
    assertThat(versions.get(1).path("status").asText()).isEqualTo("archived");
    assertThat(RealEngram.core().registry().events().list("models-promote", 10))
        .extracting(e -> e.alias() + ":" + e.from() + "->" + e.to() + ":" + e.reason())
        .startsWith("previous:1->null:old", "champion:1->2:it won");
  }
}
