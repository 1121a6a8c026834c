package io.engram.api.sessions;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Working-memory settings ({@code ENGRAM_MEMORY_WORKING_TURNS}).
 *
 * @param workingTurns how many recent turns of a session the query path reads
 */
@ConfigurationProperties("engram.memory")
public record MemoryProperties(@Min(0) @Max(100) @Bindable(defaultValue = "6") int workingTurns) {}
