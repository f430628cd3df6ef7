package io.tendon.learner.algo;

import io.tendon.learner.nn.Tensors;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Chunked n-step targets with per-step masks (ALGORITHMS.md sections 4 and 8). A chunk with
 * {@code n = sum_i m_i} valid steps (n &lt; H when the episode ended inside it) bootstraps from
 * the state after its last valid step, which is what the edge sends as {@code s'}:
 *
 * <pre>
 *   y = sum_{i&lt;n} gamma^i * r_i + gamma^n * (1 - d) * bootstrap(s')
 * </pre>
 *
 * {@code d = 1} only for a real termination; a time-out (truncated) chunk bootstraps with
 * {@code gamma^n}. With Q-chunking's per-step heads, head i scores the chunk from position i
 * on, with the same bootstrap at s':
 *
 * <pre>
 *   y_i = sum_{i&lt;=j&lt;n} gamma^(j-i) * r_j + gamma^(n-i) * (1 - d) * bootstrap(s')
 * </pre>
 *
 * so head 0 is the chunk value above. The reward part is one matrix product {@code (r*m) U}
 * with {@code U[j][i] = gamma^(j-i)} for {@code j >= i}; the bootstrap discount is
 * {@code exp((n - i) ln gamma)} per row.
 */
public final class ChunkTargets {

    public final int horizon;
    public final int heads;
    public final double gamma;
    /** [H, heads]. */
    private final Tensor discount;
    /** Head index i: [1, heads]. */
    private final Tensor headIndex;
    private final double logGamma;

    /** Create outside any scope. */
    public ChunkTargets(int horizon, double gamma, boolean perStepHeads, Device device, ScalarType dtype) {
        this.horizon = horizon;
        this.heads = perStepHeads ? horizon : 1;
        this.gamma = gamma;
        float[] u = new float[horizon * heads];
        float[] idx = new float[heads];
        for (int i = 0; i < heads; i++) {
            for (int j = i; j < horizon; j++) {
                u[j * heads + i] = (float) Math.pow(gamma, j - i);
            }
            idx[i] = i;
        }
        discount = Tensors.of(u, new long[] {horizon, heads}, device, dtype);
        headIndex = Tensors.of(idx, new long[] {1, heads}, device, dtype);
        logGamma = Math.log(gamma);
    }

    /**
     * y: rewards and mask {@code [B, H]}, terminated {@code [B, 1]}, bootstrap value at s'
     * {@code [B, 1]}, to {@code [B, heads]}.
     */
    public Tensor targets(Tensor rewards, Tensor validMask, Tensor terminated, Tensor bootstrap) {
        Tensor discounted = rewards.mul(validMask).matmul(discount);
        Tensor notDone = terminated.neg().add(new Scalar(1.0));
        return discounted.add(notDone.mul(bootstrap).mul(bootstrapDiscount(validMask)));
    }

    /** gamma^(n - i) per row and head, n = valid steps of the row: {@code [B, heads]}. */
    public Tensor bootstrapDiscount(Tensor validMask) {
        Tensor n = validMask.sum(new long[] {1}, true, new ScalarTypeOptional());
        return n.sub(headIndex).clamp_min(new Scalar(0.0)).mul(new Scalar(logGamma)).exp();
    }

    /** Which (row, head) pairs count in the loss: m_i per head, or every row with one head. */
    public Tensor headMask(Tensor validMask) {
        return heads == 1 ? validMask.narrow(1, 0, 1).mul(new Scalar(0.0)).add(new Scalar(1.0)) : validMask;
    }
}
