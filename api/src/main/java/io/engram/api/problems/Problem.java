package io.engram.api.problems;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/** An RFC 7807 problem body ({@code application/problem+json}). */
@Serdeable
public record Problem(String type, String title, int status, @Nullable String detail) {
  public static final String MEDIA_TYPE = "application/problem+json";
}
