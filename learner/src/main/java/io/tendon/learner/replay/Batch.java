package io.tendon.learner.replay;

/**
 * A sampled training batch in flat, preallocated float arrays (row-major, one row per
 * sample), reused for every sample call. The state vector is latent ⊕ proprio ⊕ wrench of
 * the Transition's Observation; chunks are H x A flattened.
 */
public final class Batch {

    public final int capacity;
    public final int stateDim;
    public final int horizon;
    public final int actionDim;

    /** Rows filled by the last sample call. */
    public int size;

    /** s: size x stateDim. */
    public final float[] state;
    /** Executed chunk a (after any human override): size x (H * A). */
    public final float[] action;
    /** The policy's own chunk at s (equal to {@link #action} for DEMO rows): size x (H * A). */
    public final float[] policyAction;
    /** r_0..r_{H-1}: size x H. */
    public final float[] rewards;
    /** m_i (1 valid, 0 after an early termination): size x H. */
    public final float[] validMask;
    /** 1 where a person was in control: size x H. */
    public final float[] interventionMask;
    /** s': size x stateDim. */
    public final float[] nextState;
    /** 1 when the episode terminated inside the chunk (no bootstrap), else 0: size. */
    public final float[] terminated;
    /** 1 when the episode was truncated inside the chunk, else 0: size. */
    public final float[] truncated;
    /** Per-row loss weight: episode quality times the importance weight of prioritised sampling: size. */
    public final float[] weight;
    /** Source of each row (Source enum number): size. */
    public final byte[] source;
    /** Replay slot of each row, for priority updates: size. */
    public final long[] slot;
    /** M: base-policy chunks per row at s, and as many at s' (0: the learner runs the base itself). */
    public final int baseSamples;
    /**
     * The base policy's chunks sent with each row, raw units: per row M chunks at s then M at s'
     * ({@code size x 2M x (H * A)}); meaningful where {@link #hasBaseSamples} is 1.
     */
    public final float[] baseChunks;
    /** 1 where the row came with its base-policy chunks, else 0: size. */
    public final float[] hasBaseSamples;

    public Batch(int capacity, int stateDim, int horizon, int actionDim) {
        this(capacity, stateDim, horizon, actionDim, 0);
    }

    public Batch(int capacity, int stateDim, int horizon, int actionDim, int baseSamples) {
        if (baseSamples < 0) {
            throw new IllegalArgumentException("base samples per row " + baseSamples + " < 0");
        }
        this.capacity = capacity;
        this.baseSamples = baseSamples;
        this.stateDim = stateDim;
        this.horizon = horizon;
        this.actionDim = actionDim;
        int chunk = horizon * actionDim;
        state = new float[capacity * stateDim];
        action = new float[capacity * chunk];
        policyAction = new float[capacity * chunk];
        rewards = new float[capacity * horizon];
        validMask = new float[capacity * horizon];
        interventionMask = new float[capacity * horizon];
        nextState = new float[capacity * stateDim];
        terminated = new float[capacity];
        truncated = new float[capacity];
        weight = new float[capacity];
        source = new byte[capacity];
        slot = new long[capacity];
        baseChunks = new float[capacity * 2 * baseSamples * chunk];
        hasBaseSamples = new float[capacity];
    }

    public int chunkSize() {
        return horizon * actionDim;
    }
}
