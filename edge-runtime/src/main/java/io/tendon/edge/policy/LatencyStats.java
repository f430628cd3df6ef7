package io.tendon.edge.policy;

import io.tendon.edge.control.LatencyHistogram;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Durations recorded by one writer thread (allocation-free) and read by any other: count,
 * total, last, max, and the most recent {@link #WINDOW} samples for percentiles.
 */
public final class LatencyStats {

    public static final int WINDOW = 1024;

    private final AtomicLongArray recent = new AtomicLongArray(WINDOW);
    /** Every sample since start, in buckets (exported as a Prometheus histogram). */
    public final LatencyHistogram histogram = new LatencyHistogram();
    private volatile long count;
    private volatile long totalNanos;
    private volatile long lastNanos;
    private volatile long maxNanos;

    /** Writer only. */
    public void record(long nanos) {
        long n = count;
        recent.lazySet((int) (n % WINDOW), nanos);
        histogram.record(nanos);
        totalNanos = totalNanos + nanos;
        lastNanos = nanos;
        if (nanos > maxNanos) {
            maxNanos = nanos;
        }
        count = n + 1;
    }

    public long count() {
        return count;
    }

    public long totalNanos() {
        return totalNanos;
    }

    public long lastNanos() {
        return lastNanos;
    }

    public long maxNanos() {
        return maxNanos;
    }

    /** The {@code q}-quantile (0-1) of the recent window, nanoseconds; 0 before the first sample. Allocates. */
    public long quantileNanos(double q) {
        int n = (int) Math.min(count, WINDOW);
        if (n == 0) {
            return 0;
        }
        long[] copy = new long[n];
        for (int i = 0; i < n; i++) {
            copy[i] = recent.get(i);
        }
        Arrays.sort(copy);
        int rank = (int) Math.ceil(q * n) - 1; // nearest-rank quantile
        return copy[Math.max(0, Math.min(n - 1, rank))];
    }
}
