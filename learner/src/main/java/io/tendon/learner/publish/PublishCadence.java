package io.tendon.learner.publish;

/** When the residual is due for publishing: every N steps and/or every N seconds (0 disables either). */
public final class PublishCadence {

    private final long everySteps;
    private final long everyNanos;
    private long lastStep;
    private long lastNanos;

    public PublishCadence(long everySteps, int everySeconds, long startStep, long nowNanos) {
        if (everySteps < 0 || everySeconds < 0) {
            throw new IllegalArgumentException("cadence must not be negative");
        }
        this.everySteps = everySteps;
        this.everyNanos = everySeconds * 1_000_000_000L;
        this.lastStep = startStep;
        this.lastNanos = nowNanos;
    }

    public boolean due(long step, long nowNanos) {
        return (everySteps > 0 && step - lastStep >= everySteps) || (everyNanos > 0 && nowNanos - lastNanos >= everyNanos);
    }

    /** Restarts both clocks after a publish (or a refused export, so a bad network is not retried every step). */
    public void reset(long step, long nowNanos) {
        lastStep = step;
        lastNanos = nowNanos;
    }
}
