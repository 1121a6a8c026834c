package io.engram.api.memory;

import io.engram.api.sessions.MemoryProperties;
import io.engram.core.config.EngramSettings;
import io.engram.core.memory.FactCitations;
import io.engram.core.memory.MemoryRetriever;
import io.engram.core.memory.MemoryStats;
import io.engram.core.retrieval.QueryEmbeddings;
import io.micronaut.context.annotation.Factory;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import jakarta.inject.Singleton;
import org.jdbi.v3.core.Jdbi;

/** Wires the memory services of core into the API. */
@Factory
class MemoryFactory {

  @Singleton
  MemoryRetriever memoryRetriever(
      Jdbi jdbi, EngramSettings settings, QueryEmbeddings embeddings, MemoryProperties properties) {
    // Facts are embedded by the worker with the champion's model; queries use the same one.
    String model = settings.embeddingModel();
    MemoryRetriever.Options defaults = MemoryRetriever.Options.forModel(model);
    MemoryRetriever.Options options =
        properties.recallMinSimilarity() == null
            ? defaults
            : new MemoryRetriever.Options(
                defaults.denseWeight(), properties.recallMinSimilarity(), defaults.candidates());
    return new MemoryRetriever(jdbi, model, embeddings, options);
  }

  @Singleton
  FactCitations factCitations(Jdbi jdbi) {
    return new FactCitations(jdbi);
  }

  @Singleton
  MemoryStats memoryStats(Jdbi jdbi) {
    return new MemoryStats(jdbi);
  }

  @Singleton
  ScheduleClient scheduleClient(WorkflowServiceStubs service, EngramSettings settings) {
    return ScheduleClient.newInstance(
        service,
        ScheduleClientOptions.newBuilder().setNamespace(settings.temporalNamespace()).build());
  }
}
