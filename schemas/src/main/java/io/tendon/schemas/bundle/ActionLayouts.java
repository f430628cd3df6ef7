package io.tendon.schemas.bundle;

import io.tendon.schemas.v1.ActionLayoutKind;

/** Widths of the action rows a bundle can declare (policy.proto, ActionLayoutKind). */
public final class ActionLayouts {

    /** Components before the stiffness: pose 6 and virtual target 6. */
    public static final int STIFFNESS_OFFSET = 12;

    private ActionLayouts() {
    }

    /** Components of one row for a layout kind (13 or 18), or -1 for an unknown kind. */
    public static int dim(ActionLayoutKind kind) {
        switch (kind) {
            case POSE_TARGET_STIFFNESS:
                return 13;
            case POSE_TARGET_STIFFNESS6:
                return 18;
            default:
                return -1;
        }
    }
}
