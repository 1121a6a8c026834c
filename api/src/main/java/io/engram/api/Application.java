package io.engram.api;

import io.engram.core.config.ApiSettings;
import io.engram.core.config.EngramSettings;
import io.micronaut.runtime.Micronaut;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import java.util.Map;

/** The Engram HTTP API; its OpenAPI document is served at {@code /openapi.yml}. */
@OpenAPIDefinition(
    info =
        @Info(
            title = "Engram",
            version = "v1",
            description =
                "Memory-aware RAG over durable Temporal workflows. Errors are RFC 7807 problem"
                    + " bodies (application/problem+json)."),
    security = @SecurityRequirement(name = "apiKey"))
@SecurityScheme(
    name = "apiKey",
    type = SecuritySchemeType.HTTP,
    scheme = "bearer",
    description =
        "An API key (./engram keys create) as 'Authorization: Bearer <key>'. A dev stack also"
            + " serves loopback calls without one.")
public final class Application {
  private Application() {}

  public static void main(String[] args) {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(
          """
          usage: engram-api
            Serves the Engram HTTP API (default http://127.0.0.1:8080).
          settings:
            ENGRAM_PROFILE (dev|test|prod) selects the defaults; ENGRAM_CONFIG_FILE names an optional
            file of KEY=value lines; environment variables override both. The API listens on
            ENGRAM_API_HOST:ENGRAM_API_PORT. './engram config' prints every setting with its
            effective value and where it came from (README, Configuration).""");
      return;
    }
    // The listener comes from the same settings as everything else; Micronaut's own properties
    // (micronaut.server.*) are set from them rather than configured a second way.
    ApiSettings api = EngramSettings.fromEnvironment().api();
    Micronaut.build(args)
        .mainClass(Application.class)
        .properties(
            Map.of(
                "micronaut.server.host", api.host(),
                "micronaut.server.port", api.port(),
                "micronaut.server.max-request-size", api.maxUploadBytes(),
                "micronaut.server.multipart.max-file-size", api.maxUploadBytes()))
        .start();
  }
}
