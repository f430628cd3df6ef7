package io.tendon.edge.sim;

/** What the scripted expert does in an episode runner. */
public enum ExpertRole {
    /** Not used: the policy's target source drives the arm. */
    NONE,
    /** The expert is the policy: scripted demonstrations. */
    DEMONSTRATOR,
    /** The expert is the simulated human: it writes into the teleop buffer and takes over while engaged. */
    HUMAN
}
