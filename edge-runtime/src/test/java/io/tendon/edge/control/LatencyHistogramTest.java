package io.tendon.edge.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void bucketsCoverEveryValueWithSmallRelativeError() {
        for (long v = 0; v < 5_000_000; v = v < 100 ? v + 1 : v + v / 7) {
            int i = LatencyHistogram.index(v);
            assertTrue(LatencyHistogram.lowerBound(i) <= v, "lower bound of " + v);
            assertTrue(i + 1 == LatencyHistogram.BUCKETS || LatencyHistogram.lowerBound(i + 1) > v, "upper bound of " + v);
            assertTrue(LatencyHistogram.lowerBound(i) >= v - v / 31 - 1, "precision at " + v);
        }
    }

    @Test
    void quantilesOfAKnownDistribution() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 1; i <= 100_000; i++) {
            h.record(i * 10L); // 10 ns .. 1 ms uniform
        }
        assertEquals(100_000, h.count());
        assertEquals(500_000, h.quantile(0.5), 500_000 * 0.035);
        assertEquals(999_000, h.quantile(0.999), 999_000 * 0.035);
        assertEquals(1_000_000, h.max());
        assertEquals(10L * 100_000 * 100_001 / 2, h.sum());
        assertEquals(0, new LatencyHistogram().quantile(0.5));
    }
}
