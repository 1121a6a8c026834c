package io.engram.cli;

import io.engram.cli.EngramClient.Reply;
import io.engram.contract.Health;
import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Shows whether the API and the services behind it are up. Exits 1 when anything is down, so
 * scripts can wait for a healthy stack with a simple loop.
 */
@Command(
    name = "status",
    description = "Show the health of the Engram API and its components (database, Temporal).")
final class StatusCommand implements Callable<Integer> {

  @Mixin CommandContext context;

  @Override
  public Integer call() throws Exception {
    EngramClient client = context.client();
    Reply<Health> health = client.health();
    String overall = health.value().status() == null ? "UNKNOWN" : health.value().status();
    context.print(
        health,
        (out, value) -> {
          out.println("Engram API at " + client.baseUrl() + ": " + overall);
          print(out, value.details());
        });
    return "UP".equalsIgnoreCase(overall) ? 0 : 1;
  }

  private static void print(PrintWriter out, Map<String, Health.Component> details) {
    Map<String, Health.Component> components = new TreeMap<>(details);
    int width = components.keySet().stream().mapToInt(String::length).max().orElse(0);
    for (Map.Entry<String, Health.Component> component : components.entrySet()) {
      String name = component.getKey();
      out.println(
          "  " + name + " ".repeat(width - name.length() + 2) + describe(component.getValue()));
    }
  }

  /** A component's status, and why when it reports an error. */
  private static String describe(Health.Component component) {
    String status = component.status() == null ? "UNKNOWN" : component.status();
    Object error = component.details() == null ? null : component.details().get("error");
    return error == null || error.toString().isBlank()
        ? status
        : status + "  (" + EngramClient.shorten(error.toString(), 160) + ")";
  }
}
