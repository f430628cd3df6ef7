package io.tendon.learner.nn;

import java.util.SplittableRandom;

/**
 * Initial weights of every member, drawn in Java from one seed so that the batched and the
 * separate layouts (and every device) start from the same numbers: PyTorch Linear's default,
 * W and b uniform in +-1/sqrt(fan_in); the output layer all zero when the spec asks for it.
 */
final class MlpInit {

    /** [member][layer] row-major in x out. */
    final float[][][] weight;
    /** [member][layer] out. */
    final float[][][] bias;

    MlpInit(MlpSpec spec, int members, long seed) {
        int[] dims = spec.dims();
        int layers = dims.length - 1;
        weight = new float[members][layers][];
        bias = new float[members][layers][];
        SplittableRandom random = new SplittableRandom(seed);
        for (int k = 0; k < members; k++) {
            for (int l = 0; l < layers; l++) {
                boolean zero = spec.zeroInitOutput() && l == layers - 1;
                double bound = 1.0 / Math.sqrt(dims[l]);
                weight[k][l] = uniform(random, dims[l] * dims[l + 1], bound, zero);
                bias[k][l] = uniform(random, dims[l + 1], bound, zero);
            }
        }
    }

    private static float[] uniform(SplittableRandom random, int n, double bound, boolean zero) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            // Draw even when zeroing, so later members do not depend on the zero-init flag.
            double u = random.nextDouble(-bound, bound);
            out[i] = zero ? 0f : (float) u;
        }
        return out;
    }
}
