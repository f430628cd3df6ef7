package io.tendon.edge.control;

/**
 * One measured state of the arm, as a bridge hands it to the control tick. Mutable and
 * reused; bridges fill it in place (from the simulator, or from a gRPC RobotState).
 */
public final class RobotSample {

    public static final int MAX_JOINTS = 16;

    /** Bridge's sequence number of the state. */
    public long sequence;
    /** Control clock (System.nanoTime(), or simulated time) when the state reached the edge. */
    public long receivedNanos;
    /** Measured TCP pose, base frame. */
    public final Pose pose = new Pose();
    /** Measured TCP twist [vx, vy, vz (m/s), wx, wy, wz (rad/s)], base frame. */
    public final double[] twist = new double[6];
    /** Measured wrench at the TCP [Fx, Fy, Fz (N), Tx, Ty, Tz (N*m)], base frame, raw (with tool weight and bias). */
    public final double[] wrench = new double[6];
    /** Joint positions (rad or m), first {@link #jointCount} entries valid. */
    public final double[] joints = new double[MAX_JOINTS];
    public int jointCount;
    /** Observation features a robot driver sent with this state (first {@link #featureCount}); see {@link #hasFeatures}. */
    public final float[] features;
    /** Features in this state: -1 when it carried none (the last ones still hold). */
    public int featureCount = -1;

    /** A sample without room for observation features (the simulator's). */
    public RobotSample() {
        this(0);
    }

    /** A sample that can carry {@code featureCapacity} observation features. */
    public RobotSample(int featureCapacity) {
        features = new float[featureCapacity];
    }

    /** True when this state carried observation features. */
    public boolean hasFeatures() {
        return featureCount >= 0;
    }

    public void copyFrom(RobotSample other) {
        sequence = other.sequence;
        receivedNanos = other.receivedNanos;
        pose.copyFrom(other.pose);
        System.arraycopy(other.twist, 0, twist, 0, 6);
        System.arraycopy(other.wrench, 0, wrench, 0, 6);
        jointCount = other.jointCount;
        System.arraycopy(other.joints, 0, joints, 0, jointCount);
        // A copy without room for features (the control loop's own) keeps none of them.
        featureCount = other.featureCount < 0 ? -1 : Math.min(other.featureCount, features.length);
        if (featureCount > 0) {
            System.arraycopy(other.features, 0, features, 0, featureCount);
        }
    }

    /** True when every number the controller reads is finite and the quaternion is about unit length. */
    public boolean isFinite() {
        if (!pose.isFinite()) {
            return false;
        }
        double[] q = pose.orientation;
        double n2 = q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3];
        if (n2 < 0.98 || n2 > 1.02) {
            return false;
        }
        for (int i = 0; i < 6; i++) {
            if (!Double.isFinite(twist[i]) || !Double.isFinite(wrench[i])) {
                return false;
            }
        }
        for (int i = 0; i < jointCount; i++) {
            if (!Double.isFinite(joints[i])) {
                return false;
            }
        }
        for (int i = 0; i < featureCount; i++) {
            if (!Float.isFinite(features[i])) {
                return false;
            }
        }
        return true;
    }
}
