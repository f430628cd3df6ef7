package io.tendon.edge.control;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands {@link Targets} from one writer thread (policy or teleop) to the control thread
 * without locks, waiting or allocation: a triple buffer. The writer fills a private slot and
 * publishes it by swapping it with the shared "ready" slot; the reader takes the ready slot
 * when it is fresh. Neither side ever waits for the other, and the reader always sees a whole
 * Targets, never one half-written. When nothing new arrived the reader keeps its last value.
 */
public final class TargetBuffer implements TargetSource {

    private static final int FRESH = 1 << 2;
    private static final int INDEX = 3;

    private final Targets[] slots = {new Targets(), new Targets(), new Targets()};
    /** Index of the ready slot, plus FRESH when the writer published since the last take. */
    private final AtomicInteger ready = new AtomicInteger(0);
    private int writeIndex = 1;
    private int readIndex = 2;

    /** Writer only: the private slot to fill before {@link #publish()}. */
    public Targets beginWrite() {
        return slots[writeIndex];
    }

    /** Writer only: makes the slot filled since {@link #beginWrite()} the newest. */
    public void publish() {
        writeIndex = ready.getAndSet(writeIndex | FRESH) & INDEX;
    }

    /** Reader only: the newest published targets, whatever the time (see {@link #readLatest}). */
    @Override
    public boolean targetsAt(long nowNanos, Targets into) {
        return readLatest(into);
    }

    /**
     * Reader only: copies the newest published targets into {@code into} and returns true,
     * or returns false and leaves {@code into} unchanged when nothing new was published.
     */
    public boolean readLatest(Targets into) {
        if ((ready.get() & FRESH) == 0) {
            return false;
        }
        readIndex = ready.getAndSet(readIndex) & INDEX;
        into.copyFrom(slots[readIndex]);
        return true;
    }
}
