package io.tendon.edge.policy;

/** What one policy tick did. Every outcome but PUBLISHED leaves the control loop on its plan. */
public enum StepOutcome {
    /** A new plan went to the control loop. */
    PUBLISHED,
    /** Nothing due this tick (between chunks). */
    IDLE,
    /** Finished after its deadline: discarded, counted as a miss. */
    LATE,
    /** The graphs produced NaN or infinite actions: refused, counted. */
    NON_FINITE,
    /** No observation has been published yet. */
    NO_OBSERVATION,
    /** The newest observation is older than allowed: not acted on, counted. */
    STALE_OBSERVATION,
    /** ONNX Runtime failed: counted, logged by the loop. */
    FAILED,
    /** No policy runs yet (its graph arrives by update): the observation is only remembered. */
    NO_POLICY
}
