package io.tendon.learner.algo;

import io.tendon.learner.nn.Tensors;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Chunked n-step targets with per-step masks (ALGORITHMS.md section 4):
 *
 * <pre>
 *   y = sum_{i&lt;H} gamma^i * m_i * r_i + gamma^H * (1 - d) * bootstrap(s')
 * </pre>
 *
 * With Q-chunking's per-step heads, head i scores the chunk from position i on, with the same
 * bootstrap at s':
 *
 * <pre>
 *   y_i = sum_{i&lt;=j&lt;H} gamma^(j-i) * m_j * r_j + gamma^(H-i) * (1 - d) * bootstrap(s')
 * </pre>
 *
 * so head 0 is the chunk value above. Both are one matrix product: {@code (r*m) U + (1-d) b V}
 * with {@code U[j][i] = gamma^(j-i)} for {@code j >= i} and {@code b_i = gamma^(H-i)}.
 */
public final class ChunkTargets {

    public final int horizon;
    public final int heads;
    public final double gamma;
    /** [H, heads]. */
    private final Tensor discount;
    /** [1, heads]. */
    private final Tensor bootstrapDiscount;

    /** Create outside any scope. */
    public ChunkTargets(int horizon, double gamma, boolean perStepHeads, Device device, ScalarType dtype) {
        this.horizon = horizon;
        this.heads = perStepHeads ? horizon : 1;
        this.gamma = gamma;
        float[] u = new float[horizon * heads];
        float[] b = new float[heads];
        for (int i = 0; i < heads; i++) {
            for (int j = i; j < horizon; j++) {
                u[j * heads + i] = (float) Math.pow(gamma, j - i);
            }
            b[i] = (float) Math.pow(gamma, horizon - i);
        }
        discount = Tensors.of(u, new long[] {horizon, heads}, device, dtype);
        bootstrapDiscount = Tensors.of(b, new long[] {1, heads}, device, dtype);
    }

    /**
     * y: rewards and mask {@code [B, H]}, terminated {@code [B, 1]}, bootstrap value at s'
     * {@code [B, 1]}, to {@code [B, heads]}.
     */
    public Tensor targets(Tensor rewards, Tensor validMask, Tensor terminated, Tensor bootstrap) {
        Tensor discounted = rewards.mul(validMask).matmul(discount);
        Tensor notDone = terminated.neg().add(new Scalar(1.0));
        return discounted.add(notDone.mul(bootstrap).mul(bootstrapDiscount));
    }

    /** Which (row, head) pairs count in the loss: m_i per head, or every row with one head. */
    public Tensor headMask(Tensor validMask) {
        return heads == 1 ? validMask.narrow(1, 0, 1).mul(new Scalar(0.0)).add(new Scalar(1.0)) : validMask;
    }
}
