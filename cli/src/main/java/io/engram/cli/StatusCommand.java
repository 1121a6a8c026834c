package io.engram.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Shows whether the API and the services behind it are up. Exits 1 when anything is down, so
 * scripts can wait for a healthy stack with a simple loop.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    versionProvider = EngramCli.VersionProvider.class,
    description = "Show the health of the Engram API and its components (database, Temporal).")
final class StatusCommand implements Callable<Integer> {

  @ParentCommand EngramCli root;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    EngramClient client = root.client();
    JsonNode health = client.health();
    String overall = health.path("status").asText("UNKNOWN");
    PrintWriter out = spec.commandLine().getOut();
    if (root.json()) {
      out.println(EngramClient.JSON.writeValueAsString(health));
    } else {
      out.println("Engram API at " + client.baseUrl() + ": " + overall);
      List<String[]> rows = components(health);
      int width = rows.stream().mapToInt(row -> row[0].length()).max().orElse(0);
      for (String[] row : rows) {
        out.println("  " + row[0] + " ".repeat(width - row[0].length() + 2) + row[1]);
      }
    }
    out.flush();
    return "UP".equalsIgnoreCase(overall) ? 0 : 1;
  }

  /**
   * Reads the per-component statuses. Health documents come in a few shapes (Micronaut nests them
   * under {@code details}, others under {@code components}, and a component may be a bare status
   * string), so all of them are accepted.
   */
  private static List<String[]> components(JsonNode health) {
    JsonNode components = health.path("components");
    if (!components.isObject()) {
      components = health.path("details");
    }
    List<String[]> rows = new ArrayList<>();
    for (Map.Entry<String, JsonNode> component : components.properties()) {
      JsonNode value = component.getValue();
      String status = value.isTextual() ? value.asText() : value.path("status").asText("UNKNOWN");
      String problem = firstText(value, "error", "message");
      if (problem == null) {
        problem = firstText(value.path("details"), "error", "message");
      }
      rows.add(
          new String[] {
            component.getKey(), problem == null ? status : status + "  (" + problem + ")"
          });
    }
    return rows;
  }

  private static String firstText(JsonNode node, String... fields) {
    for (String field : fields) {
      JsonNode value = node.path(field);
      if (value.isTextual() && !value.asText().isBlank()) {
        return EngramClient.shorten(value.asText(), 160);
      }
    }
    return null;
  }
}
