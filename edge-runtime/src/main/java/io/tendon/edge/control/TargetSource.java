package io.tendon.edge.control;

/**
 * Supplies the control tick with the targets for a moment in time: the latest published
 * targets, or a value interpolated along the executing action chunk. Called on the control
 * thread: an implementation must not allocate, lock, block, log or do I/O.
 */
public interface TargetSource {

    /**
     * Fills {@code into} with the targets for {@code nowNanos} (System.nanoTime()) and returns
     * true, or returns false and leaves {@code into} unchanged when there is nothing new, in
     * which case the control loop keeps its last targets.
     */
    boolean targetsAt(long nowNanos, Targets into);
}
