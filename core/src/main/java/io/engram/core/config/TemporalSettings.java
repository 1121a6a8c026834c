package io.engram.core.config;

import java.util.Objects;

/**
 * The Temporal frontend the worker polls and the API starts workflows on.
 *
 * @param address host:port of the frontend
 * @param namespace the namespace
 */
public record TemporalSettings(String address, String namespace) {
  public TemporalSettings {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(namespace, "namespace");
  }
}
