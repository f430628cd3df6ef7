package io.tendon.learner.config;

/** The training stages of ALGORITHMS.md section 7, in their usual order. */
public enum Stage {
    /** Behaviour cloning of a base head from demonstrations (advantage-weighted once a critic exists). */
    BC_WARMUP,
    /** IQL-style critic and expectile value from logged data only (ALGORITHMS.md section 5, offline). */
    OFFLINE_CRITIC,
    /** The residual on the frozen base policy, with the critic trained on a' from the current policy (sections 4 and 5). */
    ONLINE_RESIDUAL,
    /** Every configured stage has used its step budget. */
    DONE
}
