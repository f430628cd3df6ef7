package io.tendon.edge.policy;

/**
 * A correction the sampler applies after the integrator's update at chosen steps (latent
 * barrier guidance, continuity with the committed part of the previous chunk, ...). Called on
 * the policy thread; must not allocate.
 */
public interface GuidanceTerm {

    /** True when this term acts at step {@code i} of {@code n}. */
    boolean activeAt(int i, int n);

    /** Moves {@code x[0, length)} in place; {@code time} is the step's FLOW_TIME value. */
    void apply(int i, double time, float[] x, int length);
}
