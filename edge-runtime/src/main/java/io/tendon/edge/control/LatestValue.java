package io.tendon.edge.control;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The edge's one hand-off of a newest value from one writer thread to one reader thread,
 * without locks, waiting or allocation: a triple buffer over three preallocated slots. The
 * writer fills its private slot ({@link #beginWrite}) and publishes it ({@link #publish}) by
 * swapping it with the shared "ready" slot; the reader takes the ready slot when it is fresh
 * ({@link #take}) and owns it until its next take. Neither side ever waits for the other, the
 * reader never sees a half-written slot, and a value the reader has not taken yet is replaced
 * by a newer one (the newest wins; {@link #publish} says when that happened).
 *
 * <p>Optionally, publishing wakes a bound reader thread with {@link LockSupport#unpark} (a
 * robot-clocked control thread that parks until the next state arrives).
 *
 * <p>Typed uses: {@link TargetBuffer} (targets to the control loop), robot states and commands
 * across the robot link, observations and plans between the policy thread and the others.
 *
 * @param <T> the slot type, filled in place
 */
public final class LatestValue<T> {

    private static final int FRESH = 1 << 2;
    private static final int INDEX = 3;

    private final Object[] slots;
    /** Index of the ready slot, plus FRESH when the writer published since the reader's last take. */
    private final AtomicInteger ready = new AtomicInteger(0);
    private int writeIndex = 1;
    private int readIndex = 2;
    private volatile Thread reader;

    /** Three slots from {@code factory}; configure time only. */
    public LatestValue(Supplier<T> factory) {
        slots = new Object[] {factory.get(), factory.get(), factory.get()};
    }

    /** The thread to wake on publish (a control or sender thread that parks while nothing is new). */
    public void bindReader(Thread thread) {
        reader = thread;
    }

    /** Writer only: the private slot to fill before {@link #publish()}. */
    @SuppressWarnings("unchecked")
    public T beginWrite() {
        return (T) slots[writeIndex];
    }

    /**
     * Writer only: makes the slot filled since {@link #beginWrite()} the newest, and wakes the
     * bound reader. Returns true when this replaced a value the reader had not taken.
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

    /** Reader only: true when something was published since the reader's last take. */
    public boolean hasFresh() {
        return (ready.get() & FRESH) != 0;
    }

    /**
     * Reader only: the newest published slot, owned by the reader until its next call, or null
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
