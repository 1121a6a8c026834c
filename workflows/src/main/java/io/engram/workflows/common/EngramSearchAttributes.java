package io.engram.workflows.common;

import io.temporal.common.SearchAttributeKey;

/**
 * Custom search attributes that let operators filter runs in the Temporal UI. They must be
 * registered on the server ({@code ./engram up} does it): setting an unregistered attribute fails
 * the workflow task forever.
 */
public final class EngramSearchAttributes {
  public static final SearchAttributeKey<String> COLLECTION =
      SearchAttributeKey.forKeyword("EngramCollection");
  public static final SearchAttributeKey<String> SOURCE =
      SearchAttributeKey.forKeyword("EngramSource");

  private EngramSearchAttributes() {}
}
