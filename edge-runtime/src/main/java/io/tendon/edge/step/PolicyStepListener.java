package io.tendon.edge.step;

/**
 * Called once per policy step by the {@link RobotLoop} (10 Hz by default), after the step's
 * last tick and before the next step starts, on the thread that ticks the loop: the control
 * thread. An implementation must return quickly without blocking, locking or allocating; copy
 * what you need, the step object is reused. {@link PolicyStepRing} is a ready one that hands
 * steps to another thread.
 */
@FunctionalInterface
public interface PolicyStepListener {

    void onPolicyStep(PolicyStep step);
}
