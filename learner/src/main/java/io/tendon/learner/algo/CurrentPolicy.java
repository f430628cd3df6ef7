package io.tendon.learner.algo;

import static org.bytedeco.pytorch.global.torch.randn;

import io.tendon.learner.nn.HostTensor;
import io.tendon.learner.policy.BasePolicy;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;

/**
 * pi_current, in training {@link Units}: the base chunk plus the residual, clamped to the action
 * bounds the edge clamps to (ALGORITHMS.md section 8):
 *
 * <pre>
 *   a = clip(a_base(s) + lambda_t * res(s, a_base(s)), lower, upper)   (+ optional exploration noise, clipped again)
 * </pre>
 *
 * The base is a frozen graph run by ONNX Runtime (the bundle's head, or the BC-trained head once
 * it became the base), which takes and gives its own units and is converted here; or the live
 * head network being improved (ALOE's advantage-weighted stage), run in LibTorch on normalised
 * states; or, for a base the learner cannot run (a FLOW or TWO_RATE bundle), the base chunks
 * the robots sent with each transition (M sampled at s, M at s'), which the batch carries.
 * Everything here is evaluated without gradients.
 */
public final class CurrentPolicy {

    /** What the base chunk comes from. */
    public enum BaseKind {
        /** A frozen graph run by ONNX Runtime. */
        GRAPH,
        /** The head network being trained (its current weights). */
        LIVE_HEAD,
        /** The base chunks the robots sent with the transitions (the learner never runs the base). */
        SAMPLES
    }

    /** Where in a transition the policy acts: at s, or at s'. */
    public enum At {
        STATE,
        NEXT_STATE
    }

    private volatile BasePolicy base;
    private final BoraResidual residual;
    private final double noiseStd;
    private final int stateDim;
    private final int chunkSize;
    private final int maxRows;
    private final float[] repeatedStates;
    private final float[] graphStates;
    private final float[] baseChunks;
    private final float[] normalisedStates;
    private final HostTensor baseTensor;
    private final HostTensor stateTensor;
    private Units units;
    private BaseKind kind = BaseKind.GRAPH;
    /** The base for GRAPH stages: SAMPLES when the robots send base chunks, else GRAPH. */
    private BaseKind frozenKind = BaseKind.GRAPH;
    private int baseSamples;
    private BcWarmup liveHead;
    private boolean residualApplied = true;
    private Tensor lower;
    private Tensor upper;

    /**
     * @param noiseStd std of the Gaussian noise added to sampled chunks (training units); 0 makes
     *                 the policy deterministic, and then M samples of it are one evaluation
     * @param maxRows  the most rows times samples one call may ask for
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
        graphStates = new float[maxRows * stateDim];
        baseChunks = new float[maxRows * chunkSize];
        normalisedStates = new float[maxRows * stateDim];
        baseTensor = new HostTensor(maxRows, chunkSize);
        stateTensor = new HostTensor(maxRows, stateDim);
    }

    /** The units the policy's outputs are in (identity until set); the same as the batches'. */
    public void setUnits(Units u) {
        this.units = u;
    }

    /**
     * Clamps every chunk to these per-entry bounds (training units, length H*A each), created
     * outside any scope; null for none.
     */
    public void setBounds(Tensor lowerBound, Tensor upperBound) {
        this.lower = lowerBound;
        this.upper = upperBound;
    }

    /**
     * The base chunk comes from the live head network (ALOE's head stage), with the residual on
     * top when {@code withResidual} (head and residual alternating).
     */
    public void useLiveHead(BcWarmup head, boolean withResidual) {
        this.liveHead = head;
        this.kind = BaseKind.LIVE_HEAD;
        this.residualApplied = withResidual;
    }

    /** The base chunk comes from the frozen base (graph or robots' samples), with the residual on top (BORA's stage). */
    public void useGraphBase() {
        this.kind = frozenKind;
        this.residualApplied = true;
    }

    /**
     * The frozen base is the robots': each batch carries {@code m} base chunks at s and {@code m}
     * at s' (the bundle's base_samples_per_transition), and the learner never runs a base graph.
     */
    public void useBaseSamples(int m) {
        if (m < 1) {
            throw new IllegalArgumentException("base samples per transition must be at least 1, was " + m);
        }
        this.baseSamples = m;
        this.frozenKind = BaseKind.SAMPLES;
        if (kind == BaseKind.GRAPH) {
            kind = BaseKind.SAMPLES;
        }
    }

    public BaseKind baseKind() {
        return kind;
    }

    public boolean hasBase() {
        return switch (kind) {
            case LIVE_HEAD -> liveHead != null;
            case SAMPLES -> true;
            case GRAPH -> base != null;
        };
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

    /**
     * a_base for {@code rows} raw host state rows: {@code [rows, H*A]}, training units, batch's
     * device and dtype. Not for a base the learner does not run ({@link BaseKind#SAMPLES}).
     */
    public Tensor base(float[] states, int rows, BatchTensors like) {
        return runBase(states, rows, 1, like);
    }

    /** a_base at s or s' of the loaded batch: {@code [B, H*A]}, training units (the first sample when the robots sent M). */
    public Tensor base(BatchTensors b, At at) {
        if (kind == BaseKind.SAMPLES) {
            return b.baseChunks(at == At.NEXT_STATE).select(0, 0);
        }
        return runBase(at == At.STATE ? b.batch().state : b.batch().nextState, b.rows(), 1, b);
    }

    /**
     * {@code m} samples {@code a_j ~ pi_current} at s or s' of the loaded batch:
     * {@code [m, B, H*A]} (see {@link #sample(float[], int, Tensor, int, BatchTensors)}). With
     * the robots' base chunks, sample j takes their chunk j mod M.
     */
    public Tensor sample(BatchTensors b, At at, int m) {
        boolean next = at == At.NEXT_STATE;
        Tensor states = next ? b.nextState() : b.state();
        if (kind != BaseKind.SAMPLES) {
            return sample(next ? b.batch().nextState : b.batch().state, b.rows(), states, m, b);
        }
        try (NoGradGuard guard = new NoGradGuard()) {
            int rows = b.rows();
            Tensor sent = b.baseChunks(next);
            int distinct = deterministic() ? 1 : m;
            Tensor aBase = sent.narrow(0, 0, Math.min(distinct, baseSamples));
            if (distinct > baseSamples) {
                aBase = aBase.repeat((distinct + baseSamples - 1) / baseSamples, 1, 1).narrow(0, 0, distinct);
            }
            Tensor flat = aBase.reshape((long) distinct * rows, chunkSize);
            Tensor a = finalChunk(distinct == 1 ? states : states.repeat(distinct, 1), flat);
            if (noiseStd > 0) {
                TensorOptions options = new TensorOptions(b.dtype()).device(new DeviceOptional(b.device()));
                a = clamp(a.add(randn(new long[] {(long) distinct * rows, chunkSize}, options).mul(new Scalar(noiseStd))));
            }
            a = a.view(distinct, rows, chunkSize);
            return distinct == m ? a : a.expand(m, rows, chunkSize);
        }
    }

    /** The final chunk for a base chunk: {@code clip(a_base + lambda_t * res(s, a_base))}. */
    public Tensor finalChunk(Tensor state, Tensor aBase) {
        return residualApplied ? residual.act(state, aBase) : clamp(aBase);
    }

    /** Clamps to the bounds (no-op without bounds). */
    public Tensor clamp(Tensor a) {
        if (lower == null) {
            return a;
        }
        return a.max(lower).min(upper);
    }

    /**
     * {@code m} samples {@code a_j ~ pi_current(s)} for each of {@code rows} states:
     * {@code [m, rows, H*A]}. {@code states} are the raw host rows, {@code stateTensor} the same
     * states in training units as {@code [rows, S]}. Without noise the policy is evaluated once
     * and the result repeated (a view).
     */
    public Tensor sample(float[] states, int rows, Tensor stateTensor, int m, BatchTensors like) {
        try (NoGradGuard guard = new NoGradGuard()) {
            if (noiseStd <= 0) {
                Tensor a = finalChunk(stateTensor, runBase(states, rows, 1, like));
                return a.unsqueeze(0).expand(m, rows, chunkSize);
            }
            Tensor aBase = runBase(states, rows, m, like);
            Tensor repeatedState = m == 1 ? stateTensor : stateTensor.repeat(m, 1);
            Tensor a = finalChunk(repeatedState, aBase);
            TensorOptions options = new TensorOptions(like.dtype()).device(new DeviceOptional(like.device()));
            a = clamp(a.add(randn(new long[] {(long) m * rows, chunkSize}, options).mul(new Scalar(noiseStd))));
            return a.view(m, rows, chunkSize);
        }
    }

    private Tensor runBase(float[] states, int rows, int m, BatchTensors like) {
        if (kind == BaseKind.SAMPLES) {
            throw new IllegalStateException("the base runs on the robots (base_samples_per_transition "
                    + baseSamples + "): the learner has its chunks only for the states of a batch");
        }
        if (!hasBase()) {
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
        Units u = units != null ? units : like.units();
        if (kind == BaseKind.LIVE_HEAD) {
            try (NoGradGuard guard = new NoGradGuard()) {
                u.normaliseStates(input, total, normalisedStates);
                stateTensor.put(normalisedStates, total);
                return liveHead.act(stateTensor.rows(total, like.device(), like.dtype())).clone();
            }
        }
        u.toGraphStates(input, total, graphStates);
        base.act(graphStates, total, baseChunks);
        u.fromGraphChunks(baseChunks, total, baseChunks);
        baseTensor.put(baseChunks, total);
        return baseTensor.rows(total, like.device(), like.dtype()).clone();
    }

    /** The residual's lambda_t when it is applied, 0 otherwise. */
    public double residualLambda() {
        return residualApplied ? residual.lambdaNow() : 0;
    }

    /**
     * True when every sample at a state is the same chunk: no noise, and a base that is run here
     * or sends one chunk per state (M = 1). Then V(s) evaluates the policy once instead of M times.
     */
    public boolean deterministic() {
        return noiseStd <= 0 && (kind != BaseKind.SAMPLES || baseSamples == 1);
    }

    /** M when the base chunks come from the robots, else 0. */
    public int baseSamples() {
        return kind == BaseKind.SAMPLES ? baseSamples : 0;
    }
}
