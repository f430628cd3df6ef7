package io.tendon.edge.sim;

/**
 * Called once per policy step of a simulated episode (10 Hz of simulated time by default),
 * after the step's last tick and before the next step's actor runs, on the thread that runs
 * the simulation (in the service's wall-clock mode: the control thread). An implementation
 * must return quickly without blocking or allocating; copy what you need, the step object is
 * reused. {@link PolicyStepRing} is a ready one that hands steps to another thread.
 */
@FunctionalInterface
public interface PolicyStepListener {

    void onPolicyStep(PolicyStep step);
}
