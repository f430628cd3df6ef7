package io.tendon.edge.sim;

import io.tendon.edge.control.Command;
import io.tendon.edge.control.RobotSample;
import io.tendon.edge.control.TargetBuffer;
import io.tendon.edge.control.TargetSource;
import io.tendon.edge.control.Targets;
import io.tendon.edge.step.EpisodeOutcome;
import io.tendon.edge.step.RobotIo;
import io.tendon.edge.step.StepObservation;

/**
 * The simulator as the robot of a {@link io.tendon.edge.step.RobotLoop}: peg-in-hole episodes,
 * one after another. Reading a state senses the simulated arm (and, at an episode's first tick,
 * resets the world: a discontinuity the loop restarts at); writing a command steps the physics.
 * An episode ends in success (full depth), failure (force limit) or timeout. Its features are
 * {@link SimFeatures#observation} (21), its latent the fixed encoder {@link SimFeatures#latent}
 * (40), its reward {@link PegInHoleReward}.
 *
 * <p>Episodes are of three kinds, chosen when one starts:
 * <ul>
 *   <li>DEMO: the scripted expert demonstrates (ExpertRole.DEMONSTRATOR) into its own target
 *       buffer, the loop's policy side ({@link #policySide}), in the "lab" cell: without the
 *       hole estimate's systematic offset. The first tendon.sim.demo-episodes episodes, or, with
 *       0, every episode until a learned policy takes over.</li>
 *   <li>TRAINING: the learned policy acts where the robot works (with the offset), with the
 *       episode's exploration offset added to its target positions, and a
 *       {@link SimulatedPerson} may take over. Seeds continue from the demonstrations'.</li>
 *   <li>EVALUATION: on request ({@link #requestEvaluation}), on the requested (held-out) seeds:
 *       the learned policy alone, no exploration, no person; the step path marks its steps so
 *       nothing of them is published.</li>
 * </ul>
 * With ExpertRole.HUMAN the scripted expert is the simulated person instead (engaged from
 * outside, {@link #setExpertEngaged}). After the demonstrations and before a policy arrives
 * the robot is {@link #idle}: no episode starts (the pacer then does not tick).
 *
 * <p>Control thread only (except where a method says otherwise); allocation-free per tick.
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
    private final SimulatedPerson person;
    private final SeededRandom exploration = new SeededRandom(0);

    /** Kinds of episode. */
    public static final int DEMO = 0;
    public static final int TRAINING = 1;
    public static final int EVALUATION = 2;

    private int kind = TRAINING;
    private long demoEpisodes;
    private final double[] explorationOffset = new double[2];
    private volatile boolean policyReady;
    private volatile long evaluationFirstSeed;
    private volatile int evaluationRequested;
    /** Evaluation episodes started for the current request (control thread writes). */
    private volatile int evaluationStarted;
    private volatile boolean personEngaged;

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
        this.person = settings.personRate > 0 && role != ExpertRole.HUMAN
                ? new SimulatedPerson(settings.personRate, settings.personStuckSeconds, settings.personGiveUpSeconds)
                : null;
        this.personBuffer = human;
    }

    private final TargetBuffer personBuffer;

    // ---- Episode plan ------------------------------------------------------------------------

    /** A learned policy is ready to act (its first targets are coming). Any thread. */
    public void policyReady() {
        policyReady = true;
    }

    /**
     * Runs {@code episodes} evaluation episodes on seeds {@code firstSeed, firstSeed + 1, ...}
     * from the next episode start on (the running episode finishes first). Any thread; a new
     * request replaces one not yet finished.
     */
    public void requestEvaluation(long firstSeed, int episodes) {
        evaluationStarted = 0;
        evaluationFirstSeed = firstSeed;
        evaluationRequested = episodes;
    }

    /** Evaluation episodes of the current request started so far. Any thread. */
    public int evaluationEpisodesStarted() {
        return evaluationStarted;
    }

    /** What the next episode would be now: DEMO, TRAINING, EVALUATION, or -1 (wait for a policy). */
    private int nextKind() {
        if (evaluationStarted < evaluationRequested) {
            return EVALUATION;
        }
        if (role == ExpertRole.DEMONSTRATOR) {
            long wanted = settings.demoEpisodes;
            if (wanted == 0 ? demonstrating && !policyReady : demoEpisodes < wanted) {
                return DEMO;
            }
            return policyReady ? TRAINING : -1;
        }
        return TRAINING;
    }

    /**
     * True while no episode can start: the demonstrations are done and no learned policy has
     * arrived (and no evaluation is asked for). The pacer does not tick then: the world waits.
     */
    public boolean idle() {
        return startPending && nextKind() < 0;
    }

    /** The running episode's kind (DEMO, TRAINING, EVALUATION). Control thread. */
    public int episodeKind() {
        return kind;
    }

    @Override
    public boolean evaluationEpisode() {
        return kind == EVALUATION;
    }

    /** Whether the simulated person took over in the running episode. Any thread. */
    public boolean personEngaged() {
        return personEngaged;
    }

    /**
     * The loop's policy side: the expert's targets in DEMO episodes, {@code learned}'s otherwise,
     * with the episode's exploration offset added to its target positions in TRAINING episodes.
     */
    public TargetSource policySide(TargetSource learned) {
        return (now, into) -> {
            if (kind == DEMO && demonstrating && role == ExpertRole.DEMONSTRATOR) {
                return expertOutput.targetsAt(now, into);
            }
            if (!learned.targetsAt(now, into)) {
                return false;
            }
            if (kind == TRAINING && !into.human && !into.demonstration) {
                into.pose[0] += explorationOffset[0];
                into.pose[1] += explorationOffset[1];
                into.virtualTarget[0] += explorationOffset[0];
                into.virtualTarget[1] += explorationOffset[1];
            }
            return true;
        };
    }

    /** ExpertRole.DEMONSTRATOR: a learned policy took over; the expert stops acting from its next step on. Any thread. */
    public void stopDemonstrating() {
        policyReady = true;
        if (settings.demoEpisodes == 0) {
            demonstrating = false;
        }
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
            startEpisode();
        }
        sim.sense(nowNanos, ++sequence, sample);
        return sample;
    }

    private void startEpisode() {
        int next = nextKind();
        kind = next < 0 ? TRAINING : next;
        long seed;
        if (kind == EVALUATION) {
            seed = evaluationFirstSeed + evaluationStarted;
            evaluationStarted = evaluationStarted + 1;
        } else {
            seed = nextSeed++;
        }
        episodeIndex = episodeIndex + 1;
        episodeSeed = seed;
        if (kind == DEMO) {
            // The lab the demonstrations were taken in: a calibrated camera, no systematic offset.
            sim.reset(seed, 0, 0);
            demoEpisodes++;
        } else {
            sim.reset(seed);
        }
        if (expert != null) {
            expert.reset(seed);
        }
        personEngaged = false;
        if (person != null) {
            person.reset(seed);
        }
        explorationOffset[0] = 0;
        explorationOffset[1] = 0;
        if (kind == TRAINING && settings.explorationOffset > 0) {
            exploration.reseed(seed ^ 0x2545F4914F6CDD1DL);
            explorationOffset[0] = settings.explorationOffset * exploration.nextGaussian();
            explorationOffset[1] = settings.explorationOffset * exploration.nextGaussian();
        }
        java.util.Arrays.fill(command.wrench, 0);
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
        if (person != null && kind == TRAINING) {
            toSim(s, seen);
            if (person.decide(seen, s.wrenchMean)) {
                personEngaged = true;
                Targets t = personBuffer.beginWrite();
                SimulatedPerson.act(seen, s.wrenchMean, t);
                t.human = true;
                t.sequence = ++targetSequence;
                t.createdNanos = nowNanos;
                t.policyVersion = 0;
                t.demonstration = false;
                personBuffer.publish();
            }
        }
        if (expert != null && role == ExpertRole.DEMONSTRATOR && kind != DEMO) {
            return; // the learned policy acts in this episode
        }
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
