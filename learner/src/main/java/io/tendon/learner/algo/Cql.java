package io.tendon.learner.algo;

import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.logsumexp;
import static org.bytedeco.pytorch.global.torch.rand;

import io.tendon.learner.nn.Tensors;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;

/**
 * Conservative Q-learning (ALGORITHMS.md section 6), optional:
 *
 * <pre>
 *   L_Q += alpha * (logsumexp_a Q(s, a) - Q(s, a_data))
 * </pre>
 *
 * The log-sum-exp over actions is estimated from N sampled chunks per state, policy samples
 * from pi_current and uniform samples within the action bounds, as
 * {@code logsumexp_j Q(s, a_j) - log N} (a soft maximum that equals Q when all samples agree).
 * Applied to every ensemble member on the chunk value (head 0), averaged over members and rows.
 */
public final class Cql {

    public final double alpha;
    public final int policySamples;
    public final int uniformSamples;
    private final org.bytedeco.pytorch.Device device;
    private final org.bytedeco.pytorch.global.torch.ScalarType dtype;
    /** Per chunk entry: [1, 1, H*A]. */
    private Tensor low;
    private Tensor span;

    /**
     * @param lowerBound lower bound of one action row (length A)
     * @param upperBound upper bound of one action row (length A)
     */
    public Cql(double alpha, int policySamples, int uniformSamples, float[] lowerBound, float[] upperBound, int horizon,
            org.bytedeco.pytorch.Device device, org.bytedeco.pytorch.global.torch.ScalarType dtype) {
        if (alpha > 0 && policySamples + uniformSamples < 1) {
            throw new IllegalArgumentException("CQL needs at least one sampled chunk per state");
        }
        this.alpha = alpha;
        this.policySamples = policySamples;
        this.uniformSamples = uniformSamples;
        this.device = device;
        this.dtype = dtype;
        int a = lowerBound.length;
        float[] lo = new float[horizon * a];
        float[] hi = new float[horizon * a];
        for (int i = 0; i < horizon; i++) {
            System.arraycopy(lowerBound, 0, lo, i * a, a);
            System.arraycopy(upperBound, 0, hi, i * a, a);
        }
        setChunkBounds(lo, hi);
    }

    /**
     * Uniform samples from now on lie within these per-entry bounds (H x A each, training units:
     * the action bounds normalised once the units are known). Create outside any scope.
     */
    public void setChunkBounds(float[] lower, float[] upper) {
        float[] sp = new float[lower.length];
        for (int i = 0; i < sp.length; i++) {
            sp[i] = upper[i] - lower[i];
        }
        low = Tensors.of(lower, new long[] {1, 1, lower.length}, device, dtype);
        span = Tensors.of(sp, new long[] {1, 1, sp.length}, device, dtype);
    }

    public boolean enabled() {
        return alpha > 0;
    }

    /**
     * The N = policy + uniform chunks per state: {@code [N, B, H*A]}, without gradients. Before
     * a base policy exists (offline critic without a bundle) only the uniform samples are drawn;
     * null when that leaves none.
     */
    public Tensor sampleActions(BatchTensors b, CurrentPolicy policy) {
        boolean fromPolicy = policySamples > 0 && policy.hasBase();
        if (!fromPolicy && uniformSamples == 0) {
            return null;
        }
        try (NoGradGuard guard = new NoGradGuard()) {
            TensorVector parts = new TensorVector();
            if (fromPolicy) {
                parts.push_back(policy.sample(b, CurrentPolicy.At.STATE, policySamples));
            }
            if (uniformSamples > 0) {
                TensorOptions options = new TensorOptions(b.dtype()).device(new DeviceOptional(b.device()));
                Tensor u = rand(new long[] {uniformSamples, b.rows(), b.chunkSize()}, options);
                parts.push_back(u.mul(span).add(low));
            }
            return cat(parts, 0);
        }
    }

    /**
     * alpha * mean_k mean_b (logsumexp_j Q_k(s, a_j) - log N - Q_k(s, a_data)); {@code qData} is
     * the members' chunk values at the data chunk ({@code [K, B]}), {@code sampled} {@code [N, B, H*A]}.
     */
    public Tensor penalty(CriticEnsemble critic, Tensor state, Tensor qData, Tensor sampled) {
        long n = sampled.size(0);
        long rows = state.size(0);
        Tensor states = state.repeat(n, 1);
        Tensor q = CriticEnsemble.chunkValue(critic.q(states, sampled.reshape(n * rows, sampled.size(2))))
                .view(critic.members(), n, rows);
        Tensor softMax = logsumexp(q, new long[] {1}, false).sub(new Scalar(Math.log(n)));
        return softMax.sub(qData).mean().mul(new Scalar(alpha));
    }
}
