package io.tendon.learner.replay;

import java.util.Arrays;

/**
 * An open-addressing map from an episode's step to the replay row holding it (linear probing,
 * backward-shift deletion, no tombstones), sized to the rows it holds rather than to the step
 * numbers, so one stray huge step cannot blow up memory. Not thread-safe.
 */
final class StepMap {

    private static final long EMPTY = -1L;

    private long[] keys;
    private int[] values;
    private int size;

    StepMap() {
        keys = new long[16];
        Arrays.fill(keys, EMPTY);
        values = new int[16];
    }

    int size() {
        return size;
    }

    /** The row of {@code step}, or -1. Steps are unsigned 64-bit numbers below 2^63 - 1 in practice. */
    int get(long step) {
        int mask = keys.length - 1;
        for (int i = mix(step) & mask; ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == step) {
                return values[i];
            }
            if (k == EMPTY) {
                return -1;
            }
        }
    }

    boolean contains(long step) {
        return get(step) >= 0;
    }

    /** Maps {@code step} to {@code row} (row >= 0), replacing any previous row. */
    void put(long step, int row) {
        if ((size + 1) * 4 > keys.length * 3) {
            grow();
        }
        int mask = keys.length - 1;
        for (int i = mix(step) & mask; ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == step) {
                values[i] = row;
                return;
            }
            if (k == EMPTY) {
                keys[i] = step;
                values[i] = row;
                size++;
                return;
            }
        }
    }

    /** Removes {@code step}; returns its row or -1. */
    int remove(long step) {
        int mask = keys.length - 1;
        int i = mix(step) & mask;
        while (keys[i] != step) {
            if (keys[i] == EMPTY) {
                return -1;
            }
            i = (i + 1) & mask;
        }
        int removed = values[i];
        // Shift later entries of the probe run back so lookups never stop at a hole too early.
        int hole = i;
        for (int j = (i + 1) & mask; keys[j] != EMPTY; j = (j + 1) & mask) {
            int home = mix(keys[j]) & mask;
            boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = EMPTY;
        size--;
        return removed;
    }

    /** Calls {@code visitor} with every row. */
    void forEachRow(RowVisitor visitor) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                visitor.visit(values[i]);
            }
        }
    }

    interface RowVisitor {
        void visit(int row);
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        // Four times while small: an episode of a hundred chunks re-inserts its steps twice in
        // all instead of five times (16, 64, 256 slots), and ends at the same size as doubling.
        int capacity = oldKeys.length < 256 ? oldKeys.length * 4 : oldKeys.length * 2;
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        values = new int[capacity];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    private static int mix(long step) {
        long h = step * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
