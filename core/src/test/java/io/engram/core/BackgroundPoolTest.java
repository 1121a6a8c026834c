package io.engram.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The query path's shared pool is bounded and pushes back on its callers when it is full. */
@Timeout(30)
class BackgroundPoolTest {

  @Test
  void a_task_beyond_the_busy_threads_runs_in_the_callers_thread() throws Exception {
    ExecutorService pool = CoreServices.boundedBackground(2, "test-background");
    CountDownLatch started = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    try {
      for (int i = 0; i < 2; i++) {
        pool.execute(
            () -> {
              started.countDown();
              awaitQuietly(release);
            });
      }
      started.await();

      AtomicReference<Thread> ranOn = new AtomicReference<>();
      pool.execute(() -> ranOn.set(Thread.currentThread()));

      // No third thread and no queue: the caller ran it, before execute returned.
      assertThat(ranOn.get()).isSameAs(Thread.currentThread());
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
