package io.tendon.learner.config;

/** The training stages of ALGORITHMS.md section 7, in their usual order. */
public enum Stage {
    /** Behaviour cloning of a base head from demonstrations. */
    BC_WARMUP,
    /** IQL-style critic and expectile value from logged data only (ALGORITHMS.md section 5, offline). */
    OFFLINE_CRITIC,
    /** The residual on the frozen base policy, with the critic trained on a' from the current policy (sections 4 and 5). */
    ONLINE_RESIDUAL,
    /**
     * ALOE's policy improvement (sections 4 and 8): the critic trained on a' from the head being
     * improved, and the head re-fitted on the mixed replay with advantage weights; the head is
     * published on the cadence, replacing the robots' head.
     */
    ONLINE_HEAD,
    /** Every configured stage has used its step budget. */
    DONE
}
