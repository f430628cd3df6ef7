package io.tendon.edge.policy;

import java.util.SplittableRandom;

/** Independent standard-normal noise, seeded for reproducible runs. */
public final class GaussianNoise implements NoiseSource {

    private final SplittableRandom random;

    public GaussianNoise(long seed) {
        random = new SplittableRandom(seed);
    }

    @Override
    public void fill(float[] x, int length) {
        for (int i = 0; i < length; i++) {
            x[i] = (float) random.nextGaussian();
        }
    }
}
