package io.tendon.edge.policy;

/**
 * The centre of the sampler: one call of the step graph. Given the current sample {@code x}
 * at flow time {@code t} (or diffusion timestep), writes the graph's prediction (velocity for
 * EULER, noise for DDIM) into {@code out}. Its conditioning (prefix, slow/fast features) was
 * bound before the chunk's first step and is reused for every step.
 */
public interface Denoiser {

    void predict(float[] x, int length, double time, float[] out);
}
