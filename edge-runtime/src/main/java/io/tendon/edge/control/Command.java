package io.tendon.edge.control;

/**
 * What one control tick produced: the pose the arm's position controller should track, and
 * what the safety pipeline did to it. Mutable and reused.
 */
public final class Command {

    /** False until the loop has seen one valid robot state; an invalid command must not be sent. */
    public boolean valid;
    /** Sequence of the robot state this command answers. */
    public long stateSequence;
    /** Control clock of the tick that made this command. */
    public long tickNanos;
    /** Commanded TCP pose x_c, base frame. */
    public final Pose pose = new Pose();
    /** Commanded TCP twist (feed-forward) [m/s, rad/s], base frame. */
    public final double[] twist = new double[6];
    /** OR of {@link SafetyTrips} flags raised in this tick. */
    public int safetyTrips;
    /** The watchdog is holding. */
    public boolean holding;
    /** A person was in control this tick. */
    public boolean human;
    /** Diagonal of the stiffness used this tick (after clamping), N/m and N*m/rad. */
    public final double[] stiffness = new double[6];
    /** Virtual target in use [x, y, z, rx, ry, rz]. */
    public final double[] virtualTarget = new double[6];
    /** Wrench the controller used: bias- and gravity-compensated, low-pass filtered [N, N*m]. */
    public final double[] wrench = new double[6];

    public void copyFrom(Command other) {
        valid = other.valid;
        stateSequence = other.stateSequence;
        tickNanos = other.tickNanos;
        pose.copyFrom(other.pose);
        System.arraycopy(other.twist, 0, twist, 0, 6);
        safetyTrips = other.safetyTrips;
        holding = other.holding;
        human = other.human;
        System.arraycopy(other.stiffness, 0, stiffness, 0, 6);
        System.arraycopy(other.virtualTarget, 0, virtualTarget, 0, 6);
        System.arraycopy(other.wrench, 0, wrench, 0, 6);
    }
}
