package io.engram.workers.memory;

import io.engram.core.memory.MemorySettings;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.memory.IncrementalIngestRequest;
import io.engram.workflows.memory.IncrementalIngestWorkflow;
import io.engram.workflows.memory.IngestSource;
import io.engram.workflows.memory.MaintenanceJob;
import io.engram.workflows.memory.MaintenanceRequest;
import io.engram.workflows.memory.MaintenanceWorkflow;
import io.engram.workflows.memory.MemoryJobs;
import io.engram.workflows.memory.PromotionRequest;
import io.engram.workflows.memory.PromotionWorkflow;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleException;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleUpdate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the memory lifecycle's Temporal Schedules at worker start, idempotently: each job has a
 * stable schedule id ({@code engram-promotion}, {@code engram-salience}, {@code
 * engram-ttl-cleanup}, {@code engram-session-cleanup}, {@code engram-incremental-ingest}), so a
 * restart or a second worker finds it instead of adding another.
 *
 * <p>A schedule that is missing is created; one whose spec or arguments differ from the
 * configuration is updated in place, keeping the paused state and note an operator gave it; one
 * whose job is disabled is deleted. What a schedule was configured with is written into the started
 * workflows' static details, which the Temporal UI shows and which this class compares.
 */
public final class ScheduleRegistrar {
  private static final Logger log = LoggerFactory.getLogger(ScheduleRegistrar.class);

  /** What registering did to one schedule. */
  public record Registration(String scheduleId, String outcome) {
    public static final String CREATED = "created";
    public static final String UPDATED = "updated";
    public static final String UNCHANGED = "unchanged";
    public static final String DELETED = "deleted";
    public static final String DISABLED = "disabled";
  }

  private final ScheduleClient client;
  private final MemorySettings settings;

  public ScheduleRegistrar(ScheduleClient client, MemorySettings settings) {
    this.client = client;
    this.settings = settings;
  }

  /** Creates, updates or deletes each job's schedule to match the configuration. */
  public List<Registration> register() {
    List<Registration> done = new ArrayList<>();
    for (Map.Entry<String, Schedule> job : desired(settings).entrySet()) {
      String id = MemoryJobs.scheduleId(job.getKey());
      Registration r =
          reconcile(client, id, job.getValue(), settings.schedules().get(job.getKey()).enabled());
      log.info("schedule {}: {}", id, r.outcome());
      done.add(r);
    }
    return done;
  }

  /**
   * Makes the schedule {@code id} match {@code wanted}: created when missing, updated in place
   * (keeping its paused state and note) when its details differ, deleted when not {@code enabled}.
   * Other capabilities' schedules (training's drift check) are registered through it too.
   */
  public static Registration reconcile(
      ScheduleClient client, String id, Schedule wanted, boolean enabled) {
    return enabled ? ensure(client, id, wanted) : remove(client, id);
  }

  private static Registration ensure(ScheduleClient client, String id, Schedule wanted) {
    try {
      client.createSchedule(id, wanted, ScheduleOptions.newBuilder().build());
      return new Registration(id, Registration.CREATED);
    } catch (ScheduleAlreadyRunningException exists) {
      ScheduleHandle handle = client.getHandle(id);
      if (Objects.equals(details(handle.describe().getSchedule()), details(wanted))) {
        return new Registration(id, Registration.UNCHANGED);
      }
      handle.update(
          input -> {
            Schedule current = input.getDescription().getSchedule();
            // The state (paused, note) stays as the operator left it.
            return new ScheduleUpdate(
                Schedule.newBuilder(current)
                    .setSpec(wanted.getSpec())
                    .setAction(wanted.getAction())
                    .setPolicy(wanted.getPolicy())
                    .build());
          });
      return new Registration(id, Registration.UPDATED);
    }
  }

  private static Registration remove(ScheduleClient client, String id) {
    ScheduleHandle handle = client.getHandle(id);
    try {
      ScheduleDescription ignored = handle.describe();
    } catch (ScheduleException | io.grpc.StatusRuntimeException missing) {
      return new Registration(id, Registration.DISABLED);
    }
    try {
      handle.delete();
    } catch (ScheduleException | io.grpc.StatusRuntimeException e) {
      // Another worker starting at the same time deleted it between the two calls.
      if (io.grpc.Status.fromThrowable(e).getCode() == io.grpc.Status.Code.NOT_FOUND) {
        return new Registration(id, Registration.DISABLED);
      }
      throw e;
    }
    return new Registration(id, Registration.DELETED);
  }

  private static String details(Schedule schedule) {
    if (schedule.getAction() instanceof ScheduleActionStartWorkflow start) {
      return start.getOptions().getStaticDetails();
    }
    return null;
  }

  /** The schedule each job should have, by job name, in {@link MemoryJobs#SCHEDULED} order. */
  static Map<String, Schedule> desired(MemorySettings s) {
    Map<String, Schedule> out = new LinkedHashMap<>();
    MemorySettings.Promotion p = s.promotion();
    out.put(
        MemoryJobs.PROMOTION,
        schedule(
            s,
            MemoryJobs.PROMOTION,
            PromotionWorkflow.class,
            "Daily promotion of strong episodic facts to semantic memory",
            Duration.ofHours(1),
            new PromotionRequest(
                false, p.minSalience(), p.minCitations(), p.minAge(), p.batchSize(), null),
            "thresholds: salience > %s, citations > %d, age > %s; batches of %d"
                .formatted(p.minSalience(), p.minCitations(), human(p.minAge()), p.batchSize())));
    out.put(
        MemoryJobs.SALIENCE,
        schedule(
            s,
            MemoryJobs.SALIENCE,
            MaintenanceWorkflow.class,
            "Citation flush and salience decay",
            Duration.ofMinutes(2),
            MaintenanceRequest.of(MaintenanceJob.SALIENCE),
            "salience half-life " + human(s.salienceHalfLife())));
    out.put(
        MemoryJobs.TTL_CLEANUP,
        schedule(
            s,
            MemoryJobs.TTL_CLEANUP,
            MaintenanceWorkflow.class,
            "Deletion of expired episodic facts",
            Duration.ofMinutes(30),
            MaintenanceRequest.of(MaintenanceJob.TTL_CLEANUP),
            "episodic TTL " + human(s.episodicTtl()) + " after storage or last citation"));
    out.put(
        MemoryJobs.SESSION_CLEANUP,
        schedule(
            s,
            MemoryJobs.SESSION_CLEANUP,
            MaintenanceWorkflow.class,
            "Distillation and closing of idle sessions",
            Duration.ofMinutes(5),
            new MaintenanceRequest(
                MaintenanceJob.SESSION_CLEANUP,
                s.sessionIdle(),
                MaintenanceRequest.DEFAULT_MAX_SESSIONS),
            "sessions idle longer than " + human(s.sessionIdle())));
    List<IngestSource> sources =
        s.incrementalIngest().stream()
            .map(d -> new IngestSource(d.collection(), d.path().toString()))
            .toList();
    out.put(
        MemoryJobs.INCREMENTAL_INGEST,
        schedule(
            s,
            MemoryJobs.INCREMENTAL_INGEST,
            IncrementalIngestWorkflow.class,
            "Daily incremental ingestion of the configured directories",
            Duration.ofHours(1),
            new IncrementalIngestRequest(sources),
            "sources: "
                + (sources.isEmpty()
                    ? "none (set ENGRAM_INCREMENTAL_INGEST_DIRS)"
                    : sources.stream().map(x -> x.collection() + "=" + x.path()).toList())));
    return out;
  }

  /** 7d, 6h, 30m or 90s, as operators write them in the configuration. */
  static String human(Duration d) {
    if (d.toDays() > 0 && d.equals(Duration.ofDays(d.toDays()))) {
      return d.toDays() + "d";
    }
    if (d.toHours() > 0 && d.equals(Duration.ofHours(d.toHours()))) {
      return d.toHours() + "h";
    }
    if (d.toMinutes() > 0 && d.equals(Duration.ofMinutes(d.toMinutes()))) {
      return d.toMinutes() + "m";
    }
    return d.toSeconds() + "s";
  }

  private static Schedule schedule(
      MemorySettings s,
      String job,
      Class<?> workflow,
      String summary,
      Duration catchupWindow,
      Object argument,
      String config) {
    String cron = s.schedules().get(job).cron();
    return cron(
        cron,
        ScheduleActionStartWorkflow.newBuilder()
            .setWorkflowType(workflow)
            .setArguments(argument)
            .setOptions(
                WorkflowOptions.newBuilder()
                    // The server appends the scheduled time to this id for each run.
                    .setWorkflowId(MemoryJobs.scheduleId(job))
                    .setTaskQueue(TaskQueues.MAINTENANCE)
                    .setTypedSearchAttributes(MemoryJobs.searchAttributes(job))
                    .setStaticSummary(summary)
                    .setStaticDetails(details(summary, cron, s.profile(), config))
                    .build())
            .build(),
        catchupWindow);
  }

  /**
   * The static details every Engram schedule's workflows carry, which the Temporal UI shows and
   * {@link #reconcile} compares: what it does, when, in which profile, and its settings.
   */
  public static String details(String summary, String cron, String profile, String config) {
    return summary
        + "\nschedule: "
        + cron
        + " (UTC), profile "
        + profile
        + "\n"
        + config
        + "\nregistered by the Engram worker; change it through its configuration";
  }

  /**
   * A schedule that starts {@code action} on {@code cron} (UTC). A run still going when the next is
   * due makes the next one unnecessary; a start missed while the server was down is made up within
   * {@code catchupWindow}.
   */
  public static Schedule cron(
      String cron, ScheduleActionStartWorkflow action, Duration catchupWindow) {
    return Schedule.newBuilder()
        .setSpec(ScheduleSpec.newBuilder().setCronExpressions(List.of(cron)).build())
        .setAction(action)
        .setPolicy(
            SchedulePolicy.newBuilder()
                .setOverlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP)
                .setCatchupWindow(catchupWindow)
                .build())
        .build();
  }
}
