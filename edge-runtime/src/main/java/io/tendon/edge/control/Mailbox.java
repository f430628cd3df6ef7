package io.tendon.edge.control;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Hands the newest value from one writer thread to one reader thread without locks, waiting
 * or allocation: a triple buffer over three preallocated slots, like {@link TargetBuffer}.
 * Publishing wakes the bound reader thread with {@link LockSupport#unpark}. A value the reader
 * has not taken yet is replaced by a newer one (the newest state wins; the caller counts it).
 *
 * @param <T> the slot type, filled in place
 */
public final class Mailbox<T> {

    private static final int FRESH = 1 << 2;
    private static final int INDEX = 3;

    private final Object[] slots;
    private final AtomicInteger ready = new AtomicInteger(0);
    private int writeIndex = 1;
    private int readIndex = 2;
    private volatile Thread reader;

    public Mailbox(T a, T b, T c) {
        slots = new Object[] {a, b, c};
    }

    /** The thread to wake on publish (the control thread, or a sender thread). */
    public void bindReader(Thread thread) {
        reader = thread;
    }

    /** Writer only: the private slot to fill before {@link #publish()}. */
    @SuppressWarnings("unchecked")
    public T beginWrite() {
        return (T) slots[writeIndex];
    }

    /**
     * Writer only: makes the slot filled since {@link #beginWrite()} the newest and wakes the
     * reader. Returns true when this replaced a value the reader had not taken.
     */
    public boolean publish() {
        int previous = ready.getAndSet(writeIndex | FRESH);
        writeIndex = previous & INDEX;
        Thread r = reader;
        if (r != null) {
            LockSupport.unpark(r);
        }
        return (previous & FRESH) != 0;
    }

    /**
     * Reader only: the newest published value, to read in place until the next call, or null
     * when nothing new was published since the last take.
     */
    @SuppressWarnings("unchecked")
    public T take() {
        if ((ready.get() & FRESH) == 0) {
            return null;
        }
        readIndex = ready.getAndSet(readIndex) & INDEX;
        return (T) slots[readIndex];
    }
}
