package io.engram.api.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.api.monitoring.MetricNames.Selector;
import org.junit.jupiter.api.Test;

class MetricNamesTest {

  @Test
  void finds_the_metrics_of_a_ratio_with_grouping_and_ranges() {
    assertThat(
            MetricNames.in(
                """
                sum by (namespace) (rate(http_server_requests_seconds_count{job="engram-api", status=~"5.."}[5m]))
                  / sum by (namespace) (rate(http_server_requests_seconds_count{job="engram-api"}[5m])) > 0.01
                """))
        .containsExactly("http_server_requests_seconds_count");
  }

  @Test
  void skips_functions_keywords_numbers_variables_and_label_names() {
    assertThat(
            MetricNames.in(
                "histogram_quantile(0.95, sum by (model_version, arm, le) (rate("
                    + "engram_query_latency_seconds_bucket{namespace=~\"$namespace\","
                    + " model_version=~\"$model_version\"}[$__rate_interval]))) > 1e-1"
                    + " unless on (namespace) absent(up{job=\"engram-worker\"} == 1) offset 5m"))
        .containsExactly("engram_query_latency_seconds_bucket", "up");
  }

  @Test
  void reads_a_bare_metric_and_a_grafana_label_values_query() {
    assertThat(MetricNames.in("engram_drift_verdict == 1")).containsExactly("engram_drift_verdict");
    assertThat(MetricNames.in("label_values(engram_query_latency_seconds_count, model_version)"))
        .containsExactly("engram_query_latency_seconds_count");
    assertThat(MetricNames.in("label_values(up{job=\"engram-api\"}, namespace)"))
        .containsExactly("up");
  }

  @Test
  void tells_the_job_each_selector_names() {
    assertThat(
            MetricNames.selectors(
                "up{job=\"engram-worker\"} == 0 or rate(engram_ingest_chunks_total[5m]) > 0"
                    + " or temporal_num_pollers{task_queue=\"a}b\", job=\"engram-worker\"}"))
        .containsExactly(
            new Selector("up", "engram-worker"),
            new Selector("engram_ingest_chunks_total", null),
            new Selector("temporal_num_pollers", "engram-worker"));
    Selector both = MetricNames.selectors("up{job=~\"engram-api|engram-worker\"}").get(0);
    assertThat(both.selects("engram-api")).isTrue();
    assertThat(both.selects("engram-worker")).isTrue();
    assertThat(both.selects("other")).isFalse();
  }
}
