package io.tendon.edge.policy;

/**
 * Deterministic DDIM (eta = 0) over an epsilon-predicting step graph, {@code n} steps spaced
 * evenly over the {@code T} training timesteps (tau_i = (n - 1 - i) * (T / n), "leading"
 * spacing). With abar the cumulative product of (1 - beta):
 * <pre>
 *   x0   = (x - sqrt(1 - abar_t) * eps) / sqrt(abar_t)
 *   x    = sqrt(abar_prev) * x0 + sqrt(1 - abar_prev) * eps      (abar_prev = 1 after the last step)
 * </pre>
 */
public final class DdimIntegrator implements Integrator {

    private final int n;
    private final int[] timesteps;
    private final double[] alphasCumprod;

    public DdimIntegrator(int n, double[] alphasCumprod) {
        int trainSteps = alphasCumprod.length;
        if (n < 1 || n > trainSteps) {
            throw new IllegalArgumentException("DDIM steps must be in [1, " + trainSteps + "], was " + n);
        }
        this.n = n;
        this.alphasCumprod = alphasCumprod.clone();
        this.timesteps = new int[n];
        int stride = trainSteps / n;
        for (int i = 0; i < n; i++) {
            timesteps[i] = (n - 1 - i) * stride;
        }
    }

    @Override
    public int steps() {
        return n;
    }

    /** The training timestep tau_i fed to the step graph. */
    @Override
    public double time(int i) {
        return timesteps[i];
    }

    @Override
    public void update(int i, float[] x, float[] eps, int length) {
        double abar = alphasCumprod[timesteps[i]];
        double abarPrev = i + 1 < n ? alphasCumprod[timesteps[i + 1]] : 1.0;
        double sqrtAbar = Math.sqrt(abar);
        double sqrtOneMinus = Math.sqrt(1.0 - abar);
        double sqrtPrev = Math.sqrt(abarPrev);
        double sqrtOneMinusPrev = Math.sqrt(1.0 - abarPrev);
        for (int k = 0; k < length; k++) {
            double x0 = (x[k] - sqrtOneMinus * eps[k]) / sqrtAbar;
            x[k] = (float) (sqrtPrev * x0 + sqrtOneMinusPrev * eps[k]);
        }
    }
}
