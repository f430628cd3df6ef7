package io.tendon.edge.step;

import io.tendon.edge.control.Command;
import io.tendon.edge.control.RobotSample;

/**
 * The robot side of the {@link RobotLoop}: where states come from and commands go, and what
 * gives a policy step its meaning (features, reward, episode outcome). The built-in simulator
 * and the gRPC robot link implement it; the loop owns timing and the control law (the
 * ros2_control split: the controller manager owns the loop, the hardware interface owns I/O).
 *
 * <p>Every method runs on the control thread: none may allocate, lock, block, log or do I/O.
 */
public interface RobotIo {

    /**
     * The newest robot state, to be read in place until the next call, or null when no new
     * state arrived since the last call (a robot-clocked loop then runs no tick).
     */
    RobotSample read(long nowNanos);

    /**
     * True when the state {@link #read} just returned follows a discontinuity (the simulator
     * reset its world for a new episode): the loop restarts there and drops older targets.
     */
    boolean restarted();

    /** The slot the loop writes the tick's command into, then hands to {@link #write}. */
    Command command();

    /** Sends the command the tick wrote into {@link #command()}. */
    void write(long nowNanos, Command command);

    /** After each tick: {@link EpisodeOutcome#RUNNING}, or how the episode ended in this tick. */
    int outcome(long nowNanos);

    /** At the end of a step: its reward, given how it ended. */
    double reward(int outcome);

    /**
     * Fills what only the robot knows into {@code o} (its features, latent and time); the loop
     * has already filled the pose, twist, wrench and the step's wrench summary.
     */
    void observe(long nowNanos, StepObservation o);

    /** The running episode's index (it changes when a new episode begins). */
    long episodeIndex();

    /** The running episode's seed (simulator), 0 otherwise. */
    long episodeSeed();

    /** True while the running episode is an evaluation episode (see {@link PolicyStep#evaluation}). */
    default boolean evaluationEpisode() {
        return false;
    }

    /** At the start of each step, after the policy saw {@code s}: a scripted actor may act here. */
    default void beginStep(long nowNanos, StepObservation s) {
    }

    /** Size of {@link StepObservation#features}. */
    int featureDim();

    /** Size of {@link StepObservation#latent}. */
    int latentDim();
}
