package io.tendon.learner.train;

import java.util.ArrayDeque;

/** Events per second over roughly the last {@code windowNanos}, from samples of a running count. */
public final class RateWindow {

    private record Sample(long nanos, double count) {
    }

    private final long windowNanos;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    public RateWindow(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    public synchronized void record(long nanos, double count) {
        samples.addLast(new Sample(nanos, count));
        while (samples.size() > 2 && nanos - samples.peekFirst().nanos() > windowNanos) {
            samples.removeFirst();
        }
    }

    public synchronized double perSecond() {
        if (samples.size() < 2) {
            return 0;
        }
        Sample first = samples.peekFirst();
        Sample last = samples.peekLast();
        long dt = last.nanos() - first.nanos();
        return dt <= 0 ? 0 : (last.count() - first.count()) * 1e9 / dt;
    }
}
