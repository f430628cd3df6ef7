package io.tendon.learner.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tendon.learner.LearnerTestConfig;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.schemas.v1.Source;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Reverb SampleToInsertRatio semantics: samples_per_insert 1, min_size_to_sample 10,
 * error_buffer 6, so offset 10, minDiff 4, maxDiff 16, batches of 4 rows.
 */
class RateLimiterTest {

    private final LearnerConfig config = LearnerTestConfig.of("tendon.replay.rate-limit.enabled", "true",
            "tendon.replay.rate-limit.samples-per-insert", "1", "tendon.replay.rate-limit.min-size-to-sample", "10",
            "tendon.replay.rate-limit.error-buffer", "6", "tendon.replay.rate-limit.throttle-ingest", "true");
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ReplayBuffer replay = new ReplayBuffer(config, registry);
    private final Batch batch = replay.newBatch(4);
    private final SplittableRandom rng = new SplittableRandom(7);
    private int step;

    private void insert(int n) {
        for (int i = 0; i < n; i++) {
            assertTrue(replay.insert(Fixtures.decode(Fixtures.transition(1, 1, step++, Source.ROLLOUT).build(),
                    config.layout()), false));
        }
    }

    @Test
    void theArithmeticIsReverbs() {
        SampleToInsertRatio l = new SampleToInsertRatio(true, 2.0, 100, 50);
        assertEquals(150, l.minDiff());
        assertEquals(250, l.maxDiff());
        assertFalse(l.canSample(1, 99), "below min size");
        l.inserted(100, false);
        assertEquals(200, l.diff());
        assertTrue(l.canSample(50, 100));
        assertFalse(l.canSample(51, 100), "would drop below minDiff");
        assertTrue(l.canInsert(100));
        l.inserted(24, false);
        assertTrue(l.canInsert(124), "248 + 2 <= 250");
        l.inserted(1, false);
        assertFalse(l.canInsert(125), "250 + 2 > 250");
        // Bulk inserts never wait, and leave at most maxDiff of credit.
        l.inserted(1000, true);
        assertEquals(250, l.diff(), 1e-9);
        // Disabled: only the minimum size applies.
        SampleToInsertRatio off = new SampleToInsertRatio(false, 2.0, 100, 50);
        assertFalse(off.canSample(1, 99));
        assertTrue(off.canSample(1_000_000, 100));
        assertTrue(off.canInsert(1_000_000));
    }

    @Test
    void samplingWaitsForMinSizeAndIsReleasedByInserts() throws Exception {
        insert(9);
        assertFalse(replay.trySample(batch, rng), "9 rows < min size 10");
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(
                () -> replay.sample(batch, rng, 10, TimeUnit.SECONDS));
        Thread.sleep(200);
        assertFalse(waiting.isDone(), "the sampler blocks");
        insert(1);
        assertTrue(waiting.get(5, TimeUnit.SECONDS), "the 10th insert releases it");
        assertEquals(4, batch.size);
    }

    @Test
    void samplingBlocksWhenAheadOfTheDataAndInsertsRelease() throws Exception {
        insert(10); // diff 10
        assertTrue(replay.trySample(batch, rng)); // diff 6
        assertFalse(replay.trySample(batch, rng), "6 - 4 < minDiff 4: the trainer would race ahead");
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(
                () -> replay.sample(batch, rng, 10, TimeUnit.SECONDS));
        Thread.sleep(200);
        assertFalse(waiting.isDone());
        insert(1); // diff 7: still 3 < 4
        Thread.sleep(200);
        assertFalse(waiting.isDone(), "one insert is not enough");
        insert(1); // diff 8: 8 - 4 >= 4
        assertTrue(waiting.get(5, TimeUnit.SECONDS));
        assertEquals(4.0, replay.limiterDiff(), 1e-9);
        assertTrue(registry.get("tendon.learner.replay.rate.limiter.wait").tag("side", "sample").timer().count() >= 1,
                "the wait is visible in metrics");
        // A sampler that gives up counts as a timeout and returns false.
        assertFalse(replay.sample(batch, rng, 50, TimeUnit.MILLISECONDS));
        assertEquals(0, batch.size);
        assertEquals(1.0, registry.get("tendon.learner.replay.rate.limiter.timeouts").counter().count());
    }

    @Test
    void insertsAreHeldBackWhenTheTrainerFallsBehindAndSamplesRelease() throws Exception {
        insert(16); // diff 16 = maxDiff
        assertFalse(replay.insertAllowed(), "16 + 1 > maxDiff 16: ingest must pause");
        AtomicInteger released = new AtomicInteger();
        Thread ingest = new Thread(() -> {
            if (replay.awaitInsertAllowed(TimeUnit.SECONDS.toNanos(10))) {
                released.incrementAndGet();
            }
        });
        ingest.start();
        Thread.sleep(200);
        assertEquals(0, released.get(), "ingest waits");
        assertTrue(replay.trySample(batch, rng)); // diff 12
        ingest.join(5000);
        assertEquals(1, released.get(), "a sample releases it");
        assertTrue(replay.insertAllowed());
        // Before the minimum size inserts are always allowed, whatever the diff.
        LearnerConfig big = LearnerTestConfig.of("tendon.replay.rate-limit.enabled", "true",
                "tendon.replay.rate-limit.samples-per-insert", "1", "tendon.replay.rate-limit.min-size-to-sample", "1000",
                "tendon.replay.rate-limit.error-buffer", "3");
        ReplayBuffer warmup = new ReplayBuffer(big, new SimpleMeterRegistry());
        for (int i = 0; i < 100; i++) {
            assertTrue(warmup.insertAllowed());
            warmup.insert(Fixtures.decode(Fixtures.transition(2, 1, i, Source.DEMO).build(), big.layout()), false);
        }
    }

    @Test
    void aBatchTooLargeForTheErrorBufferIsRefusedInsteadOfWaitingForever() {
        Batch tooBig = replay.newBatch(12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> replay.trySample(tooBig, rng));
        assertTrue(e.getMessage().contains("tendon.replay.rate-limit.error-buffer"), e.getMessage());
    }

    @Test
    void demonstrationSamplingNeitherWaitsNorCounts() {
        for (int i = 0; i < 10; i++) {
            replay.insert(Fixtures.decode(Fixtures.transition(3, 1, i, Source.DEMO).build(), config.layout()), false);
        }
        double before = replay.limiterDiff();
        for (int i = 0; i < 20; i++) {
            assertTrue(replay.sampleDemonstrations(batch, rng));
        }
        assertEquals(before, replay.limiterDiff());
    }

    @Test
    void closingWakesAWaitingSampler() throws Exception {
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(
                () -> replay.sample(batch, rng, 30, TimeUnit.SECONDS));
        Thread.sleep(100);
        replay.close();
        assertFalse(waiting.get(5, TimeUnit.SECONDS));
    }

    @Test
    void theInsertHeadroomIsExactlyWhatCanInsertAllowsInARow() {
        SplittableRandom r = new SplittableRandom(11);
        for (int trial = 0; trial < 2_000; trial++) {
            double perInsert = 0.25 + 4 * r.nextDouble();
            long minSize = 1 + r.nextInt(50);
            double errorBuffer = perInsert + 1 + 40 * r.nextDouble();
            SampleToInsertRatio limiter = new SampleToInsertRatio(true, perInsert, minSize, errorBuffer);
            long size = r.nextInt(80);
            limiter.inserted(size, false);
            limiter.sampled(r.nextInt((int) (size * perInsert) + 1));
            long headroom = limiter.insertHeadroom(size);
            long exact = 0;
            for (long s = size; limiter.canInsert(s) && exact < 10_000; s++) {
                limiter.inserted(1, false);
                exact++;
            }
            assertEquals(exact, headroom, "trial " + trial);
        }
        assertEquals(Long.MAX_VALUE, new SampleToInsertRatio(false, 1, 1, 1).insertHeadroom(5), "disabled: no limit");
    }
}
