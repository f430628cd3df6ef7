package io.tendon.learner.algo;

import io.tendon.learner.nn.HostTensor;
import io.tendon.learner.replay.Batch;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A sampled {@link Batch} as tensors: the arrays are copied once per step into long-lived host
 * buffers, and each accessor returns a view (or device copy) that belongs to the caller's
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
    private Batch batch;

    public BatchTensors(int capacity, int stateDim, int horizon, int actionDim, Device device, ScalarType dtype) {
        this.capacity = capacity;
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
    }

    /** Copies a freshly sampled batch in (its shape must match). */
    public void load(Batch b) {
        if (b.stateDim != stateDim || b.horizon != horizon || b.actionDim != actionDim) {
            throw new IllegalArgumentException("batch layout " + b.stateDim + "/" + b.horizon + "x" + b.actionDim
                    + " differs from the networks' " + stateDim + "/" + horizon + "x" + actionDim);
        }
        if (b.size < 1 || b.size > capacity) {
            throw new IllegalArgumentException("batch of " + b.size + " rows, capacity " + capacity);
        }
        int n = b.size;
        state.put(b.state, n);
        action.put(b.action, n);
        rewards.put(b.rewards, n);
        validMask.put(b.validMask, n);
        interventionMask.put(b.interventionMask, n);
        nextState.put(b.nextState, n);
        terminated.put(b.terminated, n);
        weight.put(b.weight, n);
        batch = b;
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

    /** s: [B, stateDim]. */
    public Tensor state() {
        return state.rows(rows(), device, dtype);
    }

    /** a (executed chunk): [B, H*A]. */
    public Tensor action() {
        return action.rows(rows(), device, dtype);
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

    /** s': [B, stateDim]. */
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
