package io.engram.api.sessions;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Memory settings of the query path ({@code ENGRAM_MEMORY_WORKING_TURNS}, {@code
 * ENGRAM_MEMORY_DISTILL_EVERY_TURNS}, {@code ENGRAM_MEMORY_RECALL_TOP_K}, {@code
 * ENGRAM_MEMORY_RECALL_MIN_SIMILARITY}).
 *
 * @param workingTurns how many recent turns of a session the query path reads
 * @param distillEveryTurns distillation of a session is signalled after every this many exchanges
 *     (0 turns it off)
 * @param recallTopK remembered facts added to an answer's sources at most (0 turns recall off)
 * @param recallMinSimilarity facts less similar to the question are not recalled; null for the
 *     embedding model's default
 */
@ConfigurationProperties("engram.memory")
public record MemoryProperties(
    @Min(0) @Max(100) @Bindable(defaultValue = "6") int workingTurns,
    @Min(0) @Max(1000) @Bindable(defaultValue = "4") int distillEveryTurns,
    @Min(0) @Max(20) @Bindable(defaultValue = "3") int recallTopK,
    @Nullable @DecimalMin("-1.0") @DecimalMax("1.0") Double recallMinSimilarity) {}
