package io.tendon.learner.record;

/** How an episode ended, as far as the learner knows. */
public enum Outcome {
    /** Not ended yet, or ended without a verdict (no event and not terminated). */
    UNKNOWN,
    SUCCESS,
    FAILURE
}
