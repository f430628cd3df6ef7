package io.tendon.learner.algo;

import io.tendon.learner.policy.BasePolicy;
import io.tendon.learner.replay.Batch;
import java.util.SplittableRandom;

/** Small synthetic batches and a plain-Java base policy for algorithm tests. */
public final class TestBatches {

    private TestBatches() {
    }

    /** Random states, chunks, rewards; random masks with some early terminations and interventions. */
    public static Batch random(int rows, int stateDim, int horizon, int actionDim, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Batch b = new Batch(rows, stateDim, horizon, actionDim);
        b.size = rows;
        for (int i = 0; i < rows * stateDim; i++) {
            b.state[i] = (float) r.nextGaussian();
            b.nextState[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < rows * horizon * actionDim; i++) {
            b.action[i] = (float) r.nextGaussian();
            b.policyAction[i] = b.action[i];
        }
        for (int row = 0; row < rows; row++) {
            int valid = r.nextInt(4) == 0 ? 1 + r.nextInt(horizon) : horizon;
            for (int i = 0; i < horizon; i++) {
                b.rewards[row * horizon + i] = (float) r.nextGaussian();
                b.validMask[row * horizon + i] = i < valid ? 1f : 0f;
                b.interventionMask[row * horizon + i] = r.nextInt(3) == 0 ? 1f : 0f;
            }
            b.terminated[row] = valid < horizon ? 1f : 0f;
            b.weight[row] = (float) (0.5 + r.nextDouble());
        }
        return b;
    }

    /** a_base(s) = tanh(W s) with a fixed random W: deterministic, state-dependent, in Java. */
    public static BasePolicy linearPolicy(int stateDim, int chunkSize, long seed) {
        float[] w = new float[stateDim * chunkSize];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() / Math.sqrt(stateDim));
        }
        return new BasePolicy() {
            @Override
            public int stateDim() {
                return stateDim;
            }

            @Override
            public int chunkSize() {
                return chunkSize;
            }

            @Override
            public void act(float[] states, int rows, float[] out) {
                for (int row = 0; row < rows; row++) {
                    for (int j = 0; j < chunkSize; j++) {
                        double s = 0;
                        for (int i = 0; i < stateDim; i++) {
                            s += states[row * stateDim + i] * w[i * chunkSize + j];
                        }
                        out[row * chunkSize + j] = (float) Math.tanh(s);
                    }
                }
            }

            @Override
            public void close() {
            }
        };
    }
}
