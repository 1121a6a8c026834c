package io.engram.workflows.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.uber.m3.tally.Buckets;
import com.uber.m3.tally.Capabilities;
import com.uber.m3.tally.CapableOf;
import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import com.uber.m3.tally.StatsReporter;
import com.uber.m3.util.Duration;
import io.engram.workflows.common.EngramSearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The retraining's phase and trial counters: each phase and trial is counted once, though a query
 * after the end replays the whole history on the worker (and so enters every phase again).
 */
@Timeout(60)
class RetrainingMetricsTest {
  private static final Counters counters = new Counters();
  private static final Scope scope =
      new RootScopeBuilder().reporter(counters).reportEvery(Duration.ofMillis(10));

  @RegisterExtension static final TestWorkflowExtension testWorkflow = extension();

  private static TestWorkflowExtension extension() {
    TestWorkflowExtension.Builder builder =
        TestWorkflowExtension.newBuilder()
            .setWorkflowTypes(RetrainingWorkflowImpl.class)
            .setMetricsScope(scope)
            .setDoNotStart(true);
    for (Map.Entry<String, IndexedValueType> a : EngramSearchAttributes.ALL.entrySet()) {
      builder.registerSearchAttribute(a.getKey(), a.getValue());
    }
    return builder.build();
  }

  @Test
  void each_phase_and_trial_is_counted_once_though_the_history_replays(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    ScriptedRetraining steps = new ScriptedRetraining();
    steps.trials = 5;
    steps.trialEnding = n -> n == 1 ? "fail" : n % 2 == 0 ? "pruned" : "complete";
    RetrainingWorkflow workflow = RetrainingWorkflowTest.start(env, worker, client, steps);

    RetrainingResult result = workflow.retrain(RetrainingWorkflowTest.SEARCH);
    assertThat(result.outcome()).isEqualTo(RetrainingResult.STAGED);
    // A query of the ended workflow replays its whole history on the worker.
    assertThat(workflow.progress().trials()).isEqualTo(5);
    scope.close();

    assertThat(counters.of(RetrainingMetrics.PHASES, RetrainingMetrics.TAG_PHASE))
        .containsExactlyEntriesOf(
            new TreeMap<>(
                Map.of(
                    RetrainingProgress.DECIDING, 1L,
                    RetrainingProgress.CHECKING, 1L,
                    RetrainingProgress.SEARCHING, 1L,
                    RetrainingProgress.REGISTERING, 1L,
                    RetrainingProgress.EVALUATING, 1L,
                    RetrainingProgress.GATING, 1L,
                    RetrainingProgress.DONE, 1L)));
    assertThat(counters.of(RetrainingMetrics.TRIALS, RetrainingMetrics.TAG_STATE))
        .containsExactlyEntriesOf(
            new TreeMap<>(Map.of("failed", 1L, "pruned", 3L, "complete", 1L)));
    // The SDK's tags come along: the dashboard and the rules group by them.
    assertThat(counters.tags)
        .anySatisfy(t -> assertThat(t).containsEntry("workflow_type", "RetrainingWorkflow"));
  }

  /** Sums what tally reports of each counter, by one tag's value. */
  private static final class Counters implements StatsReporter {
    private final Map<String, Long> totals = new TreeMap<>();
    final java.util.List<Map<String, String>> tags = new java.util.ArrayList<>();

    synchronized Map<String, Long> of(String name, String tag) {
      Map<String, Long> out = new TreeMap<>();
      totals.forEach(
          (key, value) -> {
            if (key.startsWith(name + "|" + tag + "=")) {
              out.put(key.substring((name + "|" + tag + "=").length()), value);
            }
          });
      return out;
    }

    @Override
    public synchronized void reportCounter(String name, Map<String, String> tagged, long value) {
      for (String tag : new String[] {RetrainingMetrics.TAG_PHASE, RetrainingMetrics.TAG_STATE}) {
        if (tagged != null && tagged.containsKey(tag)) {
          totals.merge(name + "|" + tag + "=" + tagged.get(tag), value, Long::sum);
          tags.add(Map.copyOf(tagged));
        }
      }
    }

    @Override
    public void reportGauge(String name, Map<String, String> tags, double value) {}

    @Override
    public void reportTimer(String name, Map<String, String> tags, Duration interval) {}

    @Override
    public void reportHistogramValueSamples(
        String name,
        Map<String, String> tags,
        Buckets buckets,
        double bucketLowerBound,
        double bucketUpperBound,
        long samples) {}

    @Override
    public void reportHistogramDurationSamples(
        String name,
        Map<String, String> tags,
        Buckets buckets,
        Duration bucketLowerBound,
        Duration bucketUpperBound,
        long samples) {}

    @Override
    public Capabilities capabilities() {
      return CapableOf.REPORTING;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
