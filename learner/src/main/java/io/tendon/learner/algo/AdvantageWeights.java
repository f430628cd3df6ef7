package io.tendon.learner.algo;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * ALOE's value of the current policy and advantage-weighted chunks (ALGORITHMS.md section 4):
 *
 * <pre>
 *   V(s) = mean_{j&lt;M} min_k Q_k(s, a_j),   a_j ~ pi_current(s)   (M = 1 when pi_current has no noise)
 *   A    = Q(s, a) - V(s)                   (Q = min_k Q_k, of the whole chunk)
 *   w    = min(exp(beta * A), w_max)        (EXP)   or   1[A &gt; 0]   (FILTER)
 * </pre>
 *
 * A chunk whose value beats V(s) gets a high weight, as a whole chunk.
 */
public final class AdvantageWeights {

    public enum Mode {
        EXP,
        FILTER
    }

    private final int samples;
    private final Mode mode;
    private final double beta;
    private final double maxWeight;

    public AdvantageWeights(int samples, Mode mode, double beta, double maxWeight) {
        if (samples < 1) {
            throw new IllegalArgumentException("M must be at least 1, was " + samples);
        }
        this.samples = samples;
        this.mode = mode;
        this.beta = beta;
        this.maxWeight = maxWeight;
    }

    public int samples() {
        return samples;
    }

    /** V(s) averaged over M chunks of the current policy: {@code [B, 1]}. */
    public Tensor value(BatchTensors b, CurrentPolicy policy, QFunction q) {
        try (NoGradGuard guard = new NoGradGuard()) {
            Tensor state = b.state();
            // A deterministic policy gives M equal chunks: one evaluation is the same average.
            int m = policy.deterministic() ? 1 : samples;
            Tensor sampled = policy.sample(b, CurrentPolicy.At.STATE, m);
            Tensor qs = q.minQ(m == 1 ? state : state.repeat(m, 1), sampled.reshape((long) m * b.rows(), b.chunkSize()));
            return qs.view(m, b.rows()).mean(new long[] {0}, false, new ScalarTypeOptional())
                    .unsqueeze(1);
        }
    }

    /** A = Q(s, a) - V(s) for the batch's chunks: {@code [B, 1]}. */
    public Tensor advantage(BatchTensors b, CurrentPolicy policy, QFunction q) {
        try (NoGradGuard guard = new NoGradGuard()) {
            return q.minQ(b.state(), b.action()).sub(value(b, policy, q));
        }
    }

    /** The weight of each chunk from its advantage {@code [B, 1]}. */
    public Tensor weights(Tensor advantage) {
        if (mode == Mode.FILTER) {
            return advantage.gt(new Scalar(0.0)).to(advantage.scalar_type());
        }
        return advantage.mul(new Scalar(beta)).exp().clamp_max(new Scalar(maxWeight));
    }
}
