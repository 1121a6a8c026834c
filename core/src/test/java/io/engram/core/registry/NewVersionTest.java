package io.engram.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.engram.core.rerank.RerankerSettings;
import io.engram.core.retrieval.RetrievalSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NewVersionTest {
  private static final ModelBundle BUNDLE =
      new ModelBundle(
          new RetrievalSettings(RetrievalSettings.Mode.HYBRID, 0.8, 100, 0.02, true),
          RerankerSettings.none(),
          null);

  private static ModelVersions.NewVersion.Builder minimal() {
    return minimal("notes", BUNDLE);
  }

  private static ModelVersions.NewVersion.Builder minimal(String collection, ModelBundle bundle) {
    return ModelVersions.NewVersion.builder(collection, 7, bundle)
        .createdBy("test")
        .reason("a test version")
        .origin("test-1");
  }

  @Test
  void a_version_built_from_the_required_parts_is_registered_ungated_and_empty() {
    ModelVersions.NewVersion v = minimal().build();

    assertThat(v.collection()).isEqualTo("notes");
    assertThat(v.indexVersionId()).isEqualTo(7);
    assertThat(v.bundle()).isSameAs(BUNDLE);
    assertThat(v.artifacts()).isEmpty();
    assertThat(v.metrics()).isEmpty();
    assertThat(v.lineage()).isEmpty();
    assertThat(v.gates()).isNull();
    assertThat(v.status()).isEqualTo(RegisteredVersion.REGISTERED);
    assertThat(v.createdBy()).isEqualTo("test");
    assertThat(v.reason()).isEqualTo("a test version");
    assertThat(v.origin()).isEqualTo("test-1");
  }

  @Test
  void every_part_the_builder_is_given_lands_in_its_own_component() {
    List<RegisteredVersion.Artifact> artifacts =
        List.of(new RegisteredVersion.Artifact("reranker", "abc", 12));
    Map<String, Map<String, Object>> metrics = Map.of("held-out", Map.of("ndcgAt10", 0.71));
    Map<String, Object> lineage = Map.of("fingerprint", "fp");
    List<RegisteredVersion.Gate> gates =
        List.of(new RegisteredVersion.Gate("floor", false, "0.4 < 0.5"));

    ModelVersions.NewVersion built =
        ModelVersions.NewVersion.builder("papers", 3, BUNDLE)
            .artifacts(artifacts)
            .metrics(metrics)
            .lineage(lineage)
            .gates(gates)
            .status(RegisteredVersion.REJECTED)
            .createdBy("retraining")
            .reason("why")
            .origin("run-9")
            .build();

    assertThat(built)
        .isEqualTo(
            new ModelVersions.NewVersion(
                "papers",
                3,
                BUNDLE,
                artifacts,
                metrics,
                lineage,
                gates,
                RegisteredVersion.REJECTED,
                "retraining",
                "why",
                "run-9"));
  }

  @Test
  void null_artifacts_metrics_and_lineage_become_empty_but_null_gates_stay_not_gated() {
    ModelVersions.NewVersion v =
        minimal().artifacts(null).metrics(null).lineage(null).gates(null).build();

    assertThat(v.artifacts()).isEqualTo(List.of());
    assertThat(v.metrics()).isEqualTo(Map.of());
    assertThat(v.lineage()).isEqualTo(Map.of());
    assertThat(v.gates()).isNull();
  }

  @Test
  void an_empty_gate_list_is_kept_apart_from_not_gated() {
    assertThat(minimal().gates(List.of()).build().gates()).isNotNull().isEmpty();
  }

  @Test
  void the_lists_and_maps_are_unmodifiable_copies_in_the_callers_order_with_its_nulls() {
    List<RegisteredVersion.Artifact> artifacts = new ArrayList<>();
    artifacts.add(new RegisteredVersion.Artifact("reranker", "abc", 12));
    Map<String, Object> lineage = new LinkedHashMap<>();
    lineage.put("z", 1);
    lineage.put("a", null);
    lineage.put("m", 3);
    Map<String, Map<String, Object>> metrics = new HashMap<>();
    metrics.put("held-out", Map.of("ndcgAt10", 0.5));
    List<RegisteredVersion.Gate> gates = new ArrayList<>();
    gates.add(new RegisteredVersion.Gate("floor", true, "ok"));

    ModelVersions.NewVersion v =
        minimal().artifacts(artifacts).metrics(metrics).lineage(lineage).gates(gates).build();
    artifacts.clear();
    lineage.clear();
    metrics.clear();
    gates.clear();

    assertThat(v.artifacts()).hasSize(1);
    assertThat(v.metrics()).containsOnlyKeys("held-out");
    assertThat(v.lineage()).containsExactly(entry("z", 1), entry("a", null), entry("m", 3));
    assertThat(v.gates()).hasSize(1);
    assertThatThrownBy(() -> v.artifacts().add(null))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> v.metrics().put("x", Map.of()))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> v.lineage().put("x", 1))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> v.gates().add(null)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void a_blank_or_missing_collection_is_refused() {
    assertThatThrownBy(() -> minimal(" ", BUNDLE).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("collection");
    assertThatThrownBy(() -> minimal(null, BUNDLE).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("collection");
  }

  @Test
  void a_missing_bundle_is_refused() {
    assertThatThrownBy(() -> minimal("notes", null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("bundle");
  }

  @Test
  void a_blank_or_missing_origin_is_refused() {
    assertThatThrownBy(() -> minimal().origin("").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("origin");
    assertThatThrownBy(() -> minimal().origin(null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("origin");
  }

  @Test
  void a_blank_or_missing_creator_is_refused() {
    assertThatThrownBy(() -> minimal().createdBy("  ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("createdBy");
    assertThatThrownBy(() -> minimal().createdBy(null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("createdBy");
  }

  @Test
  void a_blank_or_missing_reason_is_refused() {
    assertThatThrownBy(() -> minimal().reason(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reason");
    assertThatThrownBy(() -> minimal().reason(null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reason");
  }

  @Test
  void a_version_is_registered_or_rejected_never_archived_or_without_status() {
    assertThat(minimal().status(RegisteredVersion.REJECTED).build().status())
        .isEqualTo(RegisteredVersion.REJECTED);
    assertThatThrownBy(() -> minimal().status(RegisteredVersion.ARCHIVED).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("status")
        .hasMessageContaining(RegisteredVersion.ARCHIVED);
    assertThatThrownBy(() -> minimal().status(null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("status");
  }
}
