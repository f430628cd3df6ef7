package io.tendon.edge.sim;

import io.tendon.edge.control.Targets;

/**
 * One policy step of a simulated episode, the raw material of a transition: the observation
 * s at its start, the targets executed during it (after any human override), the reward,
 * the observation s' at its end, and how the episode stands. Mutable and reused: a listener
 * copies what it keeps ({@link #copyFrom}).
 */
public final class PolicyStep {

    /** 0, 1, 2, ... per episode runner. */
    public long episodeIndex;
    /** Seed of this episode (same seed: same episode, bit for bit, for the same actions). */
    public long seed;
    /** 0-based index of this step within the episode. */
    public int step;
    /** Control ticks in this step (fewer than the full step when the episode ended inside it). */
    public int ticks;
    /** s: observation when the step started (what the actor saw). */
    public final SimObservation observation = new SimObservation();
    /** Targets in effect at the step's first tick (after the human override choice, before safety clamping). */
    public final Targets executed = new Targets();
    /** True when a person (or the expert as simulated human) was in control in any tick of the step. */
    public boolean human;
    /** Mean of the controller's wrench over the step's ticks [N, N*m]. */
    public final double[] wrenchMean = new double[6];
    /** Largest absolute value per axis of the controller's wrench over the step [N, N*m]. */
    public final double[] wrenchPeak = new double[6];
    /** OR of the safety trip flags of the step's ticks. */
    public int safetyTrips;
    /** Reward of the step (see {@link PegInHoleReward}). */
    public double reward;
    /** s': observation when the step ended. */
    public final SimObservation nextObservation = new SimObservation();
    /** The episode ended in a terminal state in this step (success or failure): no bootstrap from s'. */
    public boolean terminated;
    /** The episode was cut off by its timeout in this step: bootstrap from s'. */
    public boolean truncated;
    /** Full insertion reached in this step. */
    public boolean success;
    /** {@link EpisodeOutcome} after this step. */
    public int outcome;

    public void copyFrom(PolicyStep o) {
        episodeIndex = o.episodeIndex;
        seed = o.seed;
        step = o.step;
        ticks = o.ticks;
        observation.copyFrom(o.observation);
        executed.copyFrom(o.executed);
        human = o.human;
        System.arraycopy(o.wrenchMean, 0, wrenchMean, 0, 6);
        System.arraycopy(o.wrenchPeak, 0, wrenchPeak, 0, 6);
        safetyTrips = o.safetyTrips;
        reward = o.reward;
        nextObservation.copyFrom(o.nextObservation);
        terminated = o.terminated;
        truncated = o.truncated;
        success = o.success;
        outcome = o.outcome;
    }
}
