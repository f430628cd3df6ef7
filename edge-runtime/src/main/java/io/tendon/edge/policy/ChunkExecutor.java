package io.tendon.edge.policy;

import io.tendon.edge.control.LatestValue;

import io.tendon.edge.control.Quaternions;
import io.tendon.edge.control.TargetSource;
import io.tendon.edge.control.Targets;

/**
 * Executes the policy's plans on the control thread: at every tick it finds the two plan rows
 * around {@code now} and interpolates between them, positions and stiffness linearly,
 * orientations by slerp of their quaternions, so that a 1 kHz loop follows a 10-50 Hz policy
 * smoothly. The policy thread publishes whole plans through a triple buffer
 * ({@link #publisher()}); this side never waits for it.
 *
 * <p>{@link #targetsAt} runs on the control thread: it does not allocate, lock, block, log or do I/O.
 */
public final class ChunkExecutor implements TargetSource {

    private final LatestValue<ActionPlan> plans;
    private ActionPlan current;
    /** -1: nothing clamped emitted; 0: the first row was emitted before its time; 1: the last row after its time. */
    private int clampedEmitted = -1;
    private long emitted;
    private final double[] quaternion = new double[4];
    private final double[] rotation = new double[3];

    /** An executor for plans of up to {@code capacity} rows. */
    public ChunkExecutor(int capacity) {
        plans = new LatestValue<>(() -> new ActionPlan(capacity));
    }

    /** The writer side: the policy thread fills {@code beginWrite()} and calls {@code publish()}. */
    public LatestValue<ActionPlan> publisher() {
        return plans;
    }

    /**
     * Fills {@code into} with the plan's targets at {@code nowNanos}. Returns false, leaving
     * {@code into} unchanged, when there is no plan yet, or when {@code now} lies before the
     * first row or past the last one and that row was already handed out: then the control loop
     * keeps it (a policy that stopped leaves the arm on its last targets, and the targets' age
     * grows for the watchdog).
     */
    @Override
    public boolean targetsAt(long nowNanos, Targets into) {
        ActionPlan fresh = plans.take();
        if (fresh != null) {
            current = fresh;
            clampedEmitted = -1;
        }
        ActionPlan plan = current;
        if (plan == null || plan.count == 0) {
            return false;
        }
        int last = plan.count - 1;
        long sinceFirst = nowNanos - plan.firstNanos;
        if (sinceFirst <= 0 || last == 0) {
            int edge = sinceFirst <= 0 ? 0 : 1;
            if (clampedEmitted == edge) {
                return false;
            }
            clampedEmitted = edge;
            fillRow(plan, sinceFirst <= 0 ? 0 : last, into);
            return true;
        }
        long index = sinceFirst / plan.periodNanos;
        if (index >= last) {
            if (clampedEmitted == 1) {
                return false;
            }
            clampedEmitted = 1;
            fillRow(plan, last, into);
            return true;
        }
        int i = (int) index;
        double u = (double) (sinceFirst - index * plan.periodNanos) / plan.periodNanos;
        interpolate(plan, i, u, into);
        return true;
    }

    private void fillRow(ActionPlan plan, int i, Targets into) {
        interpolate(plan, i, 0.0, into);
    }

    /** Targets at fraction {@code u} in [0, 1) of the way from row {@code i} to row {@code i + 1}. */
    private void interpolate(ActionPlan plan, int i, double u, Targets into) {
        int j = u == 0.0 ? i : i + 1;
        lerp(plan.position, i * 3, j * 3, u, into.pose, 0);
        Quaternions.slerp(plan.orientation, i * 4, plan.orientation, j * 4, u, quaternion, 0);
        Quaternions.log(quaternion, 0, rotation, 0);
        into.pose[3] = rotation[0];
        into.pose[4] = rotation[1];
        into.pose[5] = rotation[2];
        lerp(plan.targetPosition, i * 3, j * 3, u, into.virtualTarget, 0);
        Quaternions.slerp(plan.targetOrientation, i * 4, plan.targetOrientation, j * 4, u, quaternion, 0);
        Quaternions.log(quaternion, 0, rotation, 0);
        into.virtualTarget[3] = rotation[0];
        into.virtualTarget[4] = rotation[1];
        into.virtualTarget[5] = rotation[2];
        into.scalarStiffness = plan.scalarStiffness;
        if (plan.scalarStiffness) {
            double a = plan.stiffness[i * 6];
            into.stiffnessAlongTarget = a + u * (plan.stiffness[j * 6] - a);
        } else {
            for (int k = 0; k < 6; k++) {
                double a = plan.stiffness[i * 6 + k];
                into.stiffness[k] = a + u * (plan.stiffness[j * 6 + k] - a);
            }
        }
        into.human = false;
        // Policies give a virtual target and stiffness on every axis: no force-controlled axes.
        into.forceAxes = 0;
        into.createdNanos = plan.createdNanos;
        into.policyVersion = plan.policyVersion;
        into.demonstration = false;
        into.sequence = ++emitted;
    }

    private static void lerp(double[] v, int a, int b, double u, double[] out, int o) {
        for (int k = 0; k < 3; k++) {
            out[o + k] = v[a + k] + u * (v[b + k] - v[a + k]);
        }
    }
}
