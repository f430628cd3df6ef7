package io.tendon.edge.sim;

/** What an agent sees of the simulated task at one moment. Mutable and reused. */
public final class SimObservation {

    /** TCP pose [x, y, z (m), rx, ry, rz (rad, rotation vector)], base frame. */
    public final double[] tcpPose = new double[6];
    /** TCP twist [vx, vy, vz (m/s), wx, wy, wz (rad/s)], base frame. */
    public final double[] tcpTwist = new double[6];
    /**
     * Contact wrench at the TCP [Fx, Fy, Fz (N), Tx, Ty, Tz (N*m)], base frame, as the controller
     * uses it: tool weight and bias removed, low-pass filtered. +Fz: the surface pushes up.
     */
    public final double[] wrench = new double[6];
    /** Noisy estimate of the hole's centre at the table top [x, y, z (m)], base frame. */
    public final double[] holeEstimate = new double[3];
    /** Simulated time since the episode started, s. */
    public double time;

    public void copyFrom(SimObservation other) {
        System.arraycopy(other.tcpPose, 0, tcpPose, 0, 6);
        System.arraycopy(other.tcpTwist, 0, tcpTwist, 0, 6);
        System.arraycopy(other.wrench, 0, wrench, 0, 6);
        System.arraycopy(other.holeEstimate, 0, holeEstimate, 0, 3);
        time = other.time;
    }
}
