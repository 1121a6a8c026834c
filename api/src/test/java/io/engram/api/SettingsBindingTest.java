package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.config.EngramSettings;
import io.engram.core.config.Profile;
import io.engram.core.config.SettingsSource;
import io.engram.core.retrieval.RetrievalSettings;
import io.micronaut.context.env.DefaultEnvironment;
import io.micronaut.context.env.Environment;
import io.micronaut.context.env.PropertySource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The API binds its settings through the same tree as the worker: Micronaut's properties are one
 * more layer of the settings source, named like the variables ({@code engram.retrieval.mode} for
 * {@code ENGRAM_RETRIEVAL_MODE}).
 */
class SettingsBindingTest {

  private static Environment environment(PropertySource... sources) {
    Environment environment = new DefaultEnvironment(() -> List.of());
    for (PropertySource source : sources) {
      environment.addPropertySource(source);
    }
    return environment.start();
  }

  @Test
  void micronaut_properties_override_the_defaults_as_properties() {
    Environment environment =
        environment(
            PropertySource.of(
                "test",
                Map.of(
                    "engram.retrieval.dense.weight", "0.5",
                    "engram.retrieval.mode", "dense",
                    "temporal.address", "temporal:7233",
                    "micronaut.server.port", "-1")));
    Map<String, String> properties = EngramFactory.properties(environment);
    assertThat(properties)
        .containsOnly(
            Map.entry("ENGRAM_RETRIEVAL_DENSE_WEIGHT", "0.5"),
            Map.entry("ENGRAM_RETRIEVAL_MODE", "dense"),
            Map.entry("TEMPORAL_ADDRESS", "temporal:7233"));

    SettingsSource source =
        SettingsSource.of(Map.of("ENGRAM_RETRIEVAL_DENSE_WEIGHT", "0.9"), properties);
    EngramSettings settings = EngramSettings.from(source);
    assertThat(settings.retrieval().denseWeight()).isEqualTo(0.5);
    assertThat(settings.retrieval().mode()).isEqualTo(RetrievalSettings.Mode.DENSE);
    assertThat(settings.temporal().address()).isEqualTo("temporal:7233");
    assertThat(source.resolve("ENGRAM_RETRIEVAL_DENSE_WEIGHT").origin())
        .isEqualTo(SettingsSource.Origin.OVERRIDE);
  }

  @Test
  void the_profile_is_chosen_by_a_property_too() {
    Environment environment =
        environment(PropertySource.of("test", Map.of("engram.profile", "prod")));
    Map<String, String> properties = EngramFactory.properties(environment);
    assertThat(properties).containsOnly(Map.entry(SettingsSource.PROFILE, "prod"));

    SettingsSource source = SettingsSource.of(Map.of("ENGRAM_PROFILE", "test"), properties);
    assertThat(source.profile()).isEqualTo(Profile.PROD);
    assertThat(source.profileOrigin()).isEqualTo(SettingsSource.Origin.OVERRIDE);
    // The profile's defaults apply: production does not migrate on start.
    assertThat(EngramSettings.from(source).database().migrateOnStart()).isFalse();
  }

  @Test
  void environment_variables_are_read_once_by_the_settings_source_not_twice() {
    Environment environment =
        environment(
            PropertySource.of(
                "env",
                Map.of("ENGRAM_RETRIEVAL_MODE", "dense"),
                PropertySource.PropertyConvention.ENVIRONMENT_VARIABLE));
    assertThat(EngramFactory.properties(environment)).isEmpty();
  }
}
