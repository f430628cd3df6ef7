package io.tendon.edge.policy;

/**
 * Where a sampler's initial noise comes from: random ({@link GaussianNoise}), cached across
 * steps ({@link CachedNoise}, two-rate), or anything else that fills the array, e.g. a small
 * learned noise policy steering a frozen flow policy. Called on the policy thread; must not
 * allocate.
 */
@FunctionalInterface
public interface NoiseSource {

    /** Writes {@code length} noise values into {@code x[0, length)}. */
    void fill(float[] x, int length);
}
