package io.tendon.edge.policy;

/**
 * What the policy proposed at one observation, for building transitions: the latent z, the
 * proposed rows (raw units, after the residual and the bounds, before temporal ensembling),
 * the observation they answer, and the measured inference delay. Published by the policy
 * thread through {@link PolicyRuntime#proposals()}.
 */
public final class ChunkRecord {

    public final float[] latent;
    /** Row-major rows x actionDim. */
    public final float[] actions;
    public final int actionDim;
    /** Rows in {@link #actions}: H for chunk and flow modes, 1 (the executed row) for two-rate. */
    public int rows;
    /** Policy tick the first row is for. */
    public long firstTick;
    public long observationNanos;
    public long observationSequence;
    public long policyVersion;
    /** Observation to availability, in control steps. */
    public double inferenceDelayControlSteps;

    public ChunkRecord(int latentDim, int maxRows, int actionDim) {
        latent = new float[latentDim];
        actions = new float[maxRows * actionDim];
        this.actionDim = actionDim;
    }

    public void copyFrom(ChunkRecord o) {
        System.arraycopy(o.latent, 0, latent, 0, latent.length);
        System.arraycopy(o.actions, 0, actions, 0, o.rows * actionDim);
        rows = o.rows;
        firstTick = o.firstTick;
        observationNanos = o.observationNanos;
        observationSequence = o.observationSequence;
        policyVersion = o.policyVersion;
        inferenceDelayControlSteps = o.inferenceDelayControlSteps;
    }
}
