package io.tendon.edge.sim;

import io.tendon.edge.control.Command;
import io.tendon.edge.control.ControlCounters;
import io.tendon.edge.control.ControlLoop;
import io.tendon.edge.control.ControlSettings;
import io.tendon.edge.control.ControlTask;
import io.tendon.edge.control.RobotSample;
import io.tendon.edge.control.TargetBuffer;
import io.tendon.edge.control.TargetSource;
import io.tendon.edge.step.PolicyStepListener;
import io.tendon.edge.step.RobotLoop;
import io.tendon.edge.step.StepStartListener;

/**
 * The simulator wired into a {@link RobotLoop}: a {@link SimRobot} (peg-in-hole episodes one
 * after another, the scripted expert in its role) as the loop's robot, one control tick per
 * {@link #tick}. Every policy step (10 Hz of simulated time by default) goes to the
 * {@link PolicyStepListener}; the step's observation s goes to the {@link StepStartListener}
 * first, then the expert acts.
 *
 * <p>Driven by any pacer: wall clock in the service, simulated clock in tests, tools and fast
 * local runs (then deterministic: the same seeds give the same bytes). Allocation-free per
 * tick; not thread-safe (one thread ticks it).
 */
public final class SimEpisodeRunner implements ControlTask {

    private final SimRobot robot;
    private final RobotLoop loop;
    private final ControlSettings control;
    private final ControlCounters metrics;

    private SimEpisodeRunner(Builder b) {
        this.control = b.control;
        this.metrics = b.metrics != null ? b.metrics : new ControlCounters();
        TargetBuffer human = b.human != null ? b.human : new TargetBuffer();
        this.robot = new SimRobot(b.sim, b.control.dt, b.role, human, b.forceProfile,
                b.firstSeed != null ? b.firstSeed : b.sim.seed);
        // The expert's targets in DEMO episodes, the policy's (with any exploration offset) otherwise.
        TargetSource learned = b.policy != null ? b.policy : (now, into) -> false;
        this.loop = new RobotLoop(b.control, robot.policySide(learned), human, metrics, robot, b.sim.stepRateHz)
                .onStepEnd(b.listener).onStepStart(b.stepStart);
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
        loop.tick(nowNanos);
    }

    /** ExpertRole.HUMAN: whether the simulated human is in control from its next step on. Any thread. */
    public void setExpertEngaged(boolean engaged) {
        robot.setExpertEngaged(engaged);
    }

    /** Index of the running episode (0-based). Any thread. */
    public long episodeIndex() {
        return robot.episodeIndex();
    }

    /** Seed of the running episode. Any thread. */
    public long episodeSeed() {
        return robot.episodeSeed();
    }

    /** Finished episodes. Any thread. */
    public long episodes() {
        return loop.episodes();
    }

    public long successes() {
        return loop.successes();
    }

    public long failures() {
        return loop.failures();
    }

    public long timeouts() {
        return loop.timeouts();
    }

    /** The command of the newest tick. Ticking thread only. */
    public Command command() {
        return robot.lastCommand();
    }

    /** The simulated robot state the newest tick used. Ticking thread only. */
    public RobotSample sample() {
        return robot.lastSample();
    }

    public PegInHoleSim sim() {
        return robot.sim();
    }

    public ControlLoop loop() {
        return loop.loop();
    }

    public RobotLoop robotLoop() {
        return loop;
    }

    public SimRobot robot() {
        return robot;
    }

    public ControlCounters metrics() {
        return metrics;
    }

    /** The expert, or null for ExpertRole.NONE. Ticking thread only. */
    public ScriptedExpert expert() {
        return robot.expert();
    }

    public int ticksPerStep() {
        return loop.ticksPerStep();
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
        private StepStartListener stepStart;
        private ControlCounters metrics;
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

        /** Who sees each step's observation s at its start (the policy feed), on the ticking thread. */
        public Builder stepStart(StepStartListener listener) {
            this.stepStart = listener;
            return this;
        }

        public Builder metrics(ControlCounters controlMetrics) {
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
