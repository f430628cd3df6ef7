package io.tendon.edge.policy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Hands whole objects from one writer thread to one reader thread without locks, waiting or
 * allocation (the same triple buffer as {@code io.tendon.edge.control.TargetBuffer}, for any
 * slot type). The writer fills its private slot and publishes it by swapping it with the
 * shared "ready" slot; the reader takes the ready slot when it is fresh and then owns it
 * until its next take. Neither side waits, and the reader never sees a half-written slot.
 *
 * @param <T> the slot type; three are created up front
 */
public final class TripleBuffer<T> {

    private static final int FRESH = 1 << 2;
    private static final int INDEX = 3;

    private final Object[] slots;
    /** Index of the ready slot, plus FRESH when the writer published since the last take. */
    private final AtomicInteger ready = new AtomicInteger(0);
    private int writeIndex = 1;
    private int readIndex = 2;

    public TripleBuffer(Supplier<T> factory) {
        slots = new Object[] {factory.get(), factory.get(), factory.get()};
    }

    /** Writer only: the private slot to fill before {@link #publish()}. */
    @SuppressWarnings("unchecked")
    public T beginWrite() {
        return (T) slots[writeIndex];
    }

    /** Writer only: makes the slot filled since {@link #beginWrite()} the newest. */
    public void publish() {
        writeIndex = ready.getAndSet(writeIndex | FRESH) & INDEX;
    }

    /** Reader only: true when something was published since the reader's last take. */
    public boolean hasFresh() {
        return (ready.get() & FRESH) != 0;
    }

    /**
     * Reader only: the newest published slot, owned by the reader until its next call, or
     * null when nothing new was published since the last take.
     */
    @SuppressWarnings("unchecked")
    public T takeFresh() {
        if ((ready.get() & FRESH) == 0) {
            return null;
        }
        readIndex = ready.getAndSet(readIndex) & INDEX;
        return (T) slots[readIndex];
    }
}
