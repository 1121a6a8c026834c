package io.engram.core.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TenantTest {

  @Test
  void the_default_tenants_collections_keep_their_names_any_other_tenants_carry_its_id() {
    assertThat(Tenant.DEFAULT.id()).isEqualTo("default");
    assertThat(Tenant.DEFAULT.collection("notes")).isEqualTo("notes");
    assertThat(new Tenant("acme").collection("notes")).isEqualTo("acme~notes");

    assertThat(Tenant.ofCollection("notes")).isEqualTo(Tenant.DEFAULT);
    assertThat(Tenant.ofCollection("acme~notes")).isEqualTo(new Tenant("acme"));
    assertThat(Tenant.nameOf("acme~notes")).isEqualTo("notes");
    assertThat(Tenant.nameOf("notes")).isEqualTo("notes");
  }

  @Test
  void a_tenant_owns_only_its_own_keys() {
    Tenant acme = new Tenant("acme");
    assertThat(acme.owns("acme~notes")).isTrue();
    assertThat(acme.owns("notes")).isFalse();
    assertThat(acme.owns("acme2~notes")).isFalse();
    assertThat(acme.owns(null)).isFalse();
    assertThat(Tenant.DEFAULT.owns("notes")).isTrue();
    assertThat(Tenant.DEFAULT.owns("acme~notes")).isFalse();
  }

  @Test
  void labels_are_shown_without_the_callers_own_prefix_only() {
    Tenant acme = new Tenant("acme");
    assertThat(acme.shown("acme~notes/v3")).isEqualTo("notes/v3");
    assertThat(acme.shown("other~notes/v3")).isEqualTo("other~notes/v3");
    assertThat(Tenant.DEFAULT.shown("notes/v3")).isEqualTo("notes/v3");
    assertThat(acme.shown(null)).isNull();
  }

  @Test
  void ids_and_names_that_could_forge_a_key_are_refused() {
    for (String bad : List.of("", "Acme", "-acme", "a~b", "a/b", "x".repeat(33))) {
      assertThat(Tenant.isValidId(bad)).as(bad).isFalse();
      assertThatThrownBy(() -> new Tenant(bad)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(Tenant.isValidId(null)).isFalse();
    assertThatThrownBy(() -> new Tenant("acme").collection("other~notes"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void scopes_parse_from_their_wire_names_and_a_key_needs_one() {
    assertThat(Scope.parseAll(List.of("query", " ingest")))
        .containsExactlyInAnyOrder(Scope.QUERY, Scope.INGEST);
    assertThatThrownBy(() -> Scope.parseAll(List.of())).hasMessageContaining("at least one scope");
    assertThatThrownBy(() -> Scope.parse("root"))
        .hasMessageContaining("unknown scope 'root'; use query, ingest, admin");
  }

  @Test
  void only_a_tokens_shape_is_looked_up() {
    assertThat(ApiKeys.looksLikeToken("engram_" + "a1B2".repeat(10))).isTrue();
    assertThat(ApiKeys.looksLikeToken("engram_" + "a".repeat(39))).isFalse();
    assertThat(ApiKeys.looksLikeToken("engram_" + "a".repeat(39) + "-")).isFalse();
    assertThat(ApiKeys.looksLikeToken("ENGRAM_" + "a".repeat(40))).isFalse();
    assertThat(ApiKeys.looksLikeToken(null)).isFalse();
  }
}
