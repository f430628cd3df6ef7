package io.tendon.edge.sim;

import io.tendon.edge.control.Command;
import io.tendon.edge.control.RobotSample;
import io.tendon.edge.control.TargetBuffer;
import io.tendon.edge.control.Targets;
import io.tendon.edge.step.EpisodeOutcome;
import io.tendon.edge.step.RobotIo;
import io.tendon.edge.step.StepObservation;

/**
 * The simulator as the robot of a {@link io.tendon.edge.step.RobotLoop}: peg-in-hole episodes,
 * one after another (seed, seed + 1, ...). Reading a state senses the simulated arm (and, at an
 * episode's first tick, resets the world: a discontinuity the loop restarts at); writing a
 * command steps the physics. An episode ends in success (full depth), failure (force limit) or
 * timeout. Its features are {@link SimFeatures#observation} (21), its latent the fixed encoder
 * {@link SimFeatures#latent} (40), its reward {@link PegInHoleReward}. The scripted expert, if
 * it has a role, acts at every step start: as the demonstrator into its own target buffer (the
 * loop's policy side), as the simulated person into the teleop buffer.
 *
 * <p>Control thread only; allocation-free per tick.
 */
public final class SimRobot implements RobotIo {

    private final SimSettings settings;
    private final PegInHoleSim sim;
    private final ScriptedExpert expert;
    private final ExpertRole role;
    private final TargetBuffer expertOutput;
    private final ForceProfile forceProfile;

    private final RobotSample sample = new RobotSample();
    private final Command command = new Command();
    private final SimObservation seen = new SimObservation();
    private final double[] force = new double[3];

    private long nextSeed;
    private long sequence;
    private long targetSequence;
    private boolean startPending = true;
    private boolean restarted;
    private volatile boolean expertEngaged = true;
    private volatile boolean demonstrating;
    private volatile long episodeIndex = -1;
    private volatile long episodeSeed;

    /**
     * @param human       the teleop buffer the expert writes into as the simulated person (ExpertRole.HUMAN)
     * @param firstSeed   seed of the first episode
     */
    public SimRobot(SimSettings settings, double controlDt, ExpertRole role, TargetBuffer human,
            ForceProfile forceProfile, long firstSeed) {
        this.settings = settings;
        this.sim = new PegInHoleSim(settings, controlDt);
        this.role = role;
        this.expert = role == ExpertRole.NONE ? null : new ScriptedExpert(settings);
        this.expertOutput = role == ExpertRole.DEMONSTRATOR ? new TargetBuffer() : role == ExpertRole.HUMAN ? human
                : null;
        this.forceProfile = forceProfile;
        this.nextSeed = firstSeed;
        this.demonstrating = role == ExpertRole.DEMONSTRATOR;
    }

    /** ExpertRole.DEMONSTRATOR: a learned policy took over; the expert stops acting from its next step on. Any thread. */
    public void stopDemonstrating() {
        demonstrating = false;
    }

    /** ExpertRole.DEMONSTRATOR: the expert's targets, the loop's policy side; null otherwise. */
    public TargetBuffer demonstrations() {
        return role == ExpertRole.DEMONSTRATOR ? expertOutput : null;
    }

    @Override
    public RobotSample read(long nowNanos) {
        restarted = startPending;
        if (startPending) {
            startPending = false;
            episodeIndex = episodeIndex + 1;
            episodeSeed = nextSeed;
            sim.reset(nextSeed);
            if (expert != null) {
                expert.reset(nextSeed);
            }
            java.util.Arrays.fill(command.wrench, 0);
            nextSeed++;
        }
        sim.sense(nowNanos, ++sequence, sample);
        return sample;
    }

    @Override
    public boolean restarted() {
        return restarted;
    }

    @Override
    public Command command() {
        return command;
    }

    @Override
    public void write(long nowNanos, Command c) {
        if (forceProfile != null) {
            forceProfile.forceAt(sim.time(), force);
            sim.setExternalForce(force[0], force[1], force[2]);
        }
        sim.step(c);
    }

    @Override
    public int outcome(long nowNanos) {
        int outcome = EpisodeOutcome.RUNNING;
        if (sim.contactForce() > settings.forceLimit) {
            outcome = EpisodeOutcome.FAILURE;
        } else if (sim.inserted()) {
            outcome = EpisodeOutcome.SUCCESS;
        } else if (sim.time() >= settings.episodeTimeout - 1e-9) {
            outcome = EpisodeOutcome.TIMEOUT;
        }
        if (outcome != EpisodeOutcome.RUNNING) {
            startPending = true; // the next read resets the world
        }
        return outcome;
    }

    @Override
    public double reward(int outcome) {
        return PegInHoleReward.reward(sim.distanceToGoal(), sim.takePeakContactForce(), outcome);
    }

    @Override
    public void observe(long nowNanos, StepObservation o) {
        toSim(o, seen);
        SimFeatures.observation(seen, o.features);
        SimFeatures.latent(seen, o.wrenchMean, o.wrenchPeak, o.human, o.latent);
        o.time = seen.time;
        o.featuresPresent = true;
    }

    private void toSim(StepObservation o, SimObservation out) {
        System.arraycopy(o.tcpPose, 0, out.tcpPose, 0, 6);
        System.arraycopy(o.tcpTwist, 0, out.tcpTwist, 0, 6);
        System.arraycopy(o.wrench, 0, out.wrench, 0, 6);
        double[] est = sim.holeEstimate();
        out.holeEstimate[0] = est[0];
        out.holeEstimate[1] = est[1];
        out.holeEstimate[2] = est[2];
        out.time = sim.time();
    }

    @Override
    public void beginStep(long nowNanos, StepObservation s) {
        sim.takePeakContactForce(); // the step's peak force starts here
        if (expert != null && (role != ExpertRole.DEMONSTRATOR || demonstrating)) {
            toSim(s, seen);
            Targets t = expertOutput.beginWrite();
            expert.act(seen, t);
            t.human = role == ExpertRole.HUMAN && expertEngaged;
            t.sequence = ++targetSequence;
            t.createdNanos = nowNanos;
            t.policyVersion = 0;
            t.demonstration = role == ExpertRole.DEMONSTRATOR;
            expertOutput.publish();
        }
    }

    @Override
    public long episodeIndex() {
        return episodeIndex;
    }

    @Override
    public long episodeSeed() {
        return episodeSeed;
    }

    @Override
    public int featureDim() {
        return SimFeatures.OBSERVATION_DIM;
    }

    @Override
    public int latentDim() {
        return SimFeatures.LATENT_DIM;
    }

    /** ExpertRole.HUMAN: whether the simulated person is in control from its next step on. Any thread. */
    public void setExpertEngaged(boolean engaged) {
        expertEngaged = engaged;
    }

    public PegInHoleSim sim() {
        return sim;
    }

    /** The expert, or null for ExpertRole.NONE. Control thread only. */
    public ScriptedExpert expert() {
        return expert;
    }

    /** The command of the newest tick. Control thread only. */
    public Command lastCommand() {
        return command;
    }

    /** The simulated robot state the newest tick used. Control thread only. */
    public RobotSample lastSample() {
        return sample;
    }
}
