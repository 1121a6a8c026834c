package io.engram.api.query;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * Sizes of the query path's caches ({@code ENGRAM_CACHE_RESPONSES}, {@code
 * ENGRAM_CACHE_RESPONSE_TTL}, {@code ENGRAM_CACHE_QUERY_EMBEDDINGS}). Both are bounded so a flood
 * of distinct queries cannot grow the heap.
 *
 * @param responses most cached responses; 0 turns the response cache off
 * @param responseTtl how long a response is served from the cache; new documents and feedback show
 *     up in answers after at most this long
 * @param queryEmbeddings most cached query embeddings (about 1.5 KB each at 384 dimensions)
 */
@ConfigurationProperties("engram.cache")
public record CacheProperties(
    @Min(0) @Max(1_000_000) @Bindable(defaultValue = "10000") int responses,
    @NotNull @Bindable(defaultValue = "60s") Duration responseTtl,
    @Min(0) @Max(1_000_000) @Bindable(defaultValue = "10000") int queryEmbeddings) {}
