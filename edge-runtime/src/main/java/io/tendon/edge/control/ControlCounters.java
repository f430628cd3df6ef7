package io.tendon.edge.control;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters and histograms of the control loop. The control thread is the only writer and
 * uses plain ordered stores (no locks, no allocation); metrics and status readers on other
 * threads read them at any time. Framework code (Micrometer gauges and function counters)
 * wraps these; this class knows nothing of it.
 */
public final class ControlCounters {

    /** Ticks run. */
    public final AtomicLong ticks = new AtomicLong();
    /** Tick slots that never ran because the loop was late by a whole period or more (wall clock). */
    public final AtomicLong deadlineMisses = new AtomicLong();
    /** Admittance + safety compute time per tick, ns. */
    public final LatencyHistogram compute = new LatencyHistogram();
    /** Tick-start lateness, ns: behind the deadline (wall clock), or behind the state's arrival (robot clock). */
    public final LatencyHistogram jitter = new LatencyHistogram();
    /** Safety trips by reason index (see {@link SafetyTrips}); read with {@link #trips(int)}. */
    private final long[] trips = new long[SafetyTrips.COUNT];
    /** Times the watchdog started holding. */
    public final AtomicLong holdsEntered = new AtomicLong();
    /** Ticks during which a person was in control. */
    public final AtomicLong ticksHumanEngaged = new AtomicLong();
    /** Control clock of the newest tick. */
    public final AtomicLong lastTickNanos = new AtomicLong();

    private volatile boolean holding;
    private volatile boolean humanEngaged;

    // Optional raw sample log for benchmarks: allocated up front, filled by the control thread.
    private long[] computeLog;
    private long[] jitterLog;
    private int computeLogged;
    private int jitterLogged;

    /** Control thread only. */
    void countTick(long nowNanos, int tripFlags, boolean holdingNow, boolean human) {
        if (tripFlags != 0) {
            for (int i = 0; i < SafetyTrips.COUNT; i++) {
                if ((tripFlags & (1 << i)) != 0) {
                    trips[i]++;
                }
            }
        }
        // Ordered store after the plain ones above: a reader that sees this tick sees its trips.
        ticks.lazySet(ticks.get() + 1);
        lastTickNanos.lazySet(nowNanos);
        if (holdingNow && !holding) {
            holdsEntered.lazySet(holdsEntered.get() + 1);
        }
        if (holdingNow != holding) {
            holding = holdingNow;
        }
        if (human) {
            ticksHumanEngaged.lazySet(ticksHumanEngaged.get() + 1);
        }
        if (human != humanEngaged) {
            humanEngaged = human;
        }
    }

    /** Control thread only. */
    void countHolding(boolean holdingNow) {
        if (holdingNow && !holding) {
            holdsEntered.lazySet(holdsEntered.get() + 1);
        }
        if (holdingNow != holding) {
            holding = holdingNow;
        }
    }

    /** Control thread only. */
    void recordCompute(long nanos) {
        compute.record(nanos);
        if (computeLog != null && computeLogged < computeLog.length) {
            computeLog[computeLogged++] = nanos;
        }
    }

    /** Control thread only (pacers). */
    public void recordJitter(long nanos) {
        jitter.record(nanos);
        if (jitterLog != null && jitterLogged < jitterLog.length) {
            jitterLog[jitterLogged++] = nanos;
        }
    }

    /** Control thread only (pacers). */
    public void countMisses(long missed) {
        deadlineMisses.lazySet(deadlineMisses.get() + missed);
    }

    /**
     * Keeps the first {@code capacity} raw compute and jitter samples, for benchmarks that
     * want exact quantiles. Call before the control thread starts.
     */
    public void enableSampleLog(int capacity) {
        computeLog = new long[capacity];
        jitterLog = new long[capacity];
        computeLogged = 0;
        jitterLogged = 0;
    }

    /** Copy of the logged compute samples, ns. Call after the control thread stopped. */
    public long[] computeSamples() {
        return java.util.Arrays.copyOf(computeLog, computeLogged);
    }

    /** Copy of the logged jitter samples, ns. Call after the control thread stopped. */
    public long[] jitterSamples() {
        return java.util.Arrays.copyOf(jitterLog, jitterLogged);
    }

    public boolean holding() {
        return holding;
    }

    public boolean humanEngaged() {
        return humanEngaged;
    }

    /** Trips of reason {@code reasonIndex} since start. Any thread. */
    public long trips(int reasonIndex) {
        ticks.get(); // acquire: pairs with the ordered store in countTick
        return trips[reasonIndex];
    }
}
