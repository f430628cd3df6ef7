package io.tendon.learner.algo;

import io.tendon.learner.nn.HostTensor;
import io.tendon.learner.replay.Batch;
import io.tendon.schemas.v1.Source;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A sampled {@link Batch} as tensors in training {@link Units} (states and chunks normalised,
 * rewards raw): the arrays are copied once per step into long-lived host buffers, and each accessor returns a view (or device copy) that belongs to the caller's
 * {@code PointerScope}. Per-row quantities are {@code [B, 1]}.
 */
public final class BatchTensors {

    public final int capacity;
    public final int stateDim;
    public final int horizon;
    public final int actionDim;
    private final Device device;
    private final ScalarType dtype;
    private final HostTensor state;
    private final HostTensor action;
    private final HostTensor rewards;
    private final HostTensor validMask;
    private final HostTensor interventionMask;
    private final HostTensor nextState;
    private final HostTensor terminated;
    private final HostTensor weight;
    private final HostTensor cloneMask;
    /** M base chunks at s then M at s' per row, training units: [capacity, 2M*H*A] (null when M = 0). */
    private final HostTensor baseChunks;
    public final int baseSamples;
    private final float[] scratchBase;
    private final float[] scratchState;
    private final float[] scratchNext;
    private final float[] scratchAction;
    private final float[] scratchClone;
    private Units units;
    private Batch batch;

    public BatchTensors(int capacity, int stateDim, int horizon, int actionDim, Device device, ScalarType dtype) {
        this(capacity, stateDim, horizon, actionDim, 0, device, dtype);
    }

    /** @param baseSamples M: base-policy chunks per row at s and at s' that batches carry (0: none) */
    public BatchTensors(int capacity, int stateDim, int horizon, int actionDim, int baseSamples, Device device,
            ScalarType dtype) {
        this.capacity = capacity;
        this.baseSamples = baseSamples;
        baseChunks = baseSamples > 0 ? new HostTensor(capacity, 2 * baseSamples * horizon * actionDim) : null;
        scratchBase = new float[capacity * 2 * baseSamples * horizon * actionDim];
        this.stateDim = stateDim;
        this.horizon = horizon;
        this.actionDim = actionDim;
        this.device = device;
        this.dtype = dtype;
        state = new HostTensor(capacity, stateDim);
        action = new HostTensor(capacity, horizon * actionDim);
        rewards = new HostTensor(capacity, horizon);
        validMask = new HostTensor(capacity, horizon);
        interventionMask = new HostTensor(capacity, horizon);
        nextState = new HostTensor(capacity, stateDim);
        terminated = new HostTensor(capacity, 1);
        weight = new HostTensor(capacity, 1);
        cloneMask = new HostTensor(capacity, horizon);
        scratchState = new float[capacity * stateDim];
        scratchNext = new float[capacity * stateDim];
        scratchAction = new float[capacity * horizon * actionDim];
        scratchClone = new float[capacity * horizon];
        units = Units.identity(stateDim, horizon, actionDim);
    }

    /** The units states and chunks are normalised into on {@link #load} (identity until set). */
    public void setUnits(Units u) {
        if (u.stateDim != stateDim || u.actionDim != actionDim || u.horizon != horizon) {
            throw new IllegalArgumentException("units for " + u.stateDim + "/" + u.horizon + "x" + u.actionDim
                    + ", batches are " + stateDim + "/" + horizon + "x" + actionDim);
        }
        this.units = u;
    }

    public Units units() {
        return units;
    }

    /** Copies a freshly sampled batch in (its shape must match). */
    public void load(Batch b) {
        if (b.stateDim != stateDim || b.horizon != horizon || b.actionDim != actionDim) {
            throw new IllegalArgumentException("batch layout " + b.stateDim + "/" + b.horizon + "x" + b.actionDim
                    + " differs from the networks' " + stateDim + "/" + horizon + "x" + actionDim);
        }
        if (b.baseSamples != baseSamples) {
            throw new IllegalArgumentException("the batch carries " + b.baseSamples + " base samples per row, the"
                    + " networks expect " + baseSamples);
        }
        if (b.size < 1 || b.size > capacity) {
            throw new IllegalArgumentException("batch of " + b.size + " rows, capacity " + capacity);
        }
        int n = b.size;
        units.normaliseStates(b.state, n, scratchState);
        units.normaliseStates(b.nextState, n, scratchNext);
        units.normaliseChunks(b.action, n, scratchAction);
        state.put(scratchState, n);
        action.put(scratchAction, n);
        rewards.put(b.rewards, n);
        validMask.put(b.validMask, n);
        interventionMask.put(b.interventionMask, n);
        nextState.put(scratchNext, n);
        for (int r = 0; r < n; r++) {
            // Cloning an INTERVENTION chunk copies the person's steps only, not the policy's.
            float[] from = b.source[r] == Source.INTERVENTION_VALUE ? b.interventionMask : b.validMask;
            System.arraycopy(from, r * horizon, scratchClone, r * horizon, horizon);
        }
        cloneMask.put(scratchClone, n);
        terminated.put(b.terminated, n);
        weight.put(b.weight, n);
        if (baseChunks != null) {
            // Raw chunks of the robot's base policy to training units, like every other chunk.
            units.normaliseChunks(b.baseChunks, n * 2 * baseSamples, scratchBase);
            baseChunks.put(scratchBase, n);
        }
        batch = b;
    }

    /**
     * The base policy's chunks sent with the batch, training units: the M at s
     * ({@code atNextState} false) or the M at s', {@code [M, B, H*A]}; rows without base samples
     * hold whatever their slot held before (their weight must be 0 where these are used).
     */
    public Tensor baseChunks(boolean atNextState) {
        if (baseChunks == null) {
            throw new IllegalStateException("these batches carry no base-policy chunks (base_samples_per_transition 0)");
        }
        long rows = rows();
        return baseChunks.rows(rows(), device, dtype).view(rows, 2, baseSamples, (long) horizon * actionDim)
                .select(1, atNextState ? 1 : 0).transpose(0, 1);
    }

    /** The batch last loaded (its host arrays feed the base policy). */
    public Batch batch() {
        return batch;
    }

    public int rows() {
        return batch.size;
    }

    public int chunkSize() {
        return horizon * actionDim;
    }

    /** s in training units: [B, stateDim]. */
    public Tensor state() {
        return state.rows(rows(), device, dtype);
    }

    /** a (executed chunk) in training units: [B, H*A]. */
    public Tensor action() {
        return action.rows(rows(), device, dtype);
    }

    /** The steps behaviour cloning copies: m_i, or for INTERVENTION rows the person's steps: [B, H]. */
    public Tensor cloneMask() {
        return cloneMask.rows(rows(), device, dtype);
    }

    /** r_0..r_{H-1}: [B, H]. */
    public Tensor rewards() {
        return rewards.rows(rows(), device, dtype);
    }

    /** m_i: [B, H]. */
    public Tensor validMask() {
        return validMask.rows(rows(), device, dtype);
    }

    /** 1 where a person was in control: [B, H]. */
    public Tensor interventionMask() {
        return interventionMask.rows(rows(), device, dtype);
    }

    /** s' in training units: [B, stateDim]. */
    public Tensor nextState() {
        return nextState.rows(rows(), device, dtype);
    }

    /** d (terminated, no bootstrap): [B, 1]. */
    public Tensor terminated() {
        return terminated.rows(rows(), device, dtype);
    }

    /** Per-row loss weight (quality x importance): [B, 1]. */
    public Tensor weight() {
        return weight.rows(rows(), device, dtype);
    }

    public Device device() {
        return device;
    }

    public ScalarType dtype() {
        return dtype;
    }
}
