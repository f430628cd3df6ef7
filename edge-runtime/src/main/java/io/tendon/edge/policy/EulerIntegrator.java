package io.tendon.edge.policy;

/**
 * Flow matching by explicit Euler in {@code n} equal steps (ALGORITHMS.md section 3):
 * {@code x_{t+dt} = x_t + dt * v(x_t, t)}, from t = 0 (noise) to t = 1 (actions), or, with
 * reversed time (the pi0 convention), from t = 1 down to t = 0 with dt = -1/n.
 */
public final class EulerIntegrator implements Integrator {

    private final int n;
    private final boolean reverse;

    public EulerIntegrator(int n, boolean reverse) {
        if (n < 1) {
            throw new IllegalArgumentException("Euler steps must be at least 1, was " + n);
        }
        this.n = n;
        this.reverse = reverse;
    }

    @Override
    public int steps() {
        return n;
    }

    @Override
    public double time(int i) {
        return reverse ? 1.0 - (double) i / n : (double) i / n;
    }

    @Override
    public void update(int i, float[] x, float[] v, int length) {
        float dt = (float) ((reverse ? -1.0 : 1.0) / n);
        for (int k = 0; k < length; k++) {
            x[k] += dt * v[k];
        }
    }
}
