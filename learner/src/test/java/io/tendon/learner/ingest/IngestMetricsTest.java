package io.tendon.learner.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

class IngestMetricsTest {

    private static final long MS = 1_000_000L;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private Timer fromStart() {
        return registry.get("tendon.learner.experience.to.replay").tag("from", "start").timer();
    }

    private Timer fromPublish() {
        return registry.get("tendon.learner.experience.to.replay").tag("from", "publish").timer();
    }

    /** Offers {@code n} live inserts whose latency is {@code latencyNanos(i)}, as the ingest loop does. */
    private static void offer(IngestMetrics metrics, int n, IntToLongFunction latencyNanos) {
        for (int i = 0; i < n; i++) {
            if (metrics.timeThisInsert()) {
                long now = 1_000 * MS;
                metrics.experienceToReplay(now, now - latencyNanos.applyAsLong(i), now);
            }
        }
    }

    @Test
    void whileAWindowHasRoomEveryLiveInsertIsTimed() {
        IngestMetrics metrics = new IngestMetrics(registry, 50_000);
        offer(metrics, 10_000, i -> MS);
        assertEquals(0, fromStart().count(), "recorded when the window ends, not per insert");
        metrics.endLatencyWindow();
        assertEquals(10_000, fromStart().count());
        assertEquals(10_000, fromPublish().count());
    }

    @Test
    void aBusyWindowRecordsExactlyTheSampleSize() {
        IngestMetrics metrics = new IngestMetrics(registry, 50_000);
        offer(metrics, 400_000, i -> MS);
        metrics.endLatencyWindow();
        assertEquals(50_000, fromStart().count());
        offer(metrics, 30_000, i -> MS);
        metrics.endLatencyWindow();
        assertEquals(80_000, fromStart().count(), "the next window starts empty");
    }

    @Test
    void theSampleDoesNotFavourAnyPositionInABatch() {
        // Records come oldest first; a sample tied to position would over-weight some of them.
        // Latency = position in a batch of 2,000 (0..1999 ns): a uniform sample has mean 999.5.
        IngestMetrics metrics = new IngestMetrics(registry, 50_000);
        for (int b = 0; b < 200; b++) {
            offer(metrics, 2_000, i -> i);
        }
        metrics.endLatencyWindow();
        assertEquals(50_000, fromStart().count());
        assertEquals(999.5, fromStart().mean(TimeUnit.NANOSECONDS), 20);
    }

    @Test
    void aBacklogAfterAStallIsNotTimedMoreOftenThanSmoothFlow() {
        // 360,000 smooth inserts at 1 ms, then a 40,000-record backlog at 100 ms: a tenth of the
        // sample comes from the backlog, so the mean is about 0.9 * 1 + 0.1 * 100 = 10.9 ms. A
        // chance set from the gap before the backlog would time all of it (mean near 50 ms).
        IngestMetrics metrics = new IngestMetrics(registry, 50_000);
        offer(metrics, 360_000, i -> MS);
        offer(metrics, 40_000, i -> 100 * MS);
        metrics.endLatencyWindow();
        assertEquals(10.9, fromStart().mean(TimeUnit.MILLISECONDS), 0.4);
    }

    @Test
    void aWindowEndsASecondAfterItsFirstBatch() {
        IngestMetrics metrics = new IngestMetrics(registry, 50_000);
        long[] live = {0, 0, 0, 100};
        offer(metrics, 100, i -> MS);
        metrics.acceptedBatch(live, new long[4], 5 * MS);
        live[3] = 100;
        offer(metrics, 100, i -> MS);
        metrics.acceptedBatch(live, new long[4], 900 * MS);
        assertEquals(0, fromStart().count(), "the window is not a second old yet");
        live[3] = 100;
        offer(metrics, 100, i -> MS);
        metrics.acceptedBatch(live, new long[4], 1_006 * MS);
        assertEquals(300, fromStart().count());
        assertEquals(300, metrics.acceptedCount(), "accepted counts are per batch and immediate");
    }

    @Test
    void withoutSamplingEveryInsertIsRecordedAtOnceFromStartAndFromPublish() {
        IngestMetrics metrics = new IngestMetrics(registry);
        metrics.experienceToReplay(10 * MS, 7 * MS, 9 * MS);
        metrics.experienceToReplay(20 * MS, 15 * MS, 0);
        assertEquals(2, fromStart().count());
        assertEquals(5.0, fromStart().max(TimeUnit.MILLISECONDS), 1e-9);
        assertEquals(1, fromPublish().count(), "no publish time, no publish latency");
    }

    @Test
    void aNegativeSampleSizeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new IngestMetrics(new SimpleMeterRegistry(), -1));
    }
}
