package io.tendon.learner.replay;

import java.util.Arrays;

/**
 * A sum tree over a table's slots for prioritised sampling (Schaul et al., PER): each leaf
 * holds a slot's sampling mass, each inner node the sum of its children, so drawing a slot
 * with probability mass / total and changing one mass are both O(log capacity). Stored as
 * one flat array (node i has children 2i and 2i + 1, leaves from {@code leaves} on).
 * Not thread-safe.
 */
final class SumTree {

    private final int leaves;
    private final double[] nodes;

    SumTree(int capacity) {
        int n = 1;
        while (n < capacity) {
            n <<= 1;
        }
        leaves = n;
        nodes = new double[2 * n];
    }

    void set(int slot, double mass) {
        int i = leaves + slot;
        double delta = mass - nodes[i];
        if (delta == 0) {
            return;
        }
        nodes[i] = mass;
        // Recompute sums rather than adding deltas, so rounding errors do not accumulate.
        for (i >>>= 1; i >= 1; i >>>= 1) {
            nodes[i] = nodes[2 * i] + nodes[2 * i + 1];
        }
    }

    double get(int slot) {
        return nodes[leaves + slot];
    }

    double total() {
        return nodes[1];
    }

    /**
     * The slot whose cumulative mass interval holds {@code u}, for {@code 0 <= u < total()};
     * never a slot of mass 0 while total() > 0.
     */
    int find(double u) {
        int i = 1;
        while (i < leaves) {
            int left = 2 * i;
            double l = nodes[left];
            if (u < l || nodes[left + 1] <= 0) {
                i = l > 0 ? left : left + 1;
            } else {
                u -= l;
                i = left + 1;
            }
        }
        return i - leaves;
    }

    void clear() {
        Arrays.fill(nodes, 0);
    }
}
