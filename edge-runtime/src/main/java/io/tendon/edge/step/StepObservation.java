package io.tendon.edge.step;

import java.util.Arrays;

/**
 * What the robot shows at a policy-step boundary, the same for the simulator and a real arm:
 * the measured TCP pose and twist, the controller's wrench, a summary of the wrench over the
 * step that led here, and the robot's observation features. This is the {@code s} (and
 * {@code s'}) of a transition and what the policy acts on. Mutable and reused; sizes are fixed
 * when it is made.
 */
public final class StepObservation {

    /** Proprioception of transition layout 1: TCP pose then TCP twist. */
    public static final int PROPRIO_DIM = 12;
    /** Wrench summary of transition layout 1: mean then peak absolute value per axis. */
    public static final int WRENCH_SUMMARY_DIM = 12;

    /** Measured TCP pose [x, y, z (m), rx, ry, rz (rad, rotation vector)], base frame. */
    public final double[] tcpPose = new double[6];
    /** Measured TCP twist [vx, vy, vz (m/s), wx, wy, wz (rad/s)], base frame. */
    public final double[] tcpTwist = new double[6];
    /** The controller's wrench now [Fx, Fy, Fz (N), Tx, Ty, Tz (N*m)]: tool weight and bias removed, filtered. */
    public final double[] wrench = new double[6];
    /** Mean of the controller's wrench over the policy step that led here (zeros at an episode's start). */
    public final double[] wrenchMean = new double[6];
    /** Largest absolute value per axis of the controller's wrench over that step (zeros at an episode's start). */
    public final double[] wrenchPeak = new double[6];
    /** A person was in control in the step that led here. */
    public boolean human;
    /** Seconds since the episode started. */
    public double time;
    /**
     * The robot's observation features, as a policy bundle's encoder or head takes them: the
     * simulator's raw features (pose, twist, wrench, hole estimate), or what a robot driver
     * sends with its states (a camera embedding, say). Raw units.
     */
    public final float[] features;
    /** What a transition carries as the critic's latent z (transition layout's latent-dim values). */
    public final float[] latent;
    /** False while the robot has not supplied features yet (a driver that sends them at a lower rate). */
    public boolean featuresPresent;

    public StepObservation(int featureDim, int latentDim) {
        features = new float[featureDim];
        latent = new float[latentDim];
    }

    /** Layout 1 proprioception (TCP pose then twist) into {@code out[offset..offset+12)}. */
    public void proprio(float[] out, int offset) {
        for (int i = 0; i < 6; i++) {
            out[offset + i] = (float) tcpPose[i];
            out[offset + 6 + i] = (float) tcpTwist[i];
        }
    }

    /** Layout 1 wrench summary (mean then peak) into {@code out[offset..offset+12)}. */
    public void wrenchSummary(float[] out, int offset) {
        for (int i = 0; i < 6; i++) {
            out[offset + i] = (float) wrenchMean[i];
            out[offset + 6 + i] = (float) wrenchPeak[i];
        }
    }

    /** Forgets the summary of a previous step (an episode starts). */
    public void clearStepSummary() {
        Arrays.fill(wrenchMean, 0);
        Arrays.fill(wrenchPeak, 0);
        human = false;
    }

    public void copyFrom(StepObservation o) {
        System.arraycopy(o.tcpPose, 0, tcpPose, 0, 6);
        System.arraycopy(o.tcpTwist, 0, tcpTwist, 0, 6);
        System.arraycopy(o.wrench, 0, wrench, 0, 6);
        System.arraycopy(o.wrenchMean, 0, wrenchMean, 0, 6);
        System.arraycopy(o.wrenchPeak, 0, wrenchPeak, 0, 6);
        human = o.human;
        time = o.time;
        System.arraycopy(o.features, 0, features, 0, features.length);
        System.arraycopy(o.latent, 0, latent, 0, latent.length);
        featuresPresent = o.featuresPresent;
    }
}
