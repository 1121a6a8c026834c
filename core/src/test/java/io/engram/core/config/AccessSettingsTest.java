package io.engram.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.core.config.AccessSettings.RateLimitScope;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keys' limits per profile, and the scope of a key's rate limit. */
class AccessSettingsTest {

  private static AccessSettings access(Map<String, String> env) {
    return EngramSettings.of(env).access();
  }

  @Test
  void buckets_are_per_replica_in_dev_and_test_and_shared_by_the_cluster_in_prod() {
    assertThat(access(Map.of()).rateScope()).isEqualTo(RateLimitScope.REPLICA);
    assertThat(access(Map.of("ENGRAM_PROFILE", "test")).rateScope())
        .isEqualTo(RateLimitScope.REPLICA);
    AccessSettings prod = access(Map.of("ENGRAM_PROFILE", "prod"));
    assertThat(prod.rateScope()).isEqualTo(RateLimitScope.CLUSTER);
    assertThat(prod.ratePerSecond()).isEqualTo(20);
    assertThat(prod.rateBurst()).isEqualTo(50);
    assertThat(prod.loopbackAnonymous()).isFalse();
  }

  @Test
  void the_scope_is_set_in_any_case_and_overrides_the_profile() {
    assertThat(access(Map.of("ENGRAM_RATE_LIMIT_SCOPE", "CLUSTER")).rateScope())
        .isEqualTo(RateLimitScope.CLUSTER);
    assertThat(
            access(Map.of("ENGRAM_PROFILE", "prod", "ENGRAM_RATE_LIMIT_SCOPE", " replica "))
                .rateScope())
        .isEqualTo(RateLimitScope.REPLICA);
  }

  @Test
  void a_bad_scope_is_refused_naming_the_variable_the_choices_and_the_origin() {
    assertThatThrownBy(() -> access(Map.of("ENGRAM_RATE_LIMIT_SCOPE", "global")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ENGRAM_RATE_LIMIT_SCOPE must be one of [replica, cluster], got 'global' (from the"
                + " environment)");
    assertThatThrownBy(() -> access(Map.of("ENGRAM_RATE_LIMIT_SCOPE", "")))
        .hasMessageContaining("ENGRAM_RATE_LIMIT_SCOPE");
  }

  @Test
  void config_lists_the_scope_with_its_help_and_its_prod_default() {
    SettingsSource.Definition scope =
        SettingsSource.definitions().stream()
            .filter(d -> d.key().equals("ENGRAM_RATE_LIMIT_SCOPE"))
            .findFirst()
            .orElseThrow();
    assertThat(scope.defaultValue()).isEqualTo("replica");
    assertThat(scope.profileDefaults()).isEqualTo(Map.of(Profile.PROD, "cluster"));
    assertThat(scope.help()).contains("replica").contains("cluster");
    List<SettingsSource.Resolved> prod =
        SettingsSource.of(Map.of("ENGRAM_PROFILE", "prod")).resolveAll();
    assertThat(prod)
        .filteredOn(r -> r.definition().key().equals("ENGRAM_RATE_LIMIT_SCOPE"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.value()).isEqualTo("cluster");
              assertThat(r.origin()).isEqualTo(SettingsSource.Origin.PROFILE);
            });
  }
}
