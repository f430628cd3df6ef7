package io.tendon.learner.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tendon.learner.LearnerTestConfig;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Tables, FIFO eviction, de-duplication, mixing and sampled contents. */
class ReplayBufferTest {

    static ReplayBuffer buffer(LearnerConfig config) {
        return new ReplayBuffer(config, new SimpleMeterRegistry());
    }

    static boolean insert(ReplayBuffer replay, LearnerConfig config, Transition t) {
        return replay.insert(Fixtures.decode(t, config.layout()), false);
    }

    static void fill(ReplayBuffer replay, LearnerConfig config, Source source, int robot, int episodes, int steps) {
        for (int e = 0; e < episodes; e++) {
            for (int s = 0; s < steps; s++) {
                assertTrue(insert(replay, config, Fixtures.transition(robot, e, s, source).build()));
            }
        }
    }

    @Test
    void eachSourceHasItsOwnFifoTable() {
        LearnerConfig config = LearnerTestConfig.of("tendon.replay.capacity.rollout", "5",
                "tendon.replay.capacity.demo", "3");
        ReplayBuffer replay = buffer(config);
        for (int s = 0; s < 8; s++) {
            insert(replay, config, Fixtures.transition(1, 1, s, Source.ROLLOUT).build());
        }
        insert(replay, config, Fixtures.transition(2, 1, 0, Source.DEMO).build());
        assertEquals(5, replay.size(Source.ROLLOUT));
        assertEquals(1, replay.size(Source.DEMO));
        assertEquals(0, replay.size(Source.INTERVENTION));
        for (int s = 0; s < 8; s++) {
            assertEquals(s >= 3, replay.contains("robot-1", "ep-1", s), "step " + s + " (oldest three evicted)");
        }
        assertTrue(replay.contains("robot-2", "ep-1", 0));
    }

    @Test
    void aTransitionNeverEntersTwiceAndEvictedKeysAreForgotten() {
        LearnerConfig config = LearnerTestConfig.of("tendon.replay.capacity.rollout", "50");
        ReplayBuffer replay = buffer(config);
        Transition t = Fixtures.transition(1, 7, 3, Source.ROLLOUT).build();
        assertTrue(insert(replay, config, t));
        assertFalse(insert(replay, config, t), "same robot, episode and step");
        // Same key, different source and contents: still the same experience.
        assertFalse(insert(replay, config, t.toBuilder().setSource(Source.INTERVENTION).build()));
        assertEquals(1, replay.size(Source.ROLLOUT) + replay.size(Source.INTERVENTION));

        for (int e = 100; e < 200; e++) {
            for (int s = 0; s < 10; s++) {
                insert(replay, config, Fixtures.transition(1, e, s, Source.ROLLOUT).build());
            }
        }
        assertEquals(50, replay.size(Source.ROLLOUT));
        // Only the episodes that still have rows are remembered: memory follows capacity, not history.
        assertEquals(5, replay.episodeCount());
        assertFalse(replay.contains("robot-1", "ep-7", 3));
    }

    @Test
    void mixedBatchesFollowTheDefaultRlpdSplitExactly() {
        LearnerConfig config = LearnerTestConfig.of();
        ReplayBuffer replay = buffer(config);
        fill(replay, config, Source.DEMO, 1, 3, 100);
        fill(replay, config, Source.INTERVENTION, 2, 2, 100);
        fill(replay, config, Source.ROLLOUT, 3, 5, 100);
        Batch batch = replay.newBatch(256);
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < 50; i++) {
            assertTrue(replay.trySample(batch, rng));
            int[] counts = countBySource(batch);
            // 0.25 / 0.25 / 0.5 of 256 has no remainder: every batch is exactly 64 / 64 / 128.
            assertEquals(64, counts[1]);
            assertEquals(64, counts[2]);
            assertEquals(128, counts[3]);
        }
    }

    @Test
    void mixingRatiosHoldWithinStatisticalTolerance() {
        LearnerConfig config = LearnerTestConfig.of("tendon.replay.mix.demo", "0.2", "tendon.replay.mix.intervention",
                "0.3", "tendon.replay.mix.rollout", "0.5");
        ReplayBuffer replay = buffer(config);
        fill(replay, config, Source.DEMO, 1, 1, 50);
        fill(replay, config, Source.INTERVENTION, 2, 1, 50);
        fill(replay, config, Source.ROLLOUT, 3, 1, 50);
        Batch batch = replay.newBatch(100);
        SplittableRandom rng = new SplittableRandom(2);
        int batches = 2000;
        long[] total = new long[4];
        for (int i = 0; i < batches; i++) {
            assertTrue(replay.trySample(batch, rng));
            int[] c = countBySource(batch);
            for (int s = 1; s <= 3; s++) {
                total[s] += c[s];
            }
            // Shares of 100: exactly 20 / 30 / 50, no randomness at all.
            assertEquals(20, c[1]);
            assertEquals(30, c[2]);
        }
        // An uneven split: 0.2/0.3/0.5 of 7 rows = 1.4 / 2.1 / 3.5: floors plus a random remainder.
        Batch small = replay.newBatch(7);
        long[] smallTotal = new long[4];
        for (int i = 0; i < batches; i++) {
            assertTrue(replay.trySample(small, rng));
            int[] c = countBySource(small);
            assertTrue(c[1] >= 1 && c[1] <= 2 && c[2] >= 2 && c[2] <= 3 && c[3] >= 3 && c[3] <= 4,
                    "each table gets the floor or the ceiling of its share");
            for (int s = 1; s <= 3; s++) {
                smallTotal[s] += c[s];
            }
        }
        double[] expected = {0, 0.2, 0.3, 0.5};
        for (int s = 1; s <= 3; s++) {
            double share = smallTotal[s] / (7.0 * batches);
            // Remainder draws are 1 per batch: the share's standard error is below 0.5/7/sqrt(batches).
            double tolerance = 5 * 0.5 / 7 / Math.sqrt(batches);
            assertEquals(expected[s], share, tolerance, "share of source " + s);
        }
    }

    @Test
    void anEmptyTableGivesItsShareToTheOthersInProportion() {
        LearnerConfig config = LearnerTestConfig.of();
        ReplayBuffer replay = buffer(config);
        Batch batch = replay.newBatch(300);
        SplittableRandom rng = new SplittableRandom(3);
        assertFalse(replay.trySample(batch, rng), "nothing to sample");
        assertEquals(0, batch.size);

        fill(replay, config, Source.ROLLOUT, 3, 1, 20);
        assertTrue(replay.trySample(batch, rng));
        assertEquals(300, countBySource(batch)[3], "only rollouts exist: all rows are rollouts");

        fill(replay, config, Source.DEMO, 1, 1, 20);
        assertTrue(replay.trySample(batch, rng));
        int[] c = countBySource(batch);
        // DEMO 0.25 and ROLLOUT 0.5 renormalised: 1/3 and 2/3 of 300.
        assertEquals(100, c[1]);
        assertEquals(0, c[2]);
        assertEquals(200, c[3]);
    }

    @Test
    void sampledRowsAreIntactTransitions() {
        LearnerConfig config = LearnerTestConfig.of();
        ReplayBuffer replay = buffer(config);
        for (int s = 0; s < 30; s++) {
            Transition.Builder t = Fixtures.transition(4, 2, s, s % 3 == 0 ? Source.DEMO : Source.ROLLOUT);
            if (s % 3 == 0) {
                t.clearPolicyChunk();
            }
            t.setTerminated(s == 29).setValidMask(15, s != 29).setInterventionMask(2, s % 2 == 0);
            insert(replay, config, t.build());
        }
        Batch batch = replay.newBatch(64);
        assertTrue(replay.trySample(batch, new SplittableRandom(4)));
        checkRows(batch);
        for (int r = 0; r < batch.size; r++) {
            int step = (int) batch.state[r * batch.stateDim + 2];
            assertEquals(step % 3 == 0 ? Source.DEMO.getNumber() : Source.ROLLOUT.getNumber(), batch.source[r]);
            assertEquals(step == 29 ? 1f : 0f, batch.terminated[r]);
            assertEquals(step == 29 ? 0f : 1f, batch.validMask[r * batch.horizon + 15]);
            assertEquals(step % 2 == 0 ? 1f : 0f, batch.interventionMask[r * batch.horizon + 2]);
            assertEquals(1f, batch.weight[r]);
            // A demonstration's policy action is its executed action.
            int chunk = batch.chunkSize();
            if (step % 3 == 0) {
                for (int i = 0; i < chunk; i++) {
                    assertEquals(batch.action[r * chunk + i], batch.policyAction[r * chunk + i]);
                }
            } else {
                assertEquals(0.001f + 1e-5f * step, batch.policyAction[r * chunk + 1], 1e-7f, "the policy's own chunk");
            }
        }
    }

    @Test
    void demonstrationBatchesHoldOnlyDemoAndInterventionRows() {
        LearnerConfig config = LearnerTestConfig.of();
        ReplayBuffer replay = buffer(config);
        Batch batch = replay.newBatch(128);
        SplittableRandom rng = new SplittableRandom(5);
        fill(replay, config, Source.ROLLOUT, 3, 2, 50);
        assertFalse(replay.sampleDemonstrations(batch, rng), "no demonstrations yet");
        fill(replay, config, Source.DEMO, 1, 1, 30);
        fill(replay, config, Source.INTERVENTION, 2, 1, 30);
        assertTrue(replay.sampleDemonstrations(batch, rng));
        int[] c = countBySource(batch);
        assertEquals(0, c[3]);
        assertEquals(64, c[1]);
        assertEquals(64, c[2]);
        checkRows(batch);
    }

    @Test
    void theMixCannotBeAllZero() {
        LearnerConfig config = LearnerTestConfig.of("tendon.replay.mix.demo", "0", "tendon.replay.mix.intervention", "0",
                "tendon.replay.mix.rollout", "0");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> buffer(config));
        assertTrue(e.getMessage().contains("tendon.replay.mix"), e.getMessage());
    }

    @Test
    void insertsAndSamplesRunConcurrentlyWithoutTornRows() throws Exception {
        LearnerConfig config = LearnerTestConfig.of("tendon.replay.capacity.rollout", "64",
                "tendon.replay.capacity.demo", "32");
        ReplayBuffer replay = buffer(config);
        fill(replay, config, Source.ROLLOUT, 3, 1, 64);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread inserter = new Thread(() -> {
            try {
                for (int e = 1; e < 400; e++) {
                    for (int s = 0; s < 20; s++) {
                        insert(replay, config, Fixtures.transition(e % 7, e, s, s % 4 == 0 ? Source.DEMO
                                : Source.ROLLOUT).build());
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        inserter.start();
        Batch batch = replay.newBatch(32);
        SplittableRandom rng = new SplittableRandom(6);
        int batches = 0;
        while (inserter.isAlive() || batches < 50) {
            assertTrue(replay.trySample(batch, rng));
            checkRows(batch);
            batches++;
        }
        inserter.join();
        assertEquals(null, failure.get());
        assertEquals(64, replay.size(Source.ROLLOUT));
        assertEquals(32, replay.size(Source.DEMO));
    }

    @Test
    void memoryPerTransitionIsTheRowArraysOnly() {
        LearnerConfig config = LearnerTestConfig.of(Map.of());
        ReplayBuffer replay = buffer(config);
        // Layout 1: (64 + 64 + 208 + 208 + 16) floats, then seq, step, episode/flags and 2 mask words.
        assertEquals(4 * 560 + 8 * 5, replay.bytesPerTransition());
        assertEquals(3000 * replay.bytesPerTransition(), replay.memoryBytes());
    }

    static int[] countBySource(Batch batch) {
        int[] c = new int[4];
        for (int r = 0; r < batch.size; r++) {
            c[batch.source[r]]++;
        }
        return c;
    }

    /** Every row's parts come from one fixture transition (see {@link Fixtures}). */
    static void checkRows(Batch b) {
        for (int r = 0; r < b.size; r++) {
            int s = r * b.stateDim;
            int robot = (int) b.state[s];
            int episode = (int) b.state[s + 1];
            long step = (long) b.state[s + 2];
            assertEquals(0f, b.state[s + 3], "s is the observation");
            assertEquals(robot, (int) b.nextState[s]);
            assertEquals(episode, (int) b.nextState[s + 1]);
            assertEquals(step, (long) b.nextState[s + 2]);
            assertEquals(0.5f, b.nextState[s + 3], "s' is the next observation");
            assertEquals(step + 0.25f, b.action[r * b.chunkSize() + 12], "the action of the same transition");
            assertEquals(Fixtures.signature(robot, episode, step), b.rewards[r * b.horizon], "rewards of the same transition");
        }
    }
}
