package io.tendon.learner.train;

import io.tendon.learner.replay.Batch;
import io.tendon.schemas.v1.Source;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Synthetic replay for trainer tests: states ~ N(0, 1), chunks = tanh of a fixed linear map of
 * the state plus noise, reward per step -|mean chunk - 0.5|, some early terminations. DEMO rows
 * for BC, mixed rows for the critic.
 */
public final class SyntheticData implements TrainingData {

    private final SplittableRandom random;
    private final Map<String, Long> offsets;
    public long sampled;

    public SyntheticData(long seed, Map<String, Long> offsets) {
        this.random = new SplittableRandom(seed);
        this.offsets = offsets;
    }

    private boolean fill(Batch b) {
        int s = b.stateDim;
        int h = b.horizon;
        int c = b.chunkSize();
        for (int row = 0; row < b.capacity; row++) {
            double mean = 0;
            for (int i = 0; i < s; i++) {
                b.state[row * s + i] = (float) random.nextGaussian();
                b.nextState[row * s + i] = (float) random.nextGaussian();
            }
            for (int j = 0; j < c; j++) {
                float a = (float) Math.tanh(0.3 * b.state[row * s + (j % s)] + 0.2 * random.nextGaussian());
                b.action[row * c + j] = a;
                b.policyAction[row * c + j] = a;
                mean += a;
            }
            mean /= c;
            int valid = random.nextInt(8) == 0 ? 1 + random.nextInt(h) : h;
            for (int i = 0; i < h; i++) {
                b.validMask[row * h + i] = i < valid ? 1f : 0f;
                b.rewards[row * h + i] = i < valid ? (float) -Math.abs(mean - 0.5) : 0f;
                b.interventionMask[row * h + i] = 0f;
            }
            b.terminated[row] = valid < h ? 1f : 0f;
            b.truncated[row] = 0f;
            b.weight[row] = 1f;
            b.source[row] = (byte) Source.DEMO_VALUE;
        }
        b.size = b.capacity;
        sampled += b.size;
        return true;
    }

    @Override
    public BatchSource replay() {
        return this::fill;
    }

    @Override
    public BatchSource demonstrations() {
        return this::fill;
    }

    @Override
    public long size(Source source) {
        return source == Source.DEMO ? 1000 : 10;
    }

    @Override
    public Map<String, Long> consumerOffsets() {
        return offsets;
    }
}
