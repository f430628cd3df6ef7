package io.tendon.edge.policy;

import io.tendon.edge.control.Quaternions;

/**
 * The executor's form of one action row: position, orientation quaternion, virtual-target
 * position and quaternion, stiffness (6 slots; scalar stiffness uses slot 0), {@link #STRIDE}
 * doubles in a caller's array. Orientations become quaternions once, on the policy thread, so
 * that blending and the control side's slerp need no further conversion.
 */
final class PlanRow {

    static final int POSITION = 0;
    static final int ORIENTATION = 3;
    static final int TARGET_POSITION = 7;
    static final int TARGET_ORIENTATION = 10;
    static final int STIFFNESS = 14;
    static final int STRIDE = 20;

    private PlanRow() {
    }

    /** Encodes action row {@code action[a..a+dim)} into {@code out[o..o+STRIDE)}. */
    static void encode(float[] action, int a, boolean scalarStiffness, double[] out, int o) {
        out[o + POSITION] = action[a];
        out[o + POSITION + 1] = action[a + 1];
        out[o + POSITION + 2] = action[a + 2];
        Quaternions.exp(action[a + 3], action[a + 4], action[a + 5], out, o + ORIENTATION);
        out[o + TARGET_POSITION] = action[a + 6];
        out[o + TARGET_POSITION + 1] = action[a + 7];
        out[o + TARGET_POSITION + 2] = action[a + 8];
        Quaternions.exp(action[a + 9], action[a + 10], action[a + 11], out,
                o + TARGET_ORIENTATION);
        int s = a + ActionSpace.STIFFNESS_OFFSET;
        if (scalarStiffness) {
            out[o + STIFFNESS] = action[s];
            for (int k = 1; k < 6; k++) {
                out[o + STIFFNESS + k] = 0;
            }
        } else {
            for (int k = 0; k < 6; k++) {
                out[o + STIFFNESS + k] = action[s + k];
            }
        }
    }

    /** Copies encoded row {@code src[s..]} into row {@code i} of {@code plan}. */
    static void toPlan(double[] src, int s, ActionPlan plan, int i) {
        System.arraycopy(src, s + POSITION, plan.position, i * 3, 3);
        System.arraycopy(src, s + ORIENTATION, plan.orientation, i * 4, 4);
        System.arraycopy(src, s + TARGET_POSITION, plan.targetPosition, i * 3, 3);
        System.arraycopy(src, s + TARGET_ORIENTATION, plan.targetOrientation, i * 4, 4);
        System.arraycopy(src, s + STIFFNESS, plan.stiffness, i * 6, 6);
    }
}
