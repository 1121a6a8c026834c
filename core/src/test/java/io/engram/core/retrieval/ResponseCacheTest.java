package io.engram.core.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ResponseCacheTest {
  private final AtomicLong now = new AtomicLong();

  @Test
  void serves_an_entry_until_its_ttl_passes() {
    ResponseCache<String> cache = new ResponseCache<>(10, Duration.ofSeconds(60), now::get);
    cache.put("k", "v");
    now.addAndGet(Duration.ofSeconds(59).toNanos());
    assertThat(cache.get("k")).contains("v");
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThat(cache.get("k")).isEmpty();
    assertThat(cache.size()).isZero();
    assertThat(cache.hits()).isEqualTo(1);
    assertThat(cache.misses()).isEqualTo(1);
  }

  @Test
  void keeps_at_most_capacity_entries_dropping_the_least_recently_used() {
    ResponseCache<String> cache = new ResponseCache<>(2, Duration.ofSeconds(60), now::get);
    cache.put("a", "1");
    cache.put("b", "2");
    cache.get("a");
    cache.put("c", "3");
    assertThat(cache.get("b")).isEmpty();
    assertThat(cache.get("a")).contains("1");
    assertThat(cache.get("c")).contains("3");
    assertThat(cache.size()).isEqualTo(2);
  }

  @Test
  void zero_capacity_or_ttl_disables_it() {
    ResponseCache<String> off = new ResponseCache<>(0, Duration.ofSeconds(60), now::get);
    off.put("k", "v");
    assertThat(off.get("k")).isEmpty();
    assertThat(new ResponseCache<String>(5, Duration.ZERO, now::get).enabled()).isFalse();
  }

  @Test
  void normalizes_case_whitespace_and_trailing_punctuation() {
    assertThat(ResponseCache.normalize("  What causes   Myelin loss?? "))
        .isEqualTo(ResponseCache.normalize("what causes myelin loss"));
    assertThat(ResponseCache.normalize("a.b")).isEqualTo("a.b");
  }
}
