package io.tendon.learner.replay;

import io.tendon.learner.ingest.DecodedTransition;
import io.tendon.schemas.v1.Source;
import java.nio.ByteBuffer;

/**
 * One source's rows in preallocated primitive arrays, used as a ring: the row inserted n-th
 * (0-based) lives in slot {@code n % capacity}, so while the table fills the occupied slots are
 * exactly {@code [0, size)} and once full the next insert evicts the oldest row (FIFO). No
 * object per row. Not thread-safe: the replay buffer guards it.
 */
final class ReplayTable {

    static final byte TERMINATED = 1;
    static final byte TRUNCATED = 2;

    final Source source;
    final int index;
    final int capacity;
    final int stateDim;
    final int horizon;
    final int chunk;
    final int maskWords;

    final float[] state;
    final float[] nextState;
    final float[] action;
    final float[] policyAction;
    final float[] rewards;
    final long[] validMask;
    final long[] interventionMask;
    final byte[] flags;
    /** Index of the row's episode in the buffer's episode index. */
    final int[] episode;
    final long[] step;
    /** Insert sequence number of the row in each slot (slot = seq % capacity): stale priority updates are ignored. */
    final long[] seq;
    /** Priority^alpha of each row, kept while the row is not sampleable so it can be restored; null when uniform. */
    final double[] priority;
    final SumTree tree;

    /** Rows ever inserted: the next row's sequence number. */
    long inserted;
    int size;
    /** Rows whose episode weight is 0 (not sampleable). */
    int ineligible;

    ReplayTable(Source source, int index, int capacity, int stateDim, int horizon, int actionDim, boolean prioritized) {
        long chunkCells = (long) capacity * horizon * actionDim;
        long stateCells = (long) capacity * stateDim;
        if (chunkCells > Integer.MAX_VALUE - 8 || stateCells > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tendon.replay.capacity." + source.name().toLowerCase()
                    + " (" + capacity + ") x chunk or state size exceeds one Java array (2^31 values)");
        }
        this.source = source;
        this.index = index;
        this.capacity = capacity;
        this.stateDim = stateDim;
        this.horizon = horizon;
        this.chunk = horizon * actionDim;
        this.maskWords = (horizon + 63) / 64;
        state = new float[capacity * stateDim];
        nextState = new float[capacity * stateDim];
        action = new float[capacity * chunk];
        policyAction = new float[capacity * chunk];
        rewards = new float[capacity * horizon];
        validMask = new long[capacity * maskWords];
        interventionMask = new long[capacity * maskWords];
        flags = new byte[capacity];
        episode = new int[capacity];
        step = new long[capacity];
        seq = new long[capacity];
        priority = prioritized ? new double[capacity] : null;
        tree = prioritized ? new SumTree(capacity) : null;
    }

    /** The slot the next insert goes to (holding the oldest row once the table is full). */
    int nextSlot() {
        return (int) (inserted % capacity);
    }

    boolean full() {
        return size == capacity;
    }

    int eligible() {
        return size - ineligible;
    }

    /** Writes {@code t} into the next slot and advances the ring; returns the slot. */
    int append(DecodedTransition t, int episodeIndex) {
        int slot = nextSlot();
        System.arraycopy(t.state, 0, state, slot * stateDim, stateDim);
        System.arraycopy(t.nextState, 0, nextState, slot * stateDim, stateDim);
        System.arraycopy(t.action, 0, action, slot * chunk, chunk);
        // A demonstration has no policy chunk: the policy's action is the executed one.
        System.arraycopy(t.hasPolicyChunk ? t.policyAction : t.action, 0, policyAction, slot * chunk, chunk);
        System.arraycopy(t.rewards, 0, rewards, slot * horizon, horizon);
        System.arraycopy(t.validMask, 0, validMask, slot * maskWords, maskWords);
        System.arraycopy(t.interventionMask, 0, interventionMask, slot * maskWords, maskWords);
        flags[slot] = (byte) ((t.terminated ? TERMINATED : 0) | (t.truncated ? TRUNCATED : 0));
        episode[slot] = episodeIndex;
        step[slot] = t.step;
        seq[slot] = inserted;
        inserted++;
        if (size < capacity) {
            size++;
        }
        return slot;
    }

    /** Copies the row in {@code slot} into row {@code row} of {@code b} (weight, slot left to the caller). */
    void copyTo(int slot, Batch b, int row) {
        int s = stateDim;
        System.arraycopy(state, slot * s, b.state, row * s, s);
        System.arraycopy(nextState, slot * s, b.nextState, row * s, s);
        System.arraycopy(action, slot * chunk, b.action, row * chunk, chunk);
        System.arraycopy(policyAction, slot * chunk, b.policyAction, row * chunk, chunk);
        System.arraycopy(rewards, slot * horizon, b.rewards, row * horizon, horizon);
        unpack(validMask, slot * maskWords, b.validMask, row * horizon, horizon);
        unpack(interventionMask, slot * maskWords, b.interventionMask, row * horizon, horizon);
        byte f = flags[slot];
        b.terminated[row] = (f & TERMINATED) != 0 ? 1f : 0f;
        b.truncated[row] = (f & TRUNCATED) != 0 ? 1f : 0f;
        b.source[row] = (byte) source.getNumber();
    }

    private static void unpack(long[] words, int at, float[] out, int to, int n) {
        for (int i = 0; i < n; i++) {
            out[to + i] = (words[at + (i >>> 6)] >>> (i & 63) & 1L) != 0 ? 1f : 0f;
        }
    }

    /** Slot of the i-th oldest row (0 = oldest). */
    int slotOfAge(int i) {
        long first = inserted - size;
        return (int) ((first + i) % capacity);
    }

    /** Bytes of one row in a checkpoint ({@link #writeRow}). */
    int rowBytes() {
        return 1 + 8 + 4 * (2 * stateDim + 2 * chunk + horizon) + 16 * maskWords;
    }

    /** Puts the row in {@code slot} into {@code out} (big-endian, {@link #rowBytes()} bytes). */
    void writeRow(ByteBuffer out, int slot) {
        out.put(flags[slot]);
        out.putLong(step[slot]);
        putFloats(out, state, slot * stateDim, stateDim);
        putFloats(out, nextState, slot * stateDim, stateDim);
        putFloats(out, action, slot * chunk, chunk);
        putFloats(out, policyAction, slot * chunk, chunk);
        putFloats(out, rewards, slot * horizon, horizon);
        for (int i = 0; i < maskWords; i++) {
            out.putLong(validMask[slot * maskWords + i]);
            out.putLong(interventionMask[slot * maskWords + i]);
        }
    }

    /** Appends a row written by {@link #writeRow} as the newest row; returns its slot. */
    int readRow(ByteBuffer in, int episodeIndex) {
        int slot = nextSlot();
        flags[slot] = in.get();
        step[slot] = in.getLong();
        getFloats(in, state, slot * stateDim, stateDim);
        getFloats(in, nextState, slot * stateDim, stateDim);
        getFloats(in, action, slot * chunk, chunk);
        getFloats(in, policyAction, slot * chunk, chunk);
        getFloats(in, rewards, slot * horizon, horizon);
        for (int i = 0; i < maskWords; i++) {
            validMask[slot * maskWords + i] = in.getLong();
            interventionMask[slot * maskWords + i] = in.getLong();
        }
        episode[slot] = episodeIndex;
        seq[slot] = inserted;
        inserted++;
        if (size < capacity) {
            size++;
        }
        return slot;
    }

    private static void putFloats(ByteBuffer out, float[] a, int from, int n) {
        out.asFloatBuffer().put(a, from, n);
        out.position(out.position() + 4 * n);
    }

    private static void getFloats(ByteBuffer in, float[] a, int from, int n) {
        in.asFloatBuffer().get(a, from, n);
        in.position(in.position() + 4 * n);
    }

    /** Bytes of row storage per slot (arrays above, sum-tree leaves and inner nodes included). */
    long bytesPerRow() {
        long b = 4L * (2L * stateDim + 2L * chunk + horizon) + 8L * 2 * maskWords + 1 + 4 + 8 + 8;
        if (priority != null) {
            b += 8 + 16;
        }
        return b;
    }

    void clear() {
        inserted = 0;
        size = 0;
        ineligible = 0;
        if (tree != null) {
            tree.clear();
        }
    }
}
