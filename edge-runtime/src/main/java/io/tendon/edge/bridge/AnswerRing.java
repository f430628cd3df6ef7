package io.tendon.edge.bridge;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The states of one driver connection that still need a command, in arrival order: the transport
 * thread adds (link sequence, driver sequence) for every accepted state, the sender thread removes
 * them as it answers. Single producer, single consumer, fixed capacity, no allocation or locks.
 */
final class AnswerRing {

    private final long[] linkSequences;
    private final long[] driverSequences;
    private final int mask;
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();

    /** @param capacity a power of two */
    AnswerRing(int capacity) {
        linkSequences = new long[capacity];
        driverSequences = new long[capacity];
        mask = capacity - 1;
    }

    /** Producer: false when full (the state will get no command). */
    boolean add(long linkSequence, long driverSequence) {
        long t = tail.get();
        if (t - head.get() > mask) {
            return false;
        }
        int i = (int) (t & mask);
        linkSequences[i] = linkSequence;
        driverSequences[i] = driverSequence;
        tail.lazySet(t + 1);
        return true;
    }

    /** Consumer: the oldest entry's link sequence, or -1 when empty. */
    long peekLink() {
        long h = head.get();
        return h == tail.get() ? -1 : linkSequences[(int) (h & mask)];
    }

    /** Consumer: the oldest entry's driver sequence (call after {@link #peekLink} returned one). */
    long peekDriver() {
        return driverSequences[(int) (head.get() & mask)];
    }

    /** Consumer: how many entries wait. */
    int size() {
        return (int) (tail.get() - head.get());
    }

    /** Consumer: drops the oldest entry. */
    void pop() {
        head.lazySet(head.get() + 1);
    }
}
