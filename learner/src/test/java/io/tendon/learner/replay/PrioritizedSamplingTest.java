package io.tendon.learner.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.LearnerTestConfig;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.schemas.v1.Source;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Sum-tree sampling, importance weights, priority updates by Batch.slot, stale updates. */
class PrioritizedSamplingTest {

    private static LearnerConfig config(String capacity) {
        return LearnerTestConfig.of("tendon.replay.priority.enabled", "true", "tendon.replay.priority.alpha", "1",
                "tendon.replay.priority.beta", "1", "tendon.replay.priority.epsilon", "1e-9",
                "tendon.replay.capacity.rollout", capacity, "tendon.replay.mix.demo", "0",
                "tendon.replay.mix.intervention", "0");
    }

    @Test
    void rowsAreDrawnInProportionToTheirPriorityAndWeightedBack() {
        LearnerConfig config = config("100");
        ReplayBuffer replay = ReplayBufferTest.buffer(config);
        ReplayBufferTest.fill(replay, config, Source.ROLLOUT, 1, 1, 4);
        Batch batch = replay.newBatch(4);
        SplittableRandom rng = new SplittableRandom(11);
        // Give step s the priority s + 1 (|td| = s + 1, alpha 1): P = (s + 1) / 10.
        assertTrue(replay.trySample(batch, rng));
        float[] td = new float[batch.size];
        for (int r = 0; r < batch.size; r++) {
            td[r] = batch.state[r * batch.stateDim + 2] + 1;
        }
        replay.updatePriorities(batch, td);
        // Rows never sampled keep the max priority seen so far (4): make sure all four are set.
        int[] seen = new int[4];
        for (int i = 0; i < 200 && (seen[0] == 0 || seen[1] == 0 || seen[2] == 0 || seen[3] == 0); i++) {
            assertTrue(replay.trySample(batch, rng));
            for (int r = 0; r < batch.size; r++) {
                int s = (int) batch.state[r * batch.stateDim + 2];
                td[r] = s + 1;
                seen[s]++;
            }
            replay.updatePriorities(batch, td);
        }
        long[] counts = new long[4];
        int draws = 0;
        for (int i = 0; i < 5000; i++) {
            assertTrue(replay.trySample(batch, rng));
            for (int r = 0; r < batch.size; r++) {
                int s = (int) batch.state[r * batch.stateDim + 2];
                counts[s]++;
                draws++;
                // beta 1: weight = (N P)^-1 / max over the batch, i.e. proportional to 1 / (s + 1).
                float expectedRatio = 1f / (s + 1);
                float maxInBatch = 0;
                for (int q = 0; q < batch.size; q++) {
                    maxInBatch = Math.max(maxInBatch, 1f / (batch.state[q * batch.stateDim + 2] + 1));
                }
                assertEquals(expectedRatio / maxInBatch, batch.weight[r], 1e-4f);
            }
        }
        for (int s = 0; s < 4; s++) {
            double p = (s + 1) / 10.0;
            double share = (double) counts[s] / draws;
            assertEquals(p, share, 5 * Math.sqrt(p * (1 - p) / draws), "step " + s);
        }
    }

    @Test
    void anUpdateForARowEvictedSinceSamplingIsIgnored() {
        LearnerConfig config = config("4");
        ReplayBuffer replay = ReplayBufferTest.buffer(config);
        ReplayBufferTest.fill(replay, config, Source.ROLLOUT, 1, 1, 4);
        Batch batch = replay.newBatch(4);
        SplittableRandom rng = new SplittableRandom(12);
        assertTrue(replay.trySample(batch, rng));
        long[] slots = batch.slot.clone();
        // Four new rows evict all four sampled ones and reuse their slots.
        ReplayBufferTest.fill(replay, config, Source.ROLLOUT, 2, 1, 4);
        float[] huge = {1e6f, 1e6f, 1e6f, 1e6f};
        replay.updatePriorities(slots, huge, 4);
        // The new rows still have equal priority: a huge stale update would have skewed this.
        long[] counts = new long[4];
        for (int i = 0; i < 2000; i++) {
            assertTrue(replay.trySample(batch, rng));
            for (int r = 0; r < batch.size; r++) {
                counts[(int) batch.state[r * batch.stateDim + 2]]++;
            }
        }
        for (int s = 0; s < 4; s++) {
            assertEquals(0.25, counts[s] / 8000.0, 0.03, "step " + s);
        }
    }
}
