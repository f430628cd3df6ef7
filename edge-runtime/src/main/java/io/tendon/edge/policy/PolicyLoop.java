package io.tendon.edge.policy;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * The body of the policy thread: ticks at the policy rate on the control clock, takes the
 * newest observation, and runs one {@link PolicyRuntime#step}. A tick whose observation is
 * missing or too old does not act (the control loop keeps its plan). When a step overruns the
 * next tick's start, the loop skips to the current tick instead of running a burst of late
 * ticks. It measures the achieved tick rate.
 */
public final class PolicyLoop implements Runnable {

    private static final Logger LOG = Logger.getLogger(PolicyLoop.class);
    private static final long RATE_WINDOW_NANOS = 1_000_000_000L;

    private final PolicyRuntime fixed;
    private final ActivePolicy active;
    private final ObservationBuffer observations;
    private final LongSupplier clock;
    private final long maxObservationAgeNanos;
    private final long periodNanos;
    private volatile boolean stopping;
    private volatile Thread runner;
    private volatile long skippedTicks;
    private long failuresLogged;
    private long lastRemembered = Long.MIN_VALUE;
    private PolicyRuntime lastRuntime;
    private static final float[] NO_ACTIONS = new float[0];

    /**
     * @param clock                  the control loop's clock, the same the runtime uses
     * @param maxObservationAgeNanos an observation older than this at its tick is not acted on
     */
    public PolicyLoop(PolicyRuntime runtime, ObservationBuffer observations, LongSupplier clock,
            long maxObservationAgeNanos) {
        this.fixed = runtime;
        this.active = null;
        this.observations = observations;
        this.clock = clock;
        this.maxObservationAgeNanos = maxObservationAgeNanos;
        this.periodNanos = runtime.periodNanos();
    }

    /**
     * Steps whatever runtime {@code active} holds at each tick (a policy update takes over between
     * two ticks); while it holds none, observations are only remembered for the first update's
     * shadow check. {@code periodNanos}: one policy tick.
     */
    public PolicyLoop(ActivePolicy active, long periodNanos, ObservationBuffer observations, LongSupplier clock,
            long maxObservationAgeNanos) {
        this.fixed = null;
        this.active = active;
        this.observations = observations;
        this.clock = clock;
        this.maxObservationAgeNanos = maxObservationAgeNanos;
        this.periodNanos = periodNanos;
    }

    /** One tick: the newest observation through one runtime step. Allocation-free. */
    public StepOutcome tick(long tick, long tickNanos) {
        PolicyRuntime runtime = fixed != null ? fixed : active.current();
        lastRuntime = runtime;
        Observation obs = observations.latest();
        if (obs == null) {
            return StepOutcome.NO_OBSERVATION;
        }
        if (runtime == null) {
            if (obs.sequence != lastRemembered) {
                lastRemembered = obs.sequence;
                active.history().record(obs, NO_ACTIONS, 0, 0);
            }
            return StepOutcome.NO_POLICY;
        }
        if (active != null) {
            active.pickedUp(runtime);
        }
        if (tickNanos - obs.stampNanos > maxObservationAgeNanos) {
            runtime.countStale();
            return StepOutcome.STALE_OBSERVATION;
        }
        return runtime.step(tick, tickNanos, obs);
    }

    /** Ticks until {@link #stop()}. */
    @Override
    public void run() {
        runner = Thread.currentThread();
        long start = clock.getAsLong();
        long tick = 0;
        long windowStart = start;
        long windowTicks = 0;
        while (!stopping) {
            long tickNanos = start + tick * periodNanos;
            long now = clock.getAsLong();
            while (now < tickNanos && !stopping) {
                LockSupport.parkNanos(tickNanos - now);
                now = clock.getAsLong();
            }
            if (stopping) {
                break;
            }
            StepOutcome outcome = tick(tick, tickNanos);
            if (outcome == StepOutcome.FAILED) {
                logFailure();
            }
            windowTicks++;
            now = clock.getAsLong();
            if (now - windowStart >= RATE_WINDOW_NANOS) {
                PolicyRuntime runtime = lastRuntime;
                if (runtime != null) {
                    runtime.recordRate(windowTicks * 1e9 / (now - windowStart));
                }
                windowStart = now;
                windowTicks = 0;
            }
            long current = (now - start) / periodNanos;
            if (current > tick + 1) {
                skippedTicks = skippedTicks + (current - tick - 1);
                tick = current;
            } else {
                tick++;
            }
        }
    }

    /** Ticks the loop skipped because a step overran them. */
    public long skippedTicks() {
        return skippedTicks;
    }

    /** Asks the loop to end after its current tick. */
    public void stop() {
        stopping = true;
        Thread t = runner;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private void logFailure() {
        // The first failure and then every 100th: a failing graph must not flood the log.
        PolicyRuntime runtime = lastRuntime;
        if (runtime != null && failuresLogged++ % 100 == 0) {
            RuntimeException e = runtime.lastFailure();
            LOG.errorf("policy step failed (%d so far), the control loop keeps its last plan: %s",
                    runtime.stats().failures(), e == null ? "unknown" : e.getMessage());
        }
    }
}
