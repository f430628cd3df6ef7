package io.tendon.edge.episode;

import io.tendon.edge.control.Targets;

/** Targets as one action row of layout 1 (13 floats: pose 6, virtual target 6, stiffness 1). */
final class ActionRows {

    static final int WIDTH = 13;

    private ActionRows() {
    }

    /**
     * Writes {@code t} at {@code out[offset..offset+13)}. A per-axis stiffness becomes the
     * stiffness along the pose-to-virtual-target direction d (d^T K d, K diagonal), the quantity
     * layout 1 carries; with no direction (pose on the target) the z stiffness.
     */
    static void write(Targets t, float[] out, int offset) {
        for (int i = 0; i < 6; i++) {
            out[offset + i] = (float) t.pose[i];
            out[offset + 6 + i] = (float) t.virtualTarget[i];
        }
        out[offset + 12] = (float) stiffnessAlongTarget(t);
    }

    static double stiffnessAlongTarget(Targets t) {
        if (t.scalarStiffness) {
            return t.stiffnessAlongTarget;
        }
        double dx = t.virtualTarget[0] - t.pose[0];
        double dy = t.virtualTarget[1] - t.pose[1];
        double dz = t.virtualTarget[2] - t.pose[2];
        double n2 = dx * dx + dy * dy + dz * dz;
        if (n2 < 1e-12) {
            return t.stiffness[2];
        }
        return (dx * dx * t.stiffness[0] + dy * dy * t.stiffness[1] + dz * dz * t.stiffness[2]) / n2;
    }
}
