package io.tendon.edge.step;

/**
 * Told at the start of every policy step what the robot shows ({@code s}), on the control
 * thread, before the step's first tick: the policy's observation feed (it hands {@code s} to
 * the policy thread, or, on a simulated clock, runs the policy in lockstep). Must not block,
 * lock, log or allocate.
 */
@FunctionalInterface
public interface StepStartListener {

    /**
     * @param nowNanos     the loop's clock at the step's start
     * @param episodeStart true for the first step of an episode
     * @param s            the observation; read it now, it is reused
     */
    void onStepStart(long nowNanos, boolean episodeStart, StepObservation s);
}
