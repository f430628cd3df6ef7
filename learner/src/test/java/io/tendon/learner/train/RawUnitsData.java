package io.tendon.learner.train;

import io.tendon.learner.replay.Batch;
import io.tendon.schemas.v1.Source;
import java.util.SplittableRandom;

/**
 * Demonstrations in the units a robot sends (layout 1): latent ~ N(0, 1); proprio a TCP pose
 * near 0.5 m (spread 5 cm) and a small twist; wrench around 20 N (spread 10 N); action rows a
 * pose near 0.4 m (spread 5 cm, following the state) and a stiffness near 1000 N/m (spread 100,
 * following the state). Every chunk is whole and terminal, reward 0.
 */
public final class RawUnitsData implements TrainingData {

    private final SplittableRandom random;
    private final long demos;

    public RawUnitsData(long seed, long demos) {
        this.random = new SplittableRandom(seed);
        this.demos = demos;
    }

    /** One raw state row of the layout (latent 40, proprio 12, wrench 12). */
    public static void state(SplittableRandom r, float[] into, int at) {
        for (int i = 0; i < 40; i++) {
            into[at + i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < 6; i++) {
            into[at + 40 + i] = (float) (0.5 + 0.05 * r.nextGaussian());
            into[at + 46 + i] = (float) (0.01 * r.nextGaussian());
        }
        for (int i = 0; i < 12; i++) {
            into[at + 52 + i] = (float) (20 + 10 * r.nextGaussian());
        }
    }

    private boolean fill(Batch b) {
        int s = b.stateDim;
        int h = b.horizon;
        int a = b.actionDim;
        for (int row = 0; row < b.capacity; row++) {
            state(random, b.state, row * s);
            state(random, b.nextState, row * s);
            double feature = Math.tanh(b.state[row * s] + (b.state[row * s + 40] - 0.5) / 0.05);
            for (int step = 0; step < h; step++) {
                for (int j = 0; j < a; j++) {
                    int at = (row * h + step) * a + j;
                    b.action[at] = j == a - 1 ? (float) (1000 + 100 * feature + 5 * random.nextGaussian())
                            : (float) (0.4 + 0.05 * feature * Math.cos(j) + 0.002 * random.nextGaussian());
                    b.policyAction[at] = b.action[at];
                }
                b.rewards[row * h + step] = 0f;
                b.validMask[row * h + step] = 1f;
                b.interventionMask[row * h + step] = 0f;
            }
            b.terminated[row] = 1f;
            b.truncated[row] = 0f;
            b.weight[row] = 1f;
            b.source[row] = (byte) Source.DEMO_VALUE;
        }
        b.size = b.capacity;
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
        return source == Source.DEMO ? demos : 0;
    }
}
