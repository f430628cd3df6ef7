package io.tendon.edge.policy;

import io.tendon.edge.control.LatestValue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The policy a robot runs now, replaceable while it runs: the bundle's runtime, then the one of
 * each applied policy update. The thread that steps the policy (the policy thread, or the control
 * thread in lockstep on a simulated clock) reads {@link #current()} at every policy tick, so a new
 * runtime takes over between two steps, at a chunk boundary, and the control loop never waits:
 * every runtime publishes into the same {@link ChunkExecutor} it reads, and into the same
 * proposals, observation history and instruments. Whoever swaps waits until the stepping thread
 * has picked the new runtime up before it closes the old one.
 */
public final class ActivePolicy {

    private final ChunkExecutor executor;
    private final LatestValue<ChunkRecord> proposals;
    private final ObservationHistory history;
    private final PolicyInstruments instruments;
    private volatile PolicyRuntime current;
    private volatile PolicyRuntime inUse;
    private volatile Consumer<PolicyRuntime> onActivate;

    /** Shared hand-over objects sized for {@code bundle}; {@code historySize} observations kept for shadow checks. */
    public ActivePolicy(PolicyBundle bundle, int historySize) {
        int planRows = bundle.latencySteps + bundle.execHorizon + 1;
        this.executor = new ChunkExecutor(planRows);
        int rows = bundle.mode == io.tendon.schemas.v1.PolicyMode.TWO_RATE ? 1 : bundle.chunkLength;
        this.proposals = new LatestValue<>(() -> new ChunkRecord(bundle.latentDim, rows, bundle.actionDim));
        this.history = new ObservationHistory(historySize, bundle.featureDim, bundle.stateDim,
                bundle.chunkLength * bundle.actionDim);
        this.instruments = new PolicyInstruments();
    }

    /** The options every runtime of this robot is built with (shared executor, proposals, history, instruments). */
    public PolicyRuntime.Options options(PolicyRuntime.Options base) {
        return base.executor(executor).proposals(proposals).history(history).instruments(instruments);
    }

    /** The runtime to step now, or null while there is none (a bundle waiting for its first update). */
    public PolicyRuntime current() {
        return current;
    }

    /** The stepping thread took {@code runtime} for a step. Allocation-free. */
    public void pickedUp(PolicyRuntime runtime) {
        if (inUse != runtime) {
            inUse = runtime;
        }
    }

    /**
     * Makes {@code next} the runtime to step from the next policy tick on and returns the one it
     * replaces (null if none), without closing it: see {@link #retire}. Any thread.
     */
    public synchronized PolicyRuntime activate(PolicyRuntime next) {
        PolicyRuntime previous = current;
        next.reset();
        current = next;
        Consumer<PolicyRuntime> listener = onActivate;
        if (listener != null) {
            listener.accept(next);
        }
        return previous;
    }

    /** No policy runs from the next tick on (the control loop keeps its last plan, then its watchdog holds). */
    public synchronized PolicyRuntime deactivate() {
        PolicyRuntime previous = current;
        current = null;
        return previous;
    }

    /**
     * Closes {@code old} once the stepping thread has moved on from it (or after
     * {@code timeoutNanos}, when nothing steps). Not on the stepping thread.
     */
    public void retire(PolicyRuntime old, long timeoutNanos) {
        if (old == null) {
            return;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        while (inUse == old && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
        old.close();
    }

    /** Told about every runtime that becomes active, on the activating thread. */
    public void onActivate(Consumer<PolicyRuntime> listener) {
        this.onActivate = listener;
    }

    /** The control loop's target source: every runtime's plans, interpolated at the control rate. */
    public ChunkExecutor executor() {
        return executor;
    }

    public LatestValue<ChunkRecord> proposals() {
        return proposals;
    }

    public ObservationHistory history() {
        return history;
    }

    public PolicyInstruments instruments() {
        return instruments;
    }
}
