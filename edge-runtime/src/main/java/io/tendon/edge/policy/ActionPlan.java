package io.tendon.edge.policy;

import io.tendon.edge.control.LatestValue;

/**
 * The rows the control loop executes until the next plan arrives: one action row per policy
 * step, row {@code i} due at {@code firstNanos + i * periodNanos} (the control loop's clock).
 * Orientations are kept as unit quaternions so that the control side only slerps. Mutable and
 * reused: the policy thread fills one in place and publishes it through a {@link io.tendon.edge.control.LatestValue}.
 */
public final class ActionPlan {

    /** Rows this plan can hold. */
    public final int capacity;
    /** Rows in use. */
    public int count;
    /** Due time of row 0, control-clock nanoseconds. */
    public long firstNanos;
    /** Time between rows (one policy step), nanoseconds, > 0. */
    public long periodNanos;
    /** Policy tick of row 0 (diagnostics, tests). */
    public long firstTick;
    /** When the policy made this plan, control-clock nanoseconds; the control watchdog checks its age. */
    public long createdNanos;
    /** Strictly increasing per writer. */
    public long sequence;
    /** Version of the policy that made this plan (see {@link io.tendon.edge.control.Targets#policyVersion}). */
    public long policyVersion;
    /** True: one stiffness value per row along pose to virtual target; false: six per-axis values. */
    public boolean scalarStiffness;

    /** TCP position per row, m: x, y, z. */
    public final double[] position;
    /** TCP orientation per row as a unit quaternion w, x, y, z. */
    public final double[] orientation;
    /** Virtual-target position per row, m. */
    public final double[] targetPosition;
    /** Virtual-target orientation per row, unit quaternion. */
    public final double[] targetOrientation;
    /** Stiffness per row: 1 value (N/m) when {@link #scalarStiffness}, else 6 (N/m x3, N·m/rad x3). */
    public final double[] stiffness;

    public ActionPlan(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("plan capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        position = new double[capacity * 3];
        orientation = new double[capacity * 4];
        targetPosition = new double[capacity * 3];
        targetOrientation = new double[capacity * 4];
        stiffness = new double[capacity * 6];
    }

    /** Due time of row {@code i}, control-clock nanoseconds. */
    public long dueNanos(int i) {
        return firstNanos + i * periodNanos;
    }

    /** Copies every field of {@code other} (same capacity or smaller) into this plan. Allocation-free. */
    public void copyFrom(ActionPlan other) {
        policyVersion = other.policyVersion;
        count = other.count;
        firstNanos = other.firstNanos;
        periodNanos = other.periodNanos;
        firstTick = other.firstTick;
        createdNanos = other.createdNanos;
        sequence = other.sequence;
        scalarStiffness = other.scalarStiffness;
        System.arraycopy(other.position, 0, position, 0, other.count * 3);
        System.arraycopy(other.orientation, 0, orientation, 0, other.count * 4);
        System.arraycopy(other.targetPosition, 0, targetPosition, 0, other.count * 3);
        System.arraycopy(other.targetOrientation, 0, targetOrientation, 0, other.count * 4);
        System.arraycopy(other.stiffness, 0, stiffness, 0, other.count * 6);
    }
}
