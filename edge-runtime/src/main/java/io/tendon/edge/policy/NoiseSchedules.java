package io.tendon.edge.policy;

import io.tendon.schemas.v1.BetaSchedule;

/** Diffusion noise schedules: the cumulative products abar_t = prod_{s <= t} (1 - beta_s). */
public final class NoiseSchedules {

    private NoiseSchedules() {
    }

    /** abar for {@code steps} training timesteps of {@code schedule}. */
    public static double[] alphasCumprod(BetaSchedule schedule, int steps, double betaStart, double betaEnd) {
        double[] betas = new double[steps];
        if (schedule == BetaSchedule.LINEAR) {
            for (int i = 0; i < steps; i++) {
                betas[i] = steps == 1 ? betaStart : betaStart + (betaEnd - betaStart) * i / (steps - 1);
            }
        } else {
            // Nichol & Dhariwal's cosine schedule, as diffusers' "squaredcos_cap_v2".
            for (int i = 0; i < steps; i++) {
                double t1 = (double) i / steps;
                double t2 = (double) (i + 1) / steps;
                betas[i] = Math.min(1.0 - cosineAlphaBar(t2) / cosineAlphaBar(t1), 0.999);
            }
        }
        double[] abar = new double[steps];
        double product = 1.0;
        for (int i = 0; i < steps; i++) {
            product *= 1.0 - betas[i];
            abar[i] = product;
        }
        return abar;
    }

    private static double cosineAlphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }
}
