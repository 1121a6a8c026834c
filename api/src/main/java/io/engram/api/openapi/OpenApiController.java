package io.engram.api.openapi;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.swagger.v3.oas.annotations.Hidden;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.yml}: the OpenAPI document the build generates from the controllers and the
 * contract records ({@code micronaut-openapi}, written to the classpath at compile time).
 */
@Controller
class OpenApiController {
  /** Where the annotation processor writes the document (see openapi.properties). */
  static final String RESOURCE = "META-INF/swagger/openapi.yml";

  private static final MediaType YAML = MediaType.of("application/yaml");

  private final byte[] document;

  OpenApiController() {
    try (InputStream in = OpenApiController.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing: the build did not generate it");
      }
      document = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Hidden
  @Get("/openapi.yml")
  HttpResponse<byte[]> document() {
    return HttpResponse.ok(document).contentType(YAML);
  }
}
