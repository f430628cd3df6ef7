package io.tendon.learner.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class IngestMetricsTest {

    private static final long MS = 1_000_000L;

    /** Feeds batches of {@code perBatch} live inserts every {@code gapNanos}; returns how many were timed. */
    private static int timed(IngestMetrics metrics, int batches, int perBatch, long gapNanos) {
        long[] live = new long[4];
        long[] bulk = new long[4];
        int timed = 0;
        long now = 1;
        for (int b = 0; b < batches; b++) {
            for (int i = 0; i < perBatch; i++) {
                if (metrics.timeThisInsert()) {
                    timed++;
                }
            }
            live[3] = perBatch;
            now += gapNanos;
            metrics.acceptedBatch(live, bulk, now);
        }
        return timed;
    }

    @Test
    void belowTheSampleRateEveryLiveInsertIsTimed() {
        // 100 inserts per 10 ms: 10,000/s against a limit of 50,000/s.
        IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry(), 50_000);
        assertEquals(100 * 100, timed(metrics, 100, 100, 10 * MS));
    }

    @Test
    void aboveItAboutTheSampleRateIsTimedAtRandom() {
        // 2,000 inserts per 5 ms: 400,000/s, limit 50,000/s, so about one in eight once a rate is
        // known (the first second, 201 batches, is timed whole).
        IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry(), 50_000);
        int timed = timed(metrics, 401, 2_000, 5 * MS) - 201 * 2_000;
        double expected = 200 * 2_000 / 8.0;
        assertTrue(Math.abs(timed - expected) < 0.03 * expected, timed + " timed, expected about " + expected);
    }

    @Test
    void theChoiceDoesNotFavourTheFirstRecordsOfABatch() {
        // Records come oldest first; a sample tied to position would over-weight the first ones.
        IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry(), 50_000);
        timed(metrics, 201, 2_000, 5 * MS);
        long[] byQuarter = new long[4];
        long[] live = new long[4];
        long now = 1 + 201 * 5 * MS; // where timed() left the clock
        for (int b = 0; b < 400; b++) {
            for (int i = 0; i < 2_000; i++) {
                if (metrics.timeThisInsert()) {
                    byQuarter[i / 500]++;
                }
            }
            live[3] = 2_000;
            now += 5 * MS;
            metrics.acceptedBatch(live, new long[4], now);
        }
        long total = byQuarter[0] + byQuarter[1] + byQuarter[2] + byQuarter[3];
        assertEquals(400 * 2_000 / 8.0, total, 0.03 * 400 * 2_000 / 8.0, "sampled at about one in eight");
        for (long n : byQuarter) {
            assertEquals(byQuarter[0], n, 0.05 * byQuarter[0], java.util.Arrays.toString(byQuarter));
        }
    }

    @Test
    void aBacklogAfterAStallIsNotTimedMoreOftenThanSmoothFlow() {
        // Smooth at 400,000/s, then a 100 ms stall and a backlog batch: the backlog gets the same
        // chance as the smooth batches (a chance from the gap before each batch would be 1 here).
        IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry(), 50_000);
        timed(metrics, 401, 2_000, 5 * MS);
        long[] live = {0, 0, 0, 2_000};
        metrics.acceptedBatch(live, new long[4], 2_200 * MS);
        int timed = 0;
        for (int i = 0; i < 40_000; i++) {
            if (metrics.timeThisInsert()) {
                timed++;
            }
        }
        assertEquals(5_000, timed, 250, "about one in eight of the backlog");
    }

    @Test
    void timedInsertsRecordTheirAgeFromStartAndFromPublish() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        IngestMetrics metrics = new IngestMetrics(registry);
        metrics.experienceToReplay(10 * MS, 7 * MS, 9 * MS);
        metrics.experienceToReplay(20 * MS, 15 * MS, 0);
        var fromStart = registry.get("tendon.learner.experience.to.replay").tag("from", "start").timer();
        var fromPublish = registry.get("tendon.learner.experience.to.replay").tag("from", "publish").timer();
        assertEquals(2, fromStart.count());
        assertEquals(5.0, fromStart.max(java.util.concurrent.TimeUnit.MILLISECONDS), 1e-9);
        assertEquals(1, fromPublish.count(), "no publish time, no publish latency");
    }

    @Test
    void aNonPositiveSampleRateIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new IngestMetrics(new SimpleMeterRegistry(), 0));
    }
}
