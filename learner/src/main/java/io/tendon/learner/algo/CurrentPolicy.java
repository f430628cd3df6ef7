package io.tendon.learner.algo;

import static org.bytedeco.pytorch.global.torch.randn;

import io.tendon.learner.nn.HostTensor;
import io.tendon.learner.policy.BasePolicy;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * pi_current = the frozen base policy plus the residual:
 * {@code a = a_base(s) + lambda_t * res(s, a_base(s))} (+ optional Gaussian sampling noise for
 * a deterministic head). The base runs through ONNX Runtime in one batch for all rows and
 * samples; the residual runs in LibTorch. Everything here is evaluated without gradients.
 */
public final class CurrentPolicy {

    private volatile BasePolicy base;
    private final BoraResidual residual;
    private final double noiseStd;
    private final int stateDim;
    private final int chunkSize;
    private final int maxRows;
    private final float[] repeatedStates;
    private final float[] baseChunks;
    private final HostTensor baseTensor;

    /**
     * @param maxRows the most rows times samples one call may ask for
     */
    public CurrentPolicy(BasePolicy base, BoraResidual residual, double noiseStd, int stateDim, int chunkSize,
            int maxRows) {
        this.base = base;
        this.residual = residual;
        this.noiseStd = noiseStd;
        this.stateDim = stateDim;
        this.chunkSize = chunkSize;
        this.maxRows = maxRows;
        repeatedStates = new float[maxRows * stateDim];
        baseChunks = new float[maxRows * chunkSize];
        baseTensor = new HostTensor(maxRows, chunkSize);
    }

    public boolean hasBase() {
        return base != null;
    }

    public BasePolicy basePolicy() {
        return base;
    }

    /** Replaces the frozen base (after BC warm-up); the caller closes the old one. */
    public void setBase(BasePolicy newBase) {
        if (newBase.stateDim() != stateDim || newBase.chunkSize() != chunkSize) {
            throw new IllegalArgumentException("base policy maps " + newBase.stateDim() + " -> " + newBase.chunkSize()
                    + ", the learner needs " + stateDim + " -> " + chunkSize);
        }
        this.base = newBase;
    }

    /** a_base for {@code rows} host state rows: {@code [rows, H*A]} on the batch's device and dtype. */
    public Tensor base(float[] states, int rows, BatchTensors like) {
        return runBase(states, rows, 1, like);
    }

    /**
     * {@code m} samples {@code a_j ~ pi_current(s)} for each of {@code rows} states:
     * {@code [m, rows, H*A]}. {@code stateTensor} is the same states as a {@code [rows, S]} tensor.
     */
    public Tensor sample(float[] states, int rows, Tensor stateTensor, int m, BatchTensors like) {
        try (NoGradGuard guard = new NoGradGuard()) {
            Tensor aBase = runBase(states, rows, m, like);
            Tensor repeatedState = m == 1 ? stateTensor : stateTensor.repeat(m, 1);
            Tensor a = residual.act(repeatedState, aBase);
            if (noiseStd > 0) {
                TensorOptions options = new TensorOptions(like.dtype()).device(new DeviceOptional(like.device()));
                a = a.add(randn(new long[] {(long) m * rows, chunkSize}, options).mul(new Scalar(noiseStd)));
            }
            return a.view(m, rows, chunkSize);
        }
    }

    private Tensor runBase(float[] states, int rows, int m, BatchTensors like) {
        if (base == null) {
            throw new IllegalStateException("no base policy: configure tendon.policy.bundle-dir or run BC_WARMUP first");
        }
        int total = rows * m;
        if (total > maxRows) {
            throw new IllegalArgumentException(total + " policy rows exceed the buffer of " + maxRows);
        }
        float[] input = states;
        if (m > 1) {
            for (int j = 0; j < m; j++) {
                System.arraycopy(states, 0, repeatedStates, j * rows * stateDim, rows * stateDim);
            }
            input = repeatedStates;
        }
        base.act(input, total, baseChunks);
        baseTensor.put(baseChunks, total);
        return baseTensor.rows(total, like.device(), like.dtype()).clone();
    }
}
