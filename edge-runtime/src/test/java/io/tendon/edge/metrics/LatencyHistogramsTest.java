package io.tendon.edge.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.tendon.edge.control.LatencyHistogram;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The control and policy threads' log-linear histograms as Prometheus histograms: cumulative
 * bucket counts at the fixed edges, +Inf equal to the count, the sum in seconds, in Micrometer's
 * scrape.
 */
class LatencyHistogramsTest {

    @Test
    void cumulativeCountsNeverCountASampleBelowAnEdgeItExceeds() {
        LatencyHistogram h = new LatencyHistogram();
        long[] values = new long[200_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = (long) Math.exp(ThreadLocalRandom.current().nextDouble(Math.log(200), Math.log(2e9)));
            h.record(values[i]);
        }
        long[] edges = {1_000, 2_500, 5_000, 10_000, 100_000, 1_000_000, 10_000_000, 1_000_000_000};
        long[] out = new long[edges.length];
        assertEquals(values.length, h.cumulativeCounts(edges, out));
        for (int k = 0; k < edges.length; k++) {
            long exact = 0;
            long within = 0; // at or below the edge, but at most ~3 % (one bucket) below it
            for (long v : values) {
                if (v <= edges[k]) {
                    exact++;
                    if (v > edges[k] - edges[k] / 31 - 1) {
                        within++;
                    }
                }
            }
            assertTrue(out[k] <= exact, "edge " + edges[k] + ": " + out[k] + " > " + exact);
            assertTrue(out[k] >= exact - within, "edge " + edges[k] + ": " + out[k] + " < " + (exact - within));
            assertTrue(k == 0 || out[k] >= out[k - 1], "cumulative");
        }
    }

    @Test
    void exactForValuesAwayFromTheEdges() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 10; i++) {
            h.record(3_000); // 3 us: between the 2.5 us and 5 us edges
        }
        h.record(700_000); // 0.7 ms
        h.record(5_000_000_000L); // 5 s: beyond the last edge
        long[] edges = {2_500, 5_000, 1_000_000, 1_000_000_000};
        long[] out = new long[4];
        assertEquals(12, h.cumulativeCounts(edges, out));
        assertEquals(0, out[0]);
        assertEquals(10, out[1]);
        assertEquals(11, out[2]);
        assertEquals(11, out[3]);
    }

    @Test
    void scrapedAsAPrometheusHistogramThroughMicrometersRegistry() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CompositeMeterRegistry composite = new CompositeMeterRegistry();
        composite.add(new SimpleMeterRegistry());
        composite.add(prometheus);
        LatencyHistogram fast = new LatencyHistogram();
        LatencyHistogram slow = new LatencyHistogram();
        for (int i = 0; i < 100; i++) {
            fast.record(20_000); // 20 us
        }
        slow.record(40_000_000); // 40 ms
        assertTrue(new LatencyHistograms("tendon_test_graph_latency", "Run time", "graph")
                .addEach(() -> Map.of("fast", fast, "slow", slow)).registerWith(composite));
        String text = prometheus.scrape();
        assertTrue(text.contains("# TYPE tendon_test_graph_latency_seconds histogram"), text);
        assertTrue(text.contains("# HELP tendon_test_graph_latency_seconds Run time"), text);
        Map<String, Double> fastBuckets = buckets(text, "fast");
        assertEquals(LatencyHistograms.EDGES_SECONDS.length + 1, fastBuckets.size());
        assertEquals(0.0, fastBuckets.get("1.0E-5"));
        assertEquals(100.0, fastBuckets.get("2.5E-5"));
        assertEquals(100.0, fastBuckets.get("+Inf"));
        assertEquals(100.0, sample(text, "tendon_test_graph_latency_seconds_count{graph=\"fast\",}"));
        assertEquals(100 * 20e-6, sample(text, "tendon_test_graph_latency_seconds_sum{graph=\"fast\",}"), 1e-12);
        Map<String, Double> slowBuckets = buckets(text, "slow");
        assertEquals(0.0, slowBuckets.get("0.025"));
        assertEquals(1.0, slowBuckets.get("0.05"));
        double previous = 0;
        for (double v : slowBuckets.values()) {
            assertTrue(v >= previous, "cumulative buckets");
            previous = v;
        }
        assertFalse(new LatencyHistograms("tendon_test_other", "x").registerWith(new SimpleMeterRegistry()),
                "no Prometheus registry: nothing to register with");
    }

    private static Map<String, Double> buckets(String text, String graph) {
        Map<String, Double> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^tendon_test_graph_latency_seconds_bucket\\{graph=\"" + graph
                + "\",le=\"([^\"]+)\",} (\\S+)$").matcher(text);
        while (m.find()) {
            out.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return out;
    }

    private static double sample(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertTrue(m.find(), series + " in\n" + text);
        return Double.parseDouble(m.group(1));
    }
}
