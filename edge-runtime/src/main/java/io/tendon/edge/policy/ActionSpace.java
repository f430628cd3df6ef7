package io.tendon.edge.policy;

import io.tendon.schemas.bundle.ActionLayouts;
import io.tendon.schemas.v1.ActionLayoutKind;

/**
 * One action row as the bundle defines it: pose 6 (m, rad rotation vector), virtual target 6,
 * then stiffness 1 (N/m, along pose to virtual target) or 6 (per axis), with the action
 * normalisation and the per-component bounds. Methods work in place on a caller's rows.
 */
public final class ActionSpace {

    /** Components before the stiffness: pose 6 and virtual target 6. */
    public static final int STIFFNESS_OFFSET = ActionLayouts.STIFFNESS_OFFSET;

    public final ActionLayoutKind kind;
    /** Components per row: 13 or 18. */
    public final int dim;
    public final boolean scalarStiffness;
    private final float[] lower;
    private final float[] upper;
    private final float[] mean;
    private final float[] std;

    /**
     * @param mean action mean (length dim), or empty for none
     * @param std  action standard deviation (length dim), or empty for none
     */
    public ActionSpace(ActionLayoutKind kind, float[] lower, float[] upper, float[] mean, float[] std) {
        this.kind = kind;
        this.dim = ActionLayouts.dim(kind);
        this.scalarStiffness = kind == ActionLayoutKind.POSE_TARGET_STIFFNESS;
        this.lower = lower.clone();
        this.upper = upper.clone();
        this.mean = mean.length == 0 ? null : mean.clone();
        this.std = std.length == 0 ? null : std.clone();
    }

    public float lower(int component) {
        return lower[component];
    }

    public float upper(int component) {
        return upper[component];
    }

    /** Raw = normalised * std + mean, for {@code rows} rows starting at {@code offset}. */
    public void denormalise(float[] rows, int offset, int rowCount) {
        if (mean == null) {
            return;
        }
        for (int r = 0; r < rowCount; r++) {
            int base = offset + r * dim;
            for (int c = 0; c < dim; c++) {
                rows[base + c] = rows[base + c] * std[c] + mean[c];
            }
        }
    }

    /** Clamps every component to its bounds; returns how many components were out of bounds. */
    public int clamp(float[] rows, int offset, int rowCount) {
        int clamped = 0;
        for (int r = 0; r < rowCount; r++) {
            int base = offset + r * dim;
            for (int c = 0; c < dim; c++) {
                float v = rows[base + c];
                if (v < lower[c]) {
                    rows[base + c] = lower[c];
                    clamped++;
                } else if (v > upper[c]) {
                    rows[base + c] = upper[c];
                    clamped++;
                }
            }
        }
        return clamped;
    }

    /** True when every value in {@code values[offset, offset + length)} is finite. */
    public static boolean allFinite(float[] values, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (!Float.isFinite(values[i])) {
                return false;
            }
        }
        return true;
    }
}
