package io.tendon.edge.policy;

/**
 * How the sampler moves the sample from noise to actions: the time fed to the step graph at
 * step {@code i} of {@link #steps()}, and the update from the graph's prediction.
 */
public interface Integrator {

    int steps();

    /** The FLOW_TIME value at step {@code i}: flow time, or the diffusion timestep. */
    double time(int i);

    /** Updates {@code x[0, length)} in place from the step graph's {@code prediction} at step {@code i}. */
    void update(int i, float[] x, float[] prediction, int length);
}
