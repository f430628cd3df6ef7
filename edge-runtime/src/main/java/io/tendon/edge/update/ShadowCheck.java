package io.tendon.edge.update;

import io.tendon.edge.control.Quaternions;
import io.tendon.edge.policy.ActionSpace;
import io.tendon.edge.policy.ObservationHistory;
import io.tendon.edge.policy.PolicyRuntime;
import io.tendon.schemas.update.UpdateRefusal;
import java.util.List;

/**
 * Runs a candidate policy (a runtime built for an update, not active yet) on the last
 * observations the robot's policy acted on, and decides whether it may take over: every output
 * finite, inside the bundle's action bounds, and, where the running policy proposed something
 * for that observation, no farther from it than the configured limits, separately for positions
 * (TCP and virtual target, m), orientations (rad) and stiffness (N/m). With no running policy
 * (the first head of a bundle that waits for it) only finiteness and bounds are checked.
 */
public final class ShadowCheck {

    /** How far a candidate may act from the running policy on the same observation. */
    public record Limits(double maxPositionM, double maxOrientationRad, double maxStiffnessNPerM) {
    }

    /** The verdict, with the largest deviations seen (0 where nothing was compared). */
    public record Result(UpdateRefusal refusal, String detail, int observations, int compared, double positionM,
            double orientationRad, double stiffnessNPerM) {

        public boolean passed() {
            return refusal == null;
        }
    }

    private static final double BOUND_SLACK = 1e-5;

    private ShadowCheck() {
    }

    public static Result run(PolicyRuntime candidate, List<ObservationHistory.Entry> history, ActionSpace space,
            Limits limits) {
        int a = space.dim;
        int h = candidate.bundle().chunkLength;
        float[] out = new float[h * a];
        double[] q1 = new double[4];
        double[] q2 = new double[4];
        double maxPos = 0;
        double maxRot = 0;
        double maxK = 0;
        int compared = 0;
        long tick = 0;
        for (ObservationHistory.Entry e : history) {
            int rows = candidate.shadow(tick++, e.observation(), out);
            if (rows < 0) {
                return new Result(UpdateRefusal.LOAD_FAILED, "the graph failed to run on a recent observation: "
                        + candidate.lastFailureMessage(), history.size(), compared, maxPos, maxRot, maxK);
            }
            for (int i = 0; i < rows * a; i++) {
                float v = out[i];
                if (!Float.isFinite(v)) {
                    return new Result(UpdateRefusal.NON_FINITE, "row " + i / a + " component " + i % a + " is " + v
                            + " on a recent observation", history.size(), compared, maxPos, maxRot, maxK);
                }
                float lo = space.lower(i % a);
                float hi = space.upper(i % a);
                double slack = BOUND_SLACK * Math.max(1, Math.max(Math.abs(lo), Math.abs(hi)));
                if (v < lo - slack || v > hi + slack) {
                    return new Result(UpdateRefusal.OUT_OF_BOUNDS, "row " + i / a + " component " + i % a + " = " + v
                            + " is outside the action bounds [" + lo + ", " + hi + "]", history.size(), compared,
                            maxPos, maxRot, maxK);
                }
            }
            int both = Math.min(rows, e.rows());
            if (both == 0) {
                continue;
            }
            compared++;
            for (int r = 0; r < both; r++) {
                int o = r * a;
                for (int part = 0; part < 2; part++) {
                    int p = o + 6 * part;
                    double dx = out[p] - e.actions()[p];
                    double dy = out[p + 1] - e.actions()[p + 1];
                    double dz = out[p + 2] - e.actions()[p + 2];
                    maxPos = Math.max(maxPos, Math.sqrt(dx * dx + dy * dy + dz * dz));
                    Quaternions.exp(out[p + 3], out[p + 4], out[p + 5], q1, 0);
                    Quaternions.exp(e.actions()[p + 3], e.actions()[p + 4], e.actions()[p + 5], q2, 0);
                    maxRot = Math.max(maxRot, Quaternions.angleBetween(q1, q2));
                }
                for (int k = ActionSpace.STIFFNESS_OFFSET; k < a; k++) {
                    maxK = Math.max(maxK, Math.abs(out[o + k] - e.actions()[o + k]));
                }
            }
        }
        if (maxPos > limits.maxPositionM() || maxRot > limits.maxOrientationRad() || maxK > limits.maxStiffnessNPerM()) {
            return new Result(UpdateRefusal.SHADOW_DEVIATION, String.format(java.util.Locale.ROOT,
                    "on %d recent observations it deviates from the running policy by up to %.4f m, %.4f rad and"
                            + " %.1f N/m (limits %.4f m, %.4f rad, %.1f N/m)", compared, maxPos, maxRot, maxK,
                    limits.maxPositionM(), limits.maxOrientationRad(), limits.maxStiffnessNPerM()),
                    history.size(), compared, maxPos, maxRot, maxK);
        }
        return new Result(null, "", history.size(), compared, maxPos, maxRot, maxK);
    }
}
