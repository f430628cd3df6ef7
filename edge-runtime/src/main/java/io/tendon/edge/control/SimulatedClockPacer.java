package io.tendon.edge.control;

/**
 * Runs a {@link ControlTask} as fast as the CPU allows on a simulated clock that advances by
 * exactly one period per tick: deterministic, and faster than real time.
 */
public final class SimulatedClockPacer implements Runnable {

    private final long periodNanos;
    private final ControlTask task;
    private long now;
    private volatile boolean running = true;

    public SimulatedClockPacer(long periodNanos, long startNanos, ControlTask task) {
        this.periodNanos = periodNanos;
        this.now = startNanos;
        this.task = task;
    }

    /** Ticks until {@link #stop()}. */
    @Override
    public void run() {
        while (running) {
            now += periodNanos;
            task.tick(now);
        }
    }

    /** Runs exactly {@code ticks} ticks on the calling thread. */
    public void run(long ticks) {
        for (long i = 0; i < ticks; i++) {
            now += periodNanos;
            task.tick(now);
        }
    }

    /** The simulated clock, ns. */
    public long now() {
        return now;
    }

    public void stop() {
        running = false;
    }
}
