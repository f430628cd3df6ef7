package io.tendon.learner.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PromQlTest {

    @Test
    void metricNamesOfTheExpressionsTheDashboardAndAlertsUse() {
        assertEquals(Set.of("tendon_edge_control_tick_compute_seconds_bucket"), PromQl.metricNames(
                "histogram_quantile(0.99, sum by (robot_id, le) (rate(tendon_edge_control_tick_compute_seconds_bucket"
                        + "{robot_id=~\"$robot\"}[$__rate_interval])))"));
        assertEquals(Set.of("tendon_learner_dead_letters_total", "tendon_learner_transitions_accepted_total"), PromQl.metricNames(
                "sum by (namespace, pod) (rate(tendon_learner_dead_letters_total[10m]))\n/\n(sum by (namespace, pod) "
                        + "(rate(tendon_learner_transitions_accepted_total[10m])) + 1e3) > 0.01"));
        assertEquals(Set.of("a_total", "b_total"), PromQl.metricNames(
                "sum by (robot_id, reason) (rate(a_total{reason=~\"X|Y\"}[5m])) / on (robot_id) group_left sum by (robot_id) "
                        + "(rate(b_total[5m] offset 1h)) > bool 0.01 unless on () vector(1)"));
        assertEquals(Set.of("up"), PromQl.metricNames("up{job=\"tendon-edge\"} == 0"));
        assertEquals(Set.of("tendon_learner_publish_age_seconds"), PromQl.metricNames("time() - 0 + tendon_learner_publish_age_seconds"));
        assertEquals(Set.of("tendon_edge_control_ticks_total"),
                PromQl.metricNames("label_values(tendon_edge_control_ticks_total, robot_id)"));
    }
}
