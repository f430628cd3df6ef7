package io.tendon.edge.control;

import org.ejml.data.DMatrix6;

/**
 * One control tick: newest robot state, then targets (a person's from the teleop
 * {@link TargetBuffer} while engaged, else the policy's {@link TargetSource}; the last value
 * is kept when nothing new arrived), then admittance, then the safety pipeline, then the
 * command. Built once while configuring; every object the tick touches is allocated here.
 * Not thread-safe: exactly one thread (the control thread) calls {@link #tick}.
 */
public final class ControlLoop {

    private final ControlSettings settings;
    private final TargetSource policy;
    private final TargetBuffer human;
    private final ControlCounters metrics;

    private final AdmittanceController admittance;
    private final SafetyPipeline safety;
    private final WrenchProcessor wrenchProcessor;

    private final RobotSample state = new RobotSample();
    private final Targets policyCandidate = new Targets();
    private final Targets humanCandidate = new Targets();
    private final Targets policyTargets = new Targets();
    private final Targets humanTargets = new Targets();
    private final Targets screened = new Targets();
    /** All zero: what the loop reports as its targets while it has none. */
    private final Targets none = new Targets();
    private final DMatrix6 wrench = new DMatrix6();
    private final Pose proposal = new Pose();
    private final double[] proposalTwist = new double[6];

    private boolean haveState;
    private boolean havePolicyTargets;
    private boolean haveHumanTargets;
    private boolean engaged;
    private boolean started;
    private volatile long connectionLostNanos = Long.MIN_VALUE;
    private long lossHandled = Long.MIN_VALUE;
    /** Targets created before this (the last {@link #restart}) belong to the world before it and are ignored. */
    private long restartNanos = Long.MIN_VALUE;

    /**
     * @param policy  where the policy's targets come from (any {@link TargetSource}); may be null
     *                when nothing but a person drives the arm
     * @param human   the teleop side: targets with {@code human == true} override the policy
     *                from the next tick on, targets with {@code human == false} hand back
     */
    public ControlLoop(ControlSettings settings, TargetSource policy, TargetBuffer human, ControlCounters metrics) {
        this.settings = settings;
        this.policy = policy;
        this.human = human;
        this.metrics = metrics;
        this.admittance = new AdmittanceController(settings);
        this.safety = new SafetyPipeline(settings);
        this.wrenchProcessor = new WrenchProcessor(settings);
    }

    /**
     * Computes the command for the newest robot state {@code latest} into {@code out}.
     * Real-time: must not allocate, lock, block, log or do I/O.
     */
    public void tick(long nowNanos, RobotSample latest, Command out) {
        long t0 = System.nanoTime();
        int trips = 0;

        // Newest robot state (stage 1 of safety: non-finite is rejected, last good kept).
        if (latest != null) {
            int rejected = safety.admitState(latest, state);
            trips |= rejected;
            haveState |= rejected == 0;
        }
        // Targets: read both sides every tick so each keeps its newest value.
        if (policy != null && policy.targetsAt(nowNanos, policyCandidate)
                && policyCandidate.createdNanos >= restartNanos) {
            int rejected = safety.admitTargets(policyCandidate, policyTargets);
            trips |= rejected;
            havePolicyTargets |= rejected == 0;
        }
        if (human != null && human.readLatest(humanCandidate) && humanCandidate.createdNanos >= restartNanos) {
            int rejected = safety.admitTargets(humanCandidate, humanTargets);
            trips |= rejected;
            if (rejected == 0) {
                haveHumanTargets = true;
                engaged = humanTargets.human;
            }
        }
        out.tickNanos = nowNanos;
        if (!haveState) {
            // Nothing measured yet: there is no safe pose to command.
            out.valid = false;
            out.holding = true;
            out.safetyTrips = trips;
            metrics.countTick(nowNanos, trips, true, false);
            return;
        }
        if (!started) {
            admittance.reset(state.pose);
            safety.reset(state.pose, true);
            started = true;
        }
        long lost = connectionLostNanos;
        if (lost != lossHandled) {
            // The robot went away since the last tick (no ticks ran meanwhile): come back holding.
            lossHandled = lost;
            safety.hold();
        }
        Targets active = engaged ? humanTargets : policyTargets;
        boolean haveTargets = engaged ? haveHumanTargets : havePolicyTargets;

        wrenchProcessor.process(state, wrench);

        // Stage 2: stiffness bounds, on a working copy.
        screened.copyFrom(active);
        if (haveTargets) {
            trips |= safety.clampStiffness(screened);
            admittance.step(screened, wrench, proposal, proposalTwist, out.stiffness);
        } else {
            proposal.copyFrom(admittance.pose());
        }

        // Stages 3-6.
        boolean stateFresh = nowNanos - state.receivedNanos <= settings.stateTimeoutNanos
                && state.receivedNanos > connectionLostNanos;
        boolean targetsFresh = haveTargets && nowNanos - active.createdNanos <= settings.targetsTimeoutNanos;
        trips |= safety.limit(proposal, wrench, state, stateFresh, targetsFresh, out);
        admittance.sync(out.pose, out.twist);

        out.valid = true;
        out.stateSequence = state.sequence;
        out.safetyTrips = trips;
        out.human = engaged;
        System.arraycopy(screened.virtualTarget, 0, out.virtualTarget, 0, 6);
        Vectors6.toArray(wrench, out.wrench);
        metrics.recordCompute(System.nanoTime() - t0);
        metrics.countTick(nowNanos, trips, out.holding, engaged);
    }

    /**
     * Robot-clocked mode, no state arrived for a while: no command can be sent, but the
     * watchdog state becomes visible. Control thread only.
     */
    public void idle(long nowNanos) {
        boolean stale = !haveState || nowNanos - state.receivedNanos > settings.stateTimeoutNanos
                || state.receivedNanos <= connectionLostNanos;
        if (stale) {
            metrics.countHolding(true);
        }
    }

    /**
     * The bridge lost its robot (any thread): states received before now no longer count as
     * fresh, so the watchdog holds until a new connection brings fresh states.
     */
    public void connectionLost(long nowNanos) {
        connectionLostNanos = nowNanos;
    }

    /**
     * Restarts at the measured pose of {@code at} after a discontinuity (simulator reset):
     * admittance at rest there, filter and watchdog restarted. The targets in use, and any
     * target created before {@code at} was received, were made for the world before the
     * discontinuity (a policy's plan for the last episode's hole, say) and are dropped: the
     * arm holds where it is until targets made after the restart arrive, as it does at start-up.
     * A person's takeover ends with the episode it was made in: the new episode starts with the
     * policy in control, and a person takes over again by sending new targets.
     * Control thread only.
     */
    public void restart(RobotSample at) {
        state.copyFrom(at);
        haveState = true;
        restartNanos = at.receivedNanos;
        engaged = false;
        havePolicyTargets = false;
        haveHumanTargets = false;
        policyTargets.copyFrom(none);
        humanTargets.copyFrom(none);
        admittance.reset(at.pose);
        safety.reset(at.pose, false);
        wrenchProcessor.resetFilter();
        started = true;
    }

    /** At the next tick, take the current compensated wrench as the sensor's bias (tool free of contact). Any thread. */
    public void requestTare() {
        wrenchProcessor.requestTare();
    }

    /** True while a person is in control. Control thread (others: {@link ControlCounters#humanEngaged()}). */
    public boolean engaged() {
        return engaged;
    }

    /** Whether the side in control (person or policy) has targets in use. Control thread only. */
    public boolean hasActiveTargets() {
        return engaged ? haveHumanTargets : havePolicyTargets;
    }

    /** The targets in use (after the override choice, before clamping). Control thread only. */
    public Targets activeTargets() {
        return engaged ? humanTargets : policyTargets;
    }

    public ControlSettings settings() {
        return settings;
    }

    public ControlCounters metrics() {
        return metrics;
    }
}
