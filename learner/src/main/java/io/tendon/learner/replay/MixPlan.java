package io.tendon.learner.replay;

import java.util.SplittableRandom;

/**
 * How many rows of a batch each table gives (the mixing of issue 5). With weights {@code w_t}
 * over the tables that have a sampleable row, table t gives {@code n w_t / sum(w)} rows: the
 * whole part always, the fractional remainder row by row with probability proportional to what
 * each table lost to rounding, so every table's expected count is exactly its share. A table
 * with nothing to sample gives its share to the others in proportion to their weights.
 * Allocation-free; not thread-safe (the buffer's lock serialises calls).
 */
final class MixPlan {

    private final double[] weights;
    private final double[] share;
    /** Rows per table of the last successful {@link #plan}. */
    final int[] counts;

    MixPlan(double[] weights) {
        this.weights = weights.clone();
        this.share = new double[weights.length];
        this.counts = new int[weights.length];
    }

    /**
     * Plans a batch of {@code n} rows over the first {@code tables} tables, given how many rows
     * each can sample. With {@code bySizeWhenUnweighted}, tables whose weights are all 0 are
     * mixed in proportion to their sampleable rows instead of refusing.
     *
     * @return false when no table with a positive weight has a sampleable row
     */
    boolean plan(int n, int tables, int[] sampleable, boolean bySizeWhenUnweighted, SplittableRandom rng) {
        double sum = 0;
        for (int t = 0; t < share.length; t++) {
            share[t] = t < tables && sampleable[t] > 0 ? weights[t] : 0;
            sum += share[t];
        }
        if (sum <= 0 && bySizeWhenUnweighted) {
            for (int t = 0; t < tables; t++) {
                share[t] = sampleable[t];
                sum += share[t];
            }
        }
        if (sum <= 0) {
            return false;
        }
        int assigned = 0;
        double fractions = 0;
        for (int t = 0; t < share.length; t++) {
            double exact = n * share[t] / sum;
            counts[t] = (int) Math.floor(exact);
            share[t] = exact - counts[t];
            fractions += share[t];
            assigned += counts[t];
        }
        for (int rest = n - assigned; rest > 0; rest--) {
            double u = rng.nextDouble() * fractions;
            int pick = -1;
            for (int t = 0; t < share.length; t++) {
                if (share[t] > 0) {
                    pick = t;
                    if (u < share[t]) {
                        break;
                    }
                    u -= share[t];
                }
            }
            counts[pick]++;
        }
        return true;
    }
}
