package io.tendon.edge.sim;

import io.tendon.edge.control.Command;
import io.tendon.edge.control.ControlLoop;
import io.tendon.edge.control.ControlMetrics;
import io.tendon.edge.control.ControlSettings;
import io.tendon.edge.control.ControlTask;
import io.tendon.edge.control.RobotSample;
import io.tendon.edge.control.TargetBuffer;
import io.tendon.edge.control.TargetSource;
import io.tendon.edge.control.Targets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulator as a robot bridge: runs peg-in-hole episodes one after another with the
 * control loop in between, one control tick per {@link #tick}. Per tick: sense the simulated
 * arm, run the control tick, step the physics with its command. Per policy step (10 Hz of
 * simulated time by default): close the step (reward, flags) and hand it to the
 * {@link PolicyStepListener}, then let the scripted expert act, if it has a role. An episode
 * ends in success (full depth), failure (force limit) or timeout; the next one starts with
 * the next seed (seed, seed + 1, ...).
 *
 * <p>Driven by any pacer: wall clock in the service, simulated clock in tests, tools and fast
 * local runs (then deterministic: the same seeds give the same bytes). Allocation-free per
 * tick; not thread-safe (one thread ticks it).
 */
public final class SimEpisodeRunner implements ControlTask {

    private final ControlSettings control;
    private final SimSettings simSettings;
    private final PegInHoleSim sim;
    private final ControlLoop loop;
    private final ControlMetrics metrics;
    private final ScriptedExpert expert;
    private final ExpertRole role;
    private final TargetBuffer expertOutput;
    private final PolicyStepListener listener;
    private final ForceProfile forceProfile;
    private final int ticksPerStep;

    private final RobotSample sample = new RobotSample();
    private final Command command = new Command();
    private final PolicyStep step = new PolicyStep();
    private final SimObservation current = new SimObservation();
    private final double[] force = new double[3];

    private long seed;
    private long sequence;
    private long targetSequence;
    private int tickInStep;
    private boolean startPending = true;
    private volatile boolean expertEngaged = true;
    private volatile long episodeIndex = -1;
    private volatile long episodeSeed;

    private final AtomicLong episodes = new AtomicLong();
    private final AtomicLong successes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();

    private SimEpisodeRunner(Builder b) {
        this.control = b.control;
        this.simSettings = b.sim;
        this.metrics = b.metrics != null ? b.metrics : new ControlMetrics();
        this.role = b.role;
        this.listener = b.listener;
        this.forceProfile = b.forceProfile;
        this.sim = new PegInHoleSim(b.sim, b.control.dt);
        this.expert = b.role == ExpertRole.NONE ? null : new ScriptedExpert(b.sim);
        TargetBuffer human = b.human != null ? b.human : new TargetBuffer();
        TargetSource policy = b.policy;
        if (b.role == ExpertRole.DEMONSTRATOR) {
            expertOutput = new TargetBuffer();
            policy = expertOutput;
        } else if (b.role == ExpertRole.HUMAN) {
            expertOutput = human;
        } else {
            expertOutput = null;
        }
        this.loop = new ControlLoop(b.control, policy, human, this.metrics);
        this.ticksPerStep = Math.max(1, (int) Math.round((double) b.control.rateHz / b.sim.stepRateHz));
        this.seed = b.firstSeed != null ? b.firstSeed : b.sim.seed;
    }

    public static Builder builder(ControlSettings control, SimSettings sim) {
        return new Builder(control, sim);
    }

    /**
     * One control period of simulated time at {@code nowNanos} (the pacer's clock; targets the
     * expert writes are stamped with it). Real-time: must not allocate, lock, block, log or do I/O.
     */
    @Override
    public void tick(long nowNanos) {
        if (startPending) {
            startEpisode(nowNanos);
        }
        if (tickInStep == 0) {
            beginStep(nowNanos);
        }

        sim.sense(nowNanos, ++sequence, sample);
        loop.tick(nowNanos, sample, command);
        accumulate();
        if (forceProfile != null) {
            forceProfile.forceAt(sim.time(), force);
            sim.setExternalForce(force[0], force[1], force[2]);
        }
        sim.step(command);
        tickInStep++;

        int outcome = EpisodeOutcome.RUNNING;
        if (sim.contactForce() > simSettings.forceLimit) {
            outcome = EpisodeOutcome.FAILURE;
        } else if (sim.inserted()) {
            outcome = EpisodeOutcome.SUCCESS;
        } else if (sim.time() >= simSettings.episodeTimeout - 1e-9) {
            outcome = EpisodeOutcome.TIMEOUT;
        }
        if (outcome != EpisodeOutcome.RUNNING || tickInStep >= ticksPerStep) {
            endStep(outcome);
        }
    }

    private void startEpisode(long nowNanos) {
        startPending = false;
        episodeIndex++;
        episodeSeed = seed;
        sim.reset(seed);
        if (expert != null) {
            expert.reset(seed);
        }
        sim.sense(nowNanos, ++sequence, sample);
        loop.restart(sample);
        java.util.Arrays.fill(command.wrench, 0);
        step.episodeIndex = episodeIndex;
        step.seed = seed;
        step.step = 0;
        observe(current);
        seed++;
    }

    private void beginStep(long nowNanos) {
        step.observation.copyFrom(current);
        if (expert != null) {
            Targets t = expertOutput.beginWrite();
            expert.act(current, t);
            t.human = role == ExpertRole.HUMAN && expertEngaged;
            t.sequence = ++targetSequence;
            t.createdNanos = nowNanos;
            expertOutput.publish();
        }
        step.ticks = 0;
        step.human = false;
        step.safetyTrips = 0;
        java.util.Arrays.fill(step.wrenchMean, 0);
        java.util.Arrays.fill(step.wrenchPeak, 0);
        sim.takePeakContactForce();
    }

    private void accumulate() {
        if (step.ticks == 0) {
            step.executed.copyFrom(loop.activeTargets());
        }
        step.ticks++;
        step.human |= command.human;
        step.safetyTrips |= command.safetyTrips;
        for (int i = 0; i < 6; i++) {
            double w = command.wrench[i];
            step.wrenchMean[i] += w;
            double a = Math.abs(w);
            if (a > step.wrenchPeak[i]) {
                step.wrenchPeak[i] = a;
            }
        }
    }

    private void endStep(int outcome) {
        for (int i = 0; i < 6; i++) {
            step.wrenchMean[i] /= step.ticks;
        }
        observe(current);
        step.nextObservation.copyFrom(current);
        step.outcome = outcome;
        step.success = outcome == EpisodeOutcome.SUCCESS;
        step.terminated = outcome == EpisodeOutcome.SUCCESS || outcome == EpisodeOutcome.FAILURE;
        step.truncated = outcome == EpisodeOutcome.TIMEOUT;
        step.reward = PegInHoleReward.reward(sim.distanceToGoal(), sim.takePeakContactForce(), outcome);
        if (listener != null) {
            listener.onPolicyStep(step);
        }
        step.step++;
        tickInStep = 0;
        if (outcome != EpisodeOutcome.RUNNING) {
            episodes.lazySet(episodes.get() + 1);
            AtomicLong counter = outcome == EpisodeOutcome.SUCCESS ? successes
                    : outcome == EpisodeOutcome.FAILURE ? failures : timeouts;
            counter.lazySet(counter.get() + 1);
            startPending = true;
        }
    }

    private void observe(SimObservation o) {
        sample.pose.toVector(o.tcpPose, 0);
        System.arraycopy(sample.twist, 0, o.tcpTwist, 0, 6);
        System.arraycopy(command.wrench, 0, o.wrench, 0, 6);
        double[] est = sim.holeEstimate();
        o.holeEstimate[0] = est[0];
        o.holeEstimate[1] = est[1];
        o.holeEstimate[2] = est[2];
        o.time = sim.time();
    }

    /** ExpertRole.HUMAN: whether the simulated human is in control from its next step on. Any thread. */
    public void setExpertEngaged(boolean engaged) {
        expertEngaged = engaged;
    }

    /** Index of the running episode (0-based). Any thread. */
    public long episodeIndex() {
        return episodeIndex;
    }

    /** Seed of the running episode. Any thread. */
    public long episodeSeed() {
        return episodeSeed;
    }

    /** Finished episodes. Any thread. */
    public long episodes() {
        return episodes.get();
    }

    public long successes() {
        return successes.get();
    }

    public long failures() {
        return failures.get();
    }

    public long timeouts() {
        return timeouts.get();
    }

    /** The command of the newest tick. Ticking thread only. */
    public Command command() {
        return command;
    }

    /** The simulated robot state the newest tick used. Ticking thread only. */
    public RobotSample sample() {
        return sample;
    }

    public PegInHoleSim sim() {
        return sim;
    }

    public ControlLoop loop() {
        return loop;
    }

    public ControlMetrics metrics() {
        return metrics;
    }

    /** The expert, or null for ExpertRole.NONE. Ticking thread only. */
    public ScriptedExpert expert() {
        return expert;
    }

    public int ticksPerStep() {
        return ticksPerStep;
    }

    public ControlSettings controlSettings() {
        return control;
    }

    /** Configuration of a runner; allocate-and-wire time only. */
    public static final class Builder {
        private final ControlSettings control;
        private final SimSettings sim;
        private TargetSource policy;
        private TargetBuffer human;
        private ExpertRole role = ExpertRole.DEMONSTRATOR;
        private PolicyStepListener listener;
        private ControlMetrics metrics;
        private ForceProfile forceProfile;
        private Long firstSeed;

        private Builder(ControlSettings control, SimSettings sim) {
            this.control = control;
            this.sim = sim;
        }

        /** The policy's targets (ignored when the expert is the demonstrator). */
        public Builder policy(TargetSource source) {
            this.policy = source;
            return this;
        }

        /** The teleop buffer (a person's override); by default a private one nobody writes. */
        public Builder human(TargetBuffer buffer) {
            this.human = buffer;
            return this;
        }

        /** What the scripted expert does; DEMONSTRATOR by default. */
        public Builder expert(ExpertRole expertRole) {
            this.role = expertRole;
            return this;
        }

        public Builder listener(PolicyStepListener stepListener) {
            this.listener = stepListener;
            return this;
        }

        public Builder metrics(ControlMetrics controlMetrics) {
            this.metrics = controlMetrics;
            return this;
        }

        /** A scripted external force on the tool, applied in every episode. */
        public Builder forceProfile(ForceProfile profile) {
            this.forceProfile = profile;
            return this;
        }

        /** Seed of the first episode (default: tendon.sim.seed). */
        public Builder firstSeed(long seed) {
            this.firstSeed = seed;
            return this;
        }

        public SimEpisodeRunner build() {
            return new SimEpisodeRunner(this);
        }
    }
}
