package io.tendon.learner.quality;

/** How an episode ended, as far as the learner knows. */
public enum Outcome {
    /** Not ended yet, or ended without a verdict (no event and not terminated). */
    UNKNOWN,
    SUCCESS,
    FAILURE
}
