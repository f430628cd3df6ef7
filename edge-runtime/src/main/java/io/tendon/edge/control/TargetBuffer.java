package io.tendon.edge.control;

/**
 * Hands {@link Targets} from one writer thread (the teleop stream, the scripted expert) to the
 * control thread: a typed {@link LatestValue}. When nothing new arrived the reader keeps its
 * last value.
 */
public final class TargetBuffer implements TargetSource {

    private final LatestValue<Targets> value = new LatestValue<>(Targets::new);

    /** Writer only: the private slot to fill before {@link #publish()}. */
    public Targets beginWrite() {
        return value.beginWrite();
    }

    /** Writer only: makes the slot filled since {@link #beginWrite()} the newest. */
    public void publish() {
        value.publish();
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
        Targets fresh = value.take();
        if (fresh == null) {
            return false;
        }
        into.copyFrom(fresh);
        return true;
    }
}
