package io.tendon.edge.policy;

/**
 * Counters of the policy thread (single writer), read by metrics on any thread. Plain volatile
 * fields: incrementing them is allocation-free.
 */
public final class PolicyStats {

    volatile long steps;
    volatile long published;
    volatile long misses;
    volatile long nonFinite;
    volatile long clampedComponents;
    volatile long staleObservations;
    volatile long failures;
    volatile double lastDelayControlSteps;
    volatile double maxDelayControlSteps;
    volatile double totalDelayControlSteps;
    volatile long delays;
    volatile double achievedRateHz;

    /** Steps run on an observation (ticks without a usable observation are not steps). */
    public long steps() {
        return steps;
    }

    /** Plans handed to the control loop. */
    public long published() {
        return published;
    }

    /** Steps that finished after their deadline (their result was discarded). */
    public long misses() {
        return misses;
    }

    /** Steps refused because an action was NaN or infinite. */
    public long nonFinite() {
        return nonFinite;
    }

    /** Action components clamped to the bundle's bounds. */
    public long clampedComponents() {
        return clampedComponents;
    }

    public long staleObservations() {
        return staleObservations;
    }

    public long failures() {
        return failures;
    }

    /** Observation-to-availability delay of the latest chunk, control steps. */
    public double lastInferenceDelayControlSteps() {
        return lastDelayControlSteps;
    }

    public double maxInferenceDelayControlSteps() {
        return maxDelayControlSteps;
    }

    public double meanInferenceDelayControlSteps() {
        long n = delays;
        return n == 0 ? 0 : totalDelayControlSteps / n;
    }

    /** Chunks whose delay was measured. */
    public long inferenceDelays() {
        return delays;
    }

    /** Policy ticks per second over the last second, as the loop measured. */
    public double achievedRateHz() {
        return achievedRateHz;
    }

    void recordDelay(double controlSteps) {
        lastDelayControlSteps = controlSteps;
        if (controlSteps > maxDelayControlSteps) {
            maxDelayControlSteps = controlSteps;
        }
        totalDelayControlSteps = totalDelayControlSteps + controlSteps;
        delays = delays + 1;
    }
}
