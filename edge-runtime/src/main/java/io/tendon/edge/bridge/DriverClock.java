package io.tendon.edge.bridge;

/**
 * How late a robot driver's state reached the edge, judged without a shared clock. Each state
 * carries the driver's monotonic time {@code m}; on arrival the edge's {@code e - m} is the clock
 * offset plus the one-way latency. The smallest value seen lately stands for "offset plus the best
 * latency", and a state whose value exceeds it by more than the stale limit arrived late.
 *
 * <p>"Lately" is a sliding window of edge time, kept as a ring of bucket minima that expire, so the
 * reference follows the offset both ways: a driver clock faster than the edge's lowers it (a new
 * minimum at once), a slower one raises it (old minima expire after the window). Either way the
 * reference lags the true offset by at most {@code drift x window} (50 ppm over 16 s: 0.8 ms), where
 * an all-time minimum drifts without bound (at 10 ppm slow every state looked stale after about 33
 * minutes with a 20 ms limit). The price of forgetting: a latency that stays high for a whole window
 * becomes the new normal. Allocation-free; one thread (the session's transport thread).
 */
final class DriverClock {

    private final long[] minima;
    private final long bucketNanos;
    private long bucketStart;
    private int current;
    private boolean started;

    /** @param windowNanos how long a minimum counts; kept in {@code buckets} buckets of window / buckets each */
    DriverClock(long windowNanos, int buckets) {
        this.minima = new long[buckets];
        this.bucketNanos = Math.max(1, windowNanos / buckets);
    }

    /**
     * Records a state measured at driver time {@code driverNanos} that arrived at edge time
     * {@code edgeNanos}, and returns how much later than the best recent arrival it is (0 for the
     * new best), nanoseconds.
     */
    long lateness(long driverNanos, long edgeNanos) {
        long offset = edgeNanos - driverNanos;
        if (!started) {
            java.util.Arrays.fill(minima, Long.MAX_VALUE);
            bucketStart = edgeNanos;
            started = true;
        }
        long elapsed = edgeNanos - bucketStart;
        if (elapsed >= bucketNanos) {
            long steps = elapsed / bucketNanos;
            int clear = (int) Math.min(steps, minima.length);
            for (int i = 0; i < clear; i++) {
                current = (current + 1) % minima.length;
                minima[current] = Long.MAX_VALUE;
            }
            bucketStart += steps * bucketNanos;
        }
        if (offset < minima[current]) {
            minima[current] = offset;
        }
        long best = Long.MAX_VALUE;
        for (long m : minima) {
            best = Math.min(best, m);
        }
        return offset - best;
    }
}
