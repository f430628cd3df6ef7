package io.tendon.edge.control;

/**
 * What the policy, or a person, wants the arm to do: one action row of the layout
 * (ALGORITHMS.md section 1). Poses are 6-vectors in the robot's base frame: position
 * x, y, z (m) then orientation as a rotation vector rx, ry, rz (rad). Mutable and reused: a
 * writer fills one in place and publishes it through a {@link TargetBuffer}.
 */
public final class Targets {

    /** Desired TCP pose. With scalar stiffness it fixes the compliant direction (pose to virtual target). */
    public final double[] pose = new double[6];
    /** Virtual target x_vt: the admittance spring's anchor. */
    public final double[] virtualTarget = new double[6];
    /**
     * Per-axis stiffness K (N/m for x, y, z; N·m/rad for rx, ry, rz), used when
     * {@link #scalarStiffness} is false.
     */
    public final double[] stiffness = new double[6];
    /**
     * True when the policy gave one stiffness value ({@link #stiffnessAlongTarget}) along the
     * direction from {@link #pose} to {@link #virtualTarget}; other axes take the configured
     * default (Adaptive Compliance Policy).
     */
    public boolean scalarStiffness;
    /** Stiffness along the pose-to-virtual-target direction, N/m (scalar mode only). */
    public double stiffnessAlongTarget;
    /** True when a person produced these targets (teleop), false for the policy. */
    public boolean human;
    /** Writer's sequence number, strictly increasing per writer. */
    public long sequence;
    /** Writer's System.nanoTime() when the targets were made; the watchdog checks their age. */
    public long createdNanos;

    /** Copies every field of {@code other} into this object. Allocation-free. */
    public void copyFrom(Targets other) {
        System.arraycopy(other.pose, 0, pose, 0, 6);
        System.arraycopy(other.virtualTarget, 0, virtualTarget, 0, 6);
        System.arraycopy(other.stiffness, 0, stiffness, 0, 6);
        scalarStiffness = other.scalarStiffness;
        stiffnessAlongTarget = other.stiffnessAlongTarget;
        human = other.human;
        sequence = other.sequence;
        createdNanos = other.createdNanos;
    }
}
