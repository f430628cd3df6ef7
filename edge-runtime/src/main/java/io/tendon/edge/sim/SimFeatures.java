package io.tendon.edge.sim;

/**
 * What the simulator shows a policy and a critic, as flat float vectors:
 * <ul>
 * <li>{@link #observation}: the raw observation features a bundle's encoder or head takes
 *     (21): TCP pose (x, y, z m; rx, ry, rz rad), TCP twist (m/s, rad/s), measured wrench
 *     (N, N·m), hole estimate (x, y, z m), all in the base frame.</li>
 * <li>{@link #latent}: the simulator's fixed encoder for transitions (40), standing in for a
 *     frozen vision encoder: hole estimate relative to the TCP (3), hole estimate (3), TCP pose
 *     (6), TCP twist (6), wrench now (6), wrench mean (6) and peak magnitude (6) over the last
 *     policy step, episode time (s), force magnitude (N), contact flag (|Fz| above 1 N), and 1
 *     when a person was in control during the last step.</li>
 * <li>{@link #proprio}: TCP pose then TCP twist (12), layout 1.</li>
 * </ul>
 */
public final class SimFeatures {

    public static final int OBSERVATION_DIM = 21;
    public static final int LATENT_DIM = 40;
    public static final int PROPRIO_DIM = 12;
    /** Where the hole estimate (x, y, z) starts in {@link #observation}. */
    public static final int HOLE_ESTIMATE = 18;

    private SimFeatures() {
    }

    /** Fills {@code out[0..21)} with the raw observation features. */
    public static void observation(SimObservation o, float[] out) {
        copy(o.tcpPose, out, 0);
        copy(o.tcpTwist, out, 6);
        copy(o.wrench, out, 12);
        copy(o.holeEstimate, out, 18);
    }

    /**
     * Fills {@code out[0..40)} with the fixed latent of {@code o}; {@code wrenchMean} and
     * {@code wrenchPeak} summarise the policy step that led to {@code o} (zeros at an episode's start).
     */
    public static void latent(SimObservation o, double[] wrenchMean, double[] wrenchPeak, boolean human, float[] out) {
        for (int i = 0; i < 3; i++) {
            out[i] = (float) (o.holeEstimate[i] - o.tcpPose[i]);
        }
        copy(o.holeEstimate, out, 3);
        copy(o.tcpPose, out, 6);
        copy(o.tcpTwist, out, 12);
        copy(o.wrench, out, 18);
        copy(wrenchMean, out, 24);
        copy(wrenchPeak, out, 30);
        out[36] = (float) o.time;
        double f = Math.sqrt(o.wrench[0] * o.wrench[0] + o.wrench[1] * o.wrench[1] + o.wrench[2] * o.wrench[2]);
        out[37] = (float) f;
        out[38] = Math.abs(o.wrench[2]) > 1.0 ? 1f : 0f;
        out[39] = human ? 1f : 0f;
    }

    /** Fills {@code out[0..12)} with the proprioception of layout 1. */
    public static void proprio(SimObservation o, float[] out) {
        copy(o.tcpPose, out, 0);
        copy(o.tcpTwist, out, 6);
    }

    private static void copy(double[] from, float[] to, int offset) {
        for (int i = 0; i < from.length; i++) {
            to[offset + i] = (float) from[i];
        }
    }
}
