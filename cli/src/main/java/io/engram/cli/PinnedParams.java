package io.engram.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters {@code retrain --params} pins, written {@code name=value,name=value} (the option
 * may also be repeated). Only the form is checked here; the API checks names and values against the
 * search space and answers a misspelt name with the list of known ones.
 */
final class PinnedParams {
  private PinnedParams() {}

  /**
   * Parses every {@code --params} argument into one map, in the order written.
   *
   * @throws IllegalArgumentException naming the offending item: no {@code =}, a blank name or
   *     value, a name given twice, or nothing at all
   */
  static Map<String, String> parse(List<String> arguments) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String argument : arguments) {
      for (String item : argument.split(",", -1)) {
        String trimmed = item.strip();
        if (trimmed.isEmpty()) {
          // A trailing or doubled comma is harmless.
          continue;
        }
        int eq = trimmed.indexOf('=');
        if (eq < 0) {
          throw new IllegalArgumentException(
              "--params item '" + trimmed + "' has no '='; write name=value,name=value");
        }
        String name = trimmed.substring(0, eq).strip();
        String value = trimmed.substring(eq + 1).strip();
        if (name.isEmpty()) {
          throw new IllegalArgumentException("--params item '" + trimmed + "' has no name");
        }
        if (value.isEmpty()) {
          throw new IllegalArgumentException(
              "--params item '" + trimmed + "' has no value; write " + name + "=VALUE");
        }
        if (params.putIfAbsent(name, value) != null) {
          throw new IllegalArgumentException("--params names '" + name + "' twice");
        }
      }
    }
    if (params.isEmpty() && !arguments.isEmpty()) {
      throw new IllegalArgumentException("--params is empty; write name=value,name=value");
    }
    return params;
  }
}
