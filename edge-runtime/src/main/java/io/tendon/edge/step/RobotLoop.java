package io.tendon.edge.step;

import io.tendon.edge.control.Command;
import io.tendon.edge.control.ControlCounters;
import io.tendon.edge.control.ControlLoop;
import io.tendon.edge.control.ControlSettings;
import io.tendon.edge.control.ControlTask;
import io.tendon.edge.control.RobotSample;
import io.tendon.edge.control.TargetBuffer;
import io.tendon.edge.control.TargetSource;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one owner of the {@link ControlLoop}: it builds the loop and runs it, tick by tick,
 * against a robot's I/O ({@link RobotIo}: the simulator or the gRPC robot link), and cuts the
 * ticks into policy steps, the same way for every robot. Per tick: the robot's newest state,
 * the control tick, the command out. Per policy step ({@code 1 / stepRateHz} of the loop's clock,
 * whatever number of ticks ran in it, or less when the episode ends): at its start the observation s goes to the
 * {@link StepStartListener} (the policy) and the robot's scripted actor, if any; at its end the
 * step, with s', reward and outcome, goes to the {@link PolicyStepListener} (transitions).
 *
 * <p>Driven by any pacer: the wall clock, a simulated clock, or one tick per incoming robot
 * state ({@link #tickOnNewState}). Real-time: a tick must not allocate, lock, block, log or do
 * I/O; everything is allocated here, while configuring. Not thread-safe: one thread ticks it.
 */
public final class RobotLoop implements ControlTask {

    private final ControlLoop loop;
    private final RobotIo io;
    private final int ticksPerStep;
    private final long stepNanos;
    /** A step ends at the last tick before its time is up: within half a control period of it. */
    private final long stepEndSlackNanos;
    private final PolicyStep step;
    private final StepObservation current;
    private final double[] wrenchSum = new double[6];
    private final double[] wrenchPeak = new double[6];
    private volatile StepStartListener stepStart;
    private PolicyStepListener stepEnd;

    private int tickInStep;
    private long stepStartNanos;
    private long episodeIndex = Long.MIN_VALUE;

    private final AtomicLong episodes = new AtomicLong();
    private final AtomicLong successes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();

    /**
     * @param policy     the policy's targets (may be null when only a person drives the arm)
     * @param human      the teleop side: engaged targets override the policy
     * @param stepRateHz policy steps per second of the loop's clock
     */
    public RobotLoop(ControlSettings settings, TargetSource policy, TargetBuffer human, ControlCounters counters,
            RobotIo io, double stepRateHz) {
        this.loop = new ControlLoop(settings, policy, human, counters);
        this.io = io;
        this.ticksPerStep = Math.max(1, (int) Math.round(settings.rateHz / stepRateHz));
        this.stepNanos = ticksPerStep * settings.periodNanos;
        this.stepEndSlackNanos = settings.periodNanos + settings.periodNanos / 2;
        this.step = new PolicyStep(io.featureDim(), io.latentDim());
        this.current = new StepObservation(io.featureDim(), io.latentDim());
    }

    /** Who sees s at every step start (the policy feed), from the next step on. Any thread; null: nobody. */
    public RobotLoop onStepStart(StepStartListener listener) {
        this.stepStart = listener;
        return this;
    }

    /** Who receives every finished step (transitions). Configure time only, before the first tick. */
    public RobotLoop onStepEnd(PolicyStepListener listener) {
        this.stepEnd = listener;
        return this;
    }

    /** One control period at {@code nowNanos}; a robot without a new state skips it. */
    @Override
    public void tick(long nowNanos) {
        tickOnNewState(nowNanos);
    }

    /**
     * Runs one tick if the robot has a new state, and returns whether it did. Real-time: must
     * not allocate, lock, block, log or do I/O.
     */
    public boolean tickOnNewState(long nowNanos) {
        RobotSample sample = io.read(nowNanos);
        if (sample == null) {
            return false;
        }
        if (io.restarted()) {
            loop.restart(sample);
            tickInStep = 0;
        }
        if (tickInStep == 0) {
            stepStartNanos = nowNanos;
            beginStep(nowNanos, sample);
        }
        Command out = io.command();
        loop.tick(nowNanos, sample, out);
        io.write(nowNanos, out);
        accumulate(out);
        tickInStep++;
        int outcome = io.outcome(nowNanos);
        // By time, not by tick count: a robot-clocked loop ticks once per state that arrived, and
        // a wall-clock loop skips missed periods; a step is the same span of time either way.
        if (outcome != EpisodeOutcome.RUNNING || nowNanos - stepStartNanos >= stepNanos - stepEndSlackNanos) {
            endStep(nowNanos, sample, out, outcome);
        }
        return true;
    }

    /** No state arrived for a while (robot-clocked): the watchdog state becomes visible. */
    public void idle(long nowNanos) {
        loop.idle(nowNanos);
    }

    private void beginStep(long nowNanos, RobotSample sample) {
        long index = io.episodeIndex();
        boolean episodeStart = index != episodeIndex;
        if (episodeStart) {
            episodeIndex = index;
            step.episodeIndex = index;
            step.seed = io.episodeSeed();
            step.evaluation = io.evaluationEpisode();
            step.step = 0;
            // Nothing has acted yet: s is the state as found, with no step behind it.
            fillMeasured(sample, null, current);
            current.clearStepSummary();
            io.observe(nowNanos, current);
        }
        step.observation.copyFrom(current);
        if (stepStart != null) {
            stepStart.onStepStart(nowNanos, episodeStart, current);
        }
        io.beginStep(nowNanos, current);
        step.ticks = 0;
        step.human = false;
        step.safetyTrips = 0;
        java.util.Arrays.fill(wrenchSum, 0);
        java.util.Arrays.fill(wrenchPeak, 0);
    }

    private void accumulate(Command out) {
        if (step.ticks == 0) {
            step.executed.copyFrom(loop.activeTargets());
            step.acted = loop.hasActiveTargets();
        }
        step.ticks++;
        step.human |= out.human;
        step.safetyTrips |= out.safetyTrips;
        for (int i = 0; i < 6; i++) {
            double w = out.wrench[i];
            wrenchSum[i] += w;
            double a = Math.abs(w);
            if (a > wrenchPeak[i]) {
                wrenchPeak[i] = a;
            }
        }
    }

    private void endStep(long nowNanos, RobotSample sample, Command out, int outcome) {
        StepObservation next = step.nextObservation;
        fillMeasured(sample, out, next);
        for (int i = 0; i < 6; i++) {
            next.wrenchMean[i] = wrenchSum[i] / step.ticks;
            next.wrenchPeak[i] = wrenchPeak[i];
        }
        next.human = step.human;
        io.observe(nowNanos, next);
        step.outcome = outcome;
        step.success = outcome == EpisodeOutcome.SUCCESS;
        step.terminated = EpisodeOutcome.terminal(outcome);
        step.truncated = outcome == EpisodeOutcome.TIMEOUT;
        step.reward = io.reward(outcome);
        if (stepEnd != null) {
            stepEnd.onPolicyStep(step);
        }
        current.copyFrom(next);
        step.step++;
        tickInStep = 0;
        if (outcome != EpisodeOutcome.RUNNING) {
            episodes.lazySet(episodes.get() + 1);
            AtomicLong counter = outcome == EpisodeOutcome.SUCCESS ? successes
                    : outcome == EpisodeOutcome.FAILURE ? failures : timeouts;
            counter.lazySet(counter.get() + 1);
        }
    }

    /** Pose and twist from the state, the controller's wrench from the tick ({@code out} null: zeros). */
    private static void fillMeasured(RobotSample sample, Command out, StepObservation o) {
        sample.pose.toVector(o.tcpPose, 0);
        System.arraycopy(sample.twist, 0, o.tcpTwist, 0, 6);
        if (out == null) {
            java.util.Arrays.fill(o.wrench, 0);
        } else {
            System.arraycopy(out.wrench, 0, o.wrench, 0, 6);
        }
    }

    /** The control law this loop runs (tests, tools, the status of the edge). */
    public ControlLoop loop() {
        return loop;
    }

    public RobotIo io() {
        return io;
    }

    /** Control periods per policy step (the ticks of a step when none is missed). */
    public int ticksPerStep() {
        return ticksPerStep;
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

    /** Episodes cut off (timeout, operator stop). */
    public long timeouts() {
        return timeouts.get();
    }
}
