package io.engram.cli;

import io.engram.cli.EngramClient.Reply;
import io.engram.contract.Schedules.ScheduleList;
import io.engram.contract.Schedules.ScheduleView;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Lists the Temporal Schedules: promotion, maintenance, incremental ingestion and any other. */
@Command(
    name = "schedules",
    description = {
      "List the registered Temporal Schedules: id, spec (cron, UTC), next run, paused.",
      "Pause, resume or trigger them in the Temporal UI or with 'temporal schedule'."
    })
final class SchedulesCommand implements Callable<Integer> {

  @Mixin CommandContext context;

  @Override
  public Integer call() throws Exception {
    Reply<ScheduleList> reply = context.client().schedules();
    context.print(reply, (out, list) -> print(out, list.schedules()));
    return 0;
  }

  /** A table of schedules; shared with {@code memory stats}. */
  static void print(PrintWriter out, List<ScheduleView> schedules) {
    if (schedules.isEmpty()) {
      out.println("no schedules registered (the worker registers them when it starts)");
      return;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ID", "SPEC", "NEXT RUN", "PAUSED"});
    for (ScheduleView s : schedules) {
      String paused = s.paused() ? "yes" : "no";
      if (s.paused() && s.note() != null && !s.note().isBlank()) {
        paused += " (" + EngramClient.shorten(s.note(), 60) + ")";
      }
      rows.add(new String[] {s.id(), s.spec(), s.nextRun() == null ? "-" : s.nextRun(), paused});
    }
    Table.print(out, rows);
  }
}
