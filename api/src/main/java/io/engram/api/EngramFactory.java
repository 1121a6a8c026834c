package io.engram.api;

import io.engram.api.memory.DistillationTrigger;
import io.engram.core.CoreServices;
import io.engram.core.config.EngramSettings;
import io.engram.core.config.SettingsSource;
import io.engram.core.drift.DriftDetector;
import io.engram.core.query.QueryPipelines;
import io.engram.core.query.WarmUp;
import io.engram.core.registry.ModelAliases;
import io.engram.core.rollout.RolloutRouter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import io.micronaut.context.env.PropertySource;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API process's composition root: the settings tree, core's object graph ({@link CoreServices},
 * as the worker builds it), Temporal clients, and what the API adds to core (the query path with
 * its metrics and distillation, warm-up, drift checks). A controller that needs one of core's
 * stores or services takes {@link CoreServices} and keeps the parts it uses, as the worker's
 * capabilities do, so core's parts are listed in one place, {@link CoreServices}, not again here.
 */
@Factory
class EngramFactory {
  private static final Logger log = LoggerFactory.getLogger(EngramFactory.class);

  /**
   * The settings of this process: the environment over the defaults, with Micronaut's properties
   * ({@code engram.retrieval.dense.weight} for {@code ENGRAM_RETRIEVAL_DENSE_WEIGHT}, from a test
   * or a {@code -D} flag) as one more layer of the same source, not a second copy of the settings.
   */
  @Singleton
  EngramSettings settings(Environment environment) {
    EngramSettings settings =
        EngramSettings.from(SettingsSource.of(System.getenv(), properties(environment)));
    log.info("API settings: profile {}, {}", settings.profile().value(), settings.database());
    return settings;
  }

  /**
   * The setting each of Micronaut's own property sources names; its environment-variable source is
   * skipped, because {@link SettingsSource} reads the environment itself and reports it as such.
   * The profile ({@code engram.profile}) and the configuration file ({@code engram.config.file})
   * are read too: they choose the layers rather than being settings of their own.
   */
  static Map<String, String> properties(Environment environment) {
    List<String> keys =
        new ArrayList<>(List.of(SettingsSource.PROFILE, SettingsSource.CONFIG_FILE));
    SettingsSource.definitions().forEach(d -> keys.add(d.key()));
    Map<String, String> values = new HashMap<>();
    for (String key : keys) {
      String property = key.toLowerCase(Locale.ROOT).replace('_', '.');
      for (PropertySource source : environment.getPropertySources()) {
        if (source.getConvention() == PropertySource.PropertyConvention.ENVIRONMENT_VARIABLE) {
          continue;
        }
        Object value = source.get(property);
        if (value != null) {
          values.put(key, value.toString());
        }
      }
    }
    return values;
  }

  /**
   * Core's object graph; created with the context so a bad database or model fails the start, not
   * the first request.
   */
  @Context
  @Bean(preDestroy = "close")
  CoreServices core(EngramSettings settings) throws SQLException {
    return CoreServices.open(settings, "engram-api", settings.api().databasePool());
  }

  /** The query pipelines; the champion's reranker is loaded now, so a bad one fails the start. */
  @Context
  QueryPipelines queryPipelines(
      CoreServices core, MeterRegistry metrics, DistillationTrigger distillation) {
    return core.queryPipelines(metrics, distillation);
  }

  /**
   * Routes each query to its collection's champion, or during a rollout to the arm the rollout's
   * state in PostgreSQL gives it.
   */
  @Singleton
  RolloutRouter rolloutRouter(
      CoreServices core, MeterRegistry metrics, DistillationTrigger distillation) {
    return core.rolloutRouter(metrics, distillation);
  }

  /**
   * The query path's warm-up, started with the context on a thread of its own: the API serves
   * meanwhile but reports not ready ({@code queryPath} in {@code /health}) until it is done.
   */
  @Context
  WarmUp warmUp(CoreServices core, QueryPipelines pipelines) {
    WarmUp warmUp =
        new WarmUp(
            pipelines,
            core.chunks(),
            core.settings().api().warmUpQuestions(),
            () -> core.registry().aliases().collectionsWith(ModelAliases.CHAMPION));
    Thread thread = new Thread(warmUp::run, "engram-warm-up");
    thread.setDaemon(true);
    thread.start();
    return warmUp;
  }

  /** Drift checks on request, of the version this process's pipelines serve. */
  @Singleton
  DriftDetector driftDetector(CoreServices core, QueryPipelines pipelines, MeterRegistry metrics) {
    return DriftDetector.create(core, pipelines, metrics);
  }

  @Singleton
  @Bean(preDestroy = "shutdown")
  WorkflowServiceStubs workflowService(EngramSettings settings) {
    // Lazily connecting stubs: the API starts (and reports temporal DOWN in /health) even while
    // Temporal is still coming up.
    return WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(settings.temporal().address()).build());
  }

  @Singleton
  WorkflowClient workflowClient(WorkflowServiceStubs service, EngramSettings settings) {
    return WorkflowClient.newInstance(
        service,
        WorkflowClientOptions.newBuilder().setNamespace(settings.temporal().namespace()).build());
  }

  @Singleton
  ScheduleClient scheduleClient(WorkflowServiceStubs service, EngramSettings settings) {
    return ScheduleClient.newInstance(
        service,
        ScheduleClientOptions.newBuilder().setNamespace(settings.temporal().namespace()).build());
  }
}
