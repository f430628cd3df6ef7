package io.tendon.edge.policy;

import io.tendon.edge.control.Quaternions;

/**
 * Temporal ensembling of overlapping action chunks: the row executed at policy tick {@code s}
 * is the weighted mean of every stored chunk's prediction for {@code s}, with weight
 * {@code w = exp(-decay * age)}, where age is how many ticks older the chunk is than the newest
 * chunk (so the newest has weight 1). Positions and stiffness are averaged linearly,
 * orientations as the normalised weighted sum of hemisphere-aligned quaternions. Decay 0 gives
 * the plain mean; a large decay follows the newest chunk alone.
 *
 * <p>Policy thread only; allocation-free after construction.
 */
public final class TemporalEnsembler {

    private final int maxRows;
    private final double decay;
    /** exp(-decay * age) for the ages a stored chunk can have. */
    private final double[] weightByAge;
    private final long[] startTick;
    private final int[] rowCount;
    private final double[][] rows;
    private int next;
    private int stored;
    private long newestStart = Long.MIN_VALUE;

    /**
     * @param maxChunks chunks kept (older ones are forgotten)
     * @param maxRows   rows per chunk at most
     * @param decay     k in w = exp(-k * age), per policy tick, >= 0
     */
    public TemporalEnsembler(int maxChunks, int maxRows, double decay) {
        this.maxRows = maxRows;
        this.decay = decay;
        weightByAge = new double[4 * maxRows + 1];
        for (int age = 0; age < weightByAge.length; age++) {
            weightByAge[age] = Math.exp(-decay * age);
        }
        startTick = new long[maxChunks];
        rowCount = new int[maxChunks];
        rows = new double[maxChunks][maxRows * PlanRow.STRIDE];
    }

    /** Forgets every chunk. */
    public void clear() {
        stored = 0;
        next = 0;
        newestStart = Long.MIN_VALUE;
    }

    /**
     * Stores a chunk whose row {@code r} predicts tick {@code start + r}, from action rows
     * {@code actions[offset + r * dim ..]} (raw units), replacing the oldest stored chunk.
     */
    public void add(long start, float[] actions, int offset, int count, int dim, boolean scalarStiffness) {
        if (count > maxRows) {
            throw new IllegalArgumentException("chunk of " + count + " rows exceeds " + maxRows);
        }
        int slot = next;
        startTick[slot] = start;
        rowCount[slot] = count;
        double[] dst = rows[slot];
        for (int r = 0; r < count; r++) {
            PlanRow.encode(actions, offset + r * dim, scalarStiffness, dst, r * PlanRow.STRIDE);
        }
        next = (next + 1) % startTick.length;
        stored = Math.min(stored + 1, startTick.length);
        newestStart = Math.max(newestStart, start);
    }

    public double decay() {
        return decay;
    }

    /**
     * Writes the ensembled row for {@code tick} into {@code out[o..o+STRIDE)} and returns true,
     * or returns false when no stored chunk covers {@code tick}.
     */
    public boolean blend(long tick, double[] out, int o) {
        // The newest covering chunk is the hemisphere reference for the quaternion sum.
        int reference = -1;
        int covering = 0;
        for (int c = 0; c < stored; c++) {
            if (covers(c, tick)) {
                covering++;
                if (reference < 0 || startTick[c] > startTick[reference]) {
                    reference = c;
                }
            }
        }
        if (reference < 0) {
            return false;
        }
        double[] ref = rows[reference];
        int refRow = (int) (tick - startTick[reference]) * PlanRow.STRIDE;
        if (covering == 1) { // one prediction: the weighted mean is the row itself
            System.arraycopy(ref, refRow, out, o, PlanRow.STRIDE);
            return true;
        }
        for (int k = 0; k < PlanRow.STRIDE; k++) {
            out[o + k] = 0;
        }
        double total = 0;
        for (int c = 0; c < stored; c++) {
            if (!covers(c, tick)) {
                continue;
            }
            long age = newestStart - startTick[c];
            double w = age < weightByAge.length ? weightByAge[(int) age] : Math.exp(-decay * age);
            double[] src = rows[c];
            int s = (int) (tick - startTick[c]) * PlanRow.STRIDE;
            for (int k = 0; k < 3; k++) {
                out[o + PlanRow.POSITION + k] += w * src[s + PlanRow.POSITION + k];
                out[o + PlanRow.TARGET_POSITION + k] += w * src[s + PlanRow.TARGET_POSITION + k];
            }
            for (int k = 0; k < 6; k++) {
                out[o + PlanRow.STIFFNESS + k] += w * src[s + PlanRow.STIFFNESS + k];
            }
            Quaternions.accumulate(out, o + PlanRow.ORIENTATION, src, s + PlanRow.ORIENTATION, w,
                    ref, refRow + PlanRow.ORIENTATION);
            Quaternions.accumulate(out, o + PlanRow.TARGET_ORIENTATION, src, s + PlanRow.TARGET_ORIENTATION, w,
                    ref, refRow + PlanRow.TARGET_ORIENTATION);
            total += w;
        }
        for (int k = 0; k < 3; k++) {
            out[o + PlanRow.POSITION + k] /= total;
            out[o + PlanRow.TARGET_POSITION + k] /= total;
        }
        for (int k = 0; k < 6; k++) {
            out[o + PlanRow.STIFFNESS + k] /= total;
        }
        Quaternions.normalize(out, o + PlanRow.ORIENTATION);
        Quaternions.normalize(out, o + PlanRow.TARGET_ORIENTATION);
        return true;
    }

    private boolean covers(int c, long tick) {
        return tick >= startTick[c] && tick < startTick[c] + rowCount[c];
    }
}
