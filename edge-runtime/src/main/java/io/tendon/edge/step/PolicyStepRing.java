package io.tendon.edge.step;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded single-producer, single-consumer ring of preallocated {@link PolicyStep}s: the
 * simulation thread copies each step in ({@link #onPolicyStep}, no allocation, no waiting),
 * another thread takes them out in order ({@link #poll}). When the ring is full a step is
 * dropped and counted, never waited for.
 */
public final class PolicyStepRing implements PolicyStepListener {

    private final PolicyStep[] slots;
    private final int mask;
    private final AtomicLong head = new AtomicLong(); // next to read
    private final AtomicLong tail = new AtomicLong(); // next to write
    private final AtomicLong dropped = new AtomicLong();

    /**
     * @param capacity   rounded up to a power of two
     * @param featureDim size of the steps' observation features (the robot's)
     * @param latentDim  size of their latents (the transition layout's)
     */
    public PolicyStepRing(int capacity, int featureDim, int latentDim) {
        int n = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
        slots = new PolicyStep[n];
        for (int i = 0; i < n; i++) {
            slots[i] = new PolicyStep(featureDim, latentDim);
        }
        mask = n - 1;
    }

    /** Producer only. */
    @Override
    public void onPolicyStep(PolicyStep step) {
        long t = tail.get();
        if (t - head.get() >= slots.length) {
            dropped.lazySet(dropped.get() + 1);
            return;
        }
        slots[(int) (t & mask)].copyFrom(step);
        tail.lazySet(t + 1);
    }

    /** Consumer only: copies the oldest step into {@code into} and returns true, or false when empty. */
    public boolean poll(PolicyStep into) {
        long h = head.get();
        if (h >= tail.get()) {
            return false;
        }
        into.copyFrom(slots[(int) (h & mask)]);
        head.lazySet(h + 1);
        return true;
    }

    /** Steps dropped because the consumer fell behind. */
    public long dropped() {
        return dropped.get();
    }

    /** Steps waiting. */
    public int capacity() {
        return slots.length;
    }

    public int size() {
        return (int) (tail.get() - head.get());
    }
}
