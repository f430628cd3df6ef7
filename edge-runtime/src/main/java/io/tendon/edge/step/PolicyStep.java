package io.tendon.edge.step;

import io.tendon.edge.control.Targets;

/**
 * One policy step of an episode, the raw material of a transition, the same for the simulator
 * and a real robot: the observation s at its start, the targets executed during it (after any
 * human override), the reward, the observation s' at its end, and how the episode stands.
 * Mutable and reused: a listener copies what it keeps ({@link #copyFrom}, {@link #copy}).
 */
public final class PolicyStep {

    /** 0, 1, 2, ... per robot loop. */
    public long episodeIndex;
    /** Simulator: seed of this episode (same seed: same episode, bit for bit, for the same actions); robot: 0. */
    public long seed;
    /**
     * True for an evaluation episode: the policy frozen, nobody intervening, nothing published
     * (its outcome only counts towards the evaluation).
     */
    public boolean evaluation;
    /** 0-based index of this step within the episode. */
    public int step;
    /** Control ticks in this step (fewer than the full step when the episode ended inside it). */
    public int ticks;
    /** s: what the robot showed when the step started (what the actor saw). */
    public final StepObservation observation;
    /** Targets in effect at the step's first tick (after the human override choice, before safety clamping). */
    public final Targets executed = new Targets();
    /** True when a person (or the expert as simulated human) was in control in any tick of the step. */
    public boolean human;
    /** OR of the safety trip flags of the step's ticks. */
    public int safetyTrips;
    /**
     * Whether targets were in use when the step began ({@link #executed} holds them); false while
     * the arm held with none (no policy yet, or the first plan of an episode not there yet).
     */
    public boolean acted;
    /** Reward of the step (the simulator's reward function; on a robot, terminal rewards of operator marks). */
    public double reward;
    /** s': what the robot showed when the step ended; its wrench summary covers this step. */
    public final StepObservation nextObservation;
    /** The episode ended in a terminal state in this step (success or failure): no bootstrap from s'. */
    public boolean terminated;
    /** The episode was cut off (timeout, operator stop) in this step: bootstrap from s'. */
    public boolean truncated;
    /** The task succeeded in this step. */
    public boolean success;
    /** {@link EpisodeOutcome} after this step. */
    public int outcome;

    public PolicyStep(int featureDim, int latentDim) {
        observation = new StepObservation(featureDim, latentDim);
        nextObservation = new StepObservation(featureDim, latentDim);
    }

    public int featureDim() {
        return observation.features.length;
    }

    public int latentDim() {
        return observation.latent.length;
    }

    /** A new step with the same sizes and contents (allocates: not for the control thread). */
    public PolicyStep copy() {
        PolicyStep c = new PolicyStep(featureDim(), latentDim());
        c.copyFrom(this);
        return c;
    }

    public void copyFrom(PolicyStep o) {
        episodeIndex = o.episodeIndex;
        seed = o.seed;
        evaluation = o.evaluation;
        step = o.step;
        ticks = o.ticks;
        observation.copyFrom(o.observation);
        executed.copyFrom(o.executed);
        human = o.human;
        safetyTrips = o.safetyTrips;
        acted = o.acted;
        reward = o.reward;
        nextObservation.copyFrom(o.nextObservation);
        terminated = o.terminated;
        truncated = o.truncated;
        success = o.success;
        outcome = o.outcome;
    }
}
