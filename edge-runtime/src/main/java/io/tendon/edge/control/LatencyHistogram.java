package io.tendon.edge.control;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A log-linear histogram of durations in nanoseconds (32 sub-buckets per power of two, so a
 * quantile is off by at most about 3 %), written by one thread (the control thread) without
 * allocation or locks and read by any other (metrics, status). Values from 0 to about 18
 * minutes; larger ones land in the last bucket. Buckets are plain longs (64-bit stores are
 * atomic on the JVMs we run on); the count is published with an ordered store after them, so
 * a reader is at most one sample behind.
 */
public final class LatencyHistogram {

    private static final int SUB_BITS = 5;
    private static final int SUB = 1 << SUB_BITS;
    private static final int MAX_SHIFT = 36;
    static final int BUCKETS = (MAX_SHIFT + 2) * SUB;

    private final long[] counts = new long[BUCKETS];
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong sum = new AtomicLong();
    private final AtomicLong max = new AtomicLong();

    /** Single writer only. Negative values count as 0. */
    public void record(long nanos) {
        long v = Math.max(0, nanos);
        int i = index(v);
        counts[i]++;
        count.lazySet(count.get() + 1);
        sum.lazySet(sum.get() + v);
        if (v > max.get()) {
            max.lazySet(v);
        }
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exp = 63 - Long.numberOfLeadingZeros(v);
        int shift = exp - SUB_BITS;
        if (shift > MAX_SHIFT) {
            return BUCKETS - 1;
        }
        int sub = (int) (v >>> shift) & (SUB - 1);
        return (shift + 1) * SUB + sub;
    }

    static long lowerBound(int index) {
        if (index < SUB) {
            return index;
        }
        int shift = index / SUB - 1;
        int sub = index % SUB;
        return (long) (SUB + sub) << shift;
    }

    public long count() {
        return count.get();
    }

    /**
     * Reader side, for exporting the histogram with fixed bucket edges (Prometheus {@code le}):
     * {@code out[k]} = samples in the buckets that lie entirely at or below {@code edgesNanos[k]}
     * (edges ascending), and the return value = all samples, read from the same bucket values, so
     * the last edge's count never exceeds it. A sample is never counted below an edge it exceeds;
     * one up to about 3 % below an edge may be counted at the next edge only (the bucket width).
     * Allocates nothing; may run while the writer records (then it is at most a sample behind).
     */
    public long cumulativeCounts(long[] edgesNanos, long[] out) {
        Arrays.fill(out, 0, edgesNanos.length, 0L);
        long total = 0;
        int k = 0;
        for (int i = 0; i < BUCKETS; i++) {
            long c = counts[i];
            if (c == 0) {
                continue;
            }
            long highest = i + 1 < BUCKETS ? lowerBound(i + 1) - 1 : Long.MAX_VALUE;
            while (k < edgesNanos.length && highest > edgesNanos[k]) {
                out[k] = total;
                k++;
            }
            total += c;
        }
        for (; k < edgesNanos.length; k++) {
            out[k] = total;
        }
        return total;
    }

    /** Sum of all recorded values, ns. */
    public long sum() {
        return sum.get();
    }

    public long max() {
        return max.get();
    }

    /**
     * The value at quantile {@code q} (0..1), ns: the middle of the bucket holding it, 0 when
     * empty. Reader side; may run concurrently with the writer (then slightly behind).
     */
    public long quantile(double q) {
        long total = count.get();
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        rank = Math.max(1, Math.min(total, rank));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                long lo = lowerBound(i);
                long hi = i + 1 < BUCKETS ? lowerBound(i + 1) : lo;
                return Math.min(max.get(), (lo + hi - 1) / 2);
            }
        }
        return max.get();
    }
}
