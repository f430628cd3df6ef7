package io.tendon.edge.policy;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The last observations the policy acted on, each with the actions it proposed there: what a
 * policy update is checked against before it runs (its shadow check). One writer, the policy
 * thread, copies into preallocated slots without locks or allocation; a reader on another thread
 * takes a consistent copy ({@link #snapshot}), retrying a slot the writer was filling (a per-slot
 * sequence lock).
 */
public final class ObservationHistory {

    private final Observation[] observations;
    private final float[][] actions;
    private final int[] rows;
    private final AtomicLong[] versions;
    private final AtomicLong written = new AtomicLong();
    private final int actionCapacity;

    /**
     * @param capacity      observations kept
     * @param actionCapacity floats of one proposal (H x A)
     */
    public ObservationHistory(int capacity, int featureDim, int stateDim, int actionCapacity) {
        observations = new Observation[capacity];
        actions = new float[capacity][actionCapacity];
        rows = new int[capacity];
        versions = new AtomicLong[capacity];
        for (int i = 0; i < capacity; i++) {
            observations[i] = new Observation(featureDim, stateDim);
            versions[i] = new AtomicLong();
        }
        this.actionCapacity = actionCapacity;
    }

    public int capacity() {
        return observations.length;
    }

    /** Writer only: records {@code obs} and the {@code rowCount} action rows proposed there. Allocation-free. */
    public void record(Observation obs, float[] proposed, int floats, int rowCount) {
        long n = written.get();
        int slot = (int) (n % observations.length);
        AtomicLong v = versions[slot];
        v.lazySet(v.get() + 1); // odd: being written
        java.lang.invoke.VarHandle.storeStoreFence();
        observations[slot].copyFrom(obs);
        System.arraycopy(proposed, 0, actions[slot], 0, Math.min(floats, actionCapacity));
        rows[slot] = rowCount;
        java.lang.invoke.VarHandle.storeStoreFence();
        v.lazySet(v.get() + 1); // even: complete
        written.lazySet(n + 1);
    }

    /** Observations recorded so far (all time). */
    public long recorded() {
        return written.get();
    }

    /** One recorded observation and what the running policy proposed there. */
    public record Entry(Observation observation, float[] actions, int rows) {
    }

    /** A copy of the recorded entries, oldest first (allocates: not for the policy thread). */
    public java.util.List<Entry> snapshot() {
        long n = written.get();
        int count = (int) Math.min(n, observations.length);
        java.util.List<Entry> out = new java.util.ArrayList<>(count);
        for (long i = n - count; i < n; i++) {
            int slot = (int) (i % observations.length);
            Observation o = new Observation(observations[slot].features.length, observations[slot].state.length);
            float[] a = new float[actionCapacity];
            int r;
            long before;
            long after;
            do {
                before = versions[slot].get();
                java.lang.invoke.VarHandle.loadLoadFence();
                o.copyFrom(observations[slot]);
                System.arraycopy(actions[slot], 0, a, 0, actionCapacity);
                r = rows[slot];
                java.lang.invoke.VarHandle.loadLoadFence();
                after = versions[slot].get();
            } while (before != after || (before & 1) != 0);
            out.add(new Entry(o, a, r));
        }
        return out;
    }
}
