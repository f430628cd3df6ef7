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
    /**
     * True when a person produced these targets (teleop), false for the policy. On the human
     * side's {@link TargetBuffer} it also means "the person is in control": publishing targets
     * with {@code human == false} there hands control back to the policy.
     */
    public boolean human;
    /**
     * Hybrid force/position control: bit i set makes axis i (x, y, z, rx, ry, rz) track the
     * force set-point {@link #forceSetpoint}[i] instead of the spring to the virtual target.
     * 0 (the default) is pure admittance on every axis.
     */
    public int forceAxes;
    /**
     * Contact force (N) or torque (N*m) to hold on the axes of {@link #forceAxes}, same sign
     * convention as the measured wrench: +10 on z means the surface pushes up on the tool with
     * 10 N, i.e. the tool presses down with 10 N.
     */
    public final double[] forceSetpoint = new double[6];
    /** Writer's sequence number, strictly increasing per writer. */
    public long sequence;
    /**
     * Writer's System.nanoTime() when the targets were made (for a row interpolated from an
     * action chunk: when the chunk was made); the watchdog checks their age. Writers driven by
     * a simulated clock use that clock instead.
     */
    public long createdNanos;
    /**
     * Version of the learned policy that made these targets (the bundle's, or the update's that
     * was active), 0 for a scripted expert or a person. Carried into the transitions that record them.
     */
    public long policyVersion;
    /** True when a scripted demonstrator (the simulator's expert) made these targets: a DEMO record. */
    public boolean demonstration;

    /** True when every number is finite; non-finite targets are rejected by the safety pipeline. */
    public boolean isFinite() {
        for (int i = 0; i < 6; i++) {
            if (!Double.isFinite(pose[i]) || !Double.isFinite(virtualTarget[i]) || !Double.isFinite(stiffness[i])
                    || !Double.isFinite(forceSetpoint[i])) {
                return false;
            }
        }
        return Double.isFinite(stiffnessAlongTarget);
    }

    /** Copies every field of {@code other} into this object. Allocation-free. */
    public void copyFrom(Targets other) {
        System.arraycopy(other.pose, 0, pose, 0, 6);
        System.arraycopy(other.virtualTarget, 0, virtualTarget, 0, 6);
        System.arraycopy(other.stiffness, 0, stiffness, 0, 6);
        scalarStiffness = other.scalarStiffness;
        stiffnessAlongTarget = other.stiffnessAlongTarget;
        human = other.human;
        forceAxes = other.forceAxes;
        System.arraycopy(other.forceSetpoint, 0, forceSetpoint, 0, 6);
        sequence = other.sequence;
        createdNanos = other.createdNanos;
        policyVersion = other.policyVersion;
        demonstration = other.demonstration;
    }
}
