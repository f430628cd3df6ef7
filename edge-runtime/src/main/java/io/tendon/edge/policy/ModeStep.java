package io.tendon.edge.policy;

/** One policy mode's work per tick (chunk, two-rate, flow). Policy thread only; allocation-free. */
interface ModeStep {

    /**
     * Computes this tick's prediction into {@code out}; returns false when nothing is due
     * this tick. {@code obs} is the newest observation.
     */
    boolean compute(long tick, Observation obs, Prediction out);

    /**
     * Computes what the mode would predict for {@code obs} at {@code tick} whatever its cadence,
     * into {@code out}: a policy update's shadow check, on a runtime that is not stepping.
     */
    void shadow(long tick, Observation obs, Prediction out);

    /** The prediction of {@code tick} was not used (late, non-finite, failed): try again at the next tick. */
    void retry(long tick);

    /** Forgets per-episode state. */
    void reset();
}
