package io.tendon.edge.control;

/** Work a pacer runs once per control period (wall or simulated clock). */
@FunctionalInterface
public interface ControlTask {

    /** One tick at {@code nowNanos} on the pacer's clock. Real-time: must not allocate, lock, block, log or do I/O. */
    void tick(long nowNanos);
}
