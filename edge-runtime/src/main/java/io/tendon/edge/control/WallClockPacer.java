package io.tendon.edge.control;

import java.util.concurrent.locks.LockSupport;

/**
 * Runs a {@link ControlTask} at a fixed rate on the calling thread, by deadline: park until
 * shortly before the next tick's start time, then spin to it. A missed tick is never queued:
 * when the loop is a whole period or more late, the missed slots are skipped and counted, and
 * the schedule continues from now. Records each tick's start lateness (jitter).
 */
public final class WallClockPacer implements Runnable {

    private final long periodNanos;
    private final long spinWindowNanos;
    private final ControlTask task;
    private final ControlCounters metrics;
    private volatile boolean running = true;

    public WallClockPacer(long periodNanos, long spinWindowNanos, ControlTask task, ControlCounters metrics) {
        this.periodNanos = periodNanos;
        this.spinWindowNanos = spinWindowNanos;
        this.task = task;
        this.metrics = metrics;
    }

    /** Ticks until {@link #stop()}. Call on the dedicated control thread. */
    @Override
    public void run() {
        long next = System.nanoTime() + periodNanos;
        while (running) {
            waitUntil(next);
            long start = System.nanoTime();
            metrics.recordJitter(start - next);
            task.tick(start);
            next += periodNanos;
            long late = System.nanoTime() - next;
            if (late >= periodNanos) {
                long skipped = late / periodNanos;
                metrics.countMisses(skipped);
                next += skipped * periodNanos;
            }
        }
    }

    private void waitUntil(long deadline) {
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > spinWindowNanos) {
            LockSupport.parkNanos(remaining - spinWindowNanos);
        }
        while (deadline - System.nanoTime() > 0) {
            Thread.onSpinWait();
        }
    }

    /** Any thread: the loop ends after the current tick. */
    public void stop() {
        running = false;
    }
}
