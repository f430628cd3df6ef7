package io.tendon.edge.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.edge.control.Targets;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Once loaded and warm, a policy step allocates nothing on the Java heap in any mode (inputs and
 * outputs are bound once; the numbers flow through pre-allocated native buffers), measured with
 * the thread's allocation counter over a thousand ticks that publish plans.
 */
class PolicyStepAllocationTest {

    @TempDir
    Path dir;

    static volatile byte[] sink;

    @ParameterizedTest
    @ValueSource(strings = {"chunk", "flow", "two-rate"})
    void aPolicyStepAllocatesNothing(String mode) {
        Function<Path, Path> bundle = switch (mode) {
            case "chunk" -> ReferenceBundles::chunkFull;
            case "flow" -> d -> ReferenceBundles.flow(d, true);
            default -> ReferenceBundles::twoRate;
        };
        TestBundles.ManualClock clock = new TestBundles.ManualClock();
        try (PolicyRuntime rt = PolicyRuntime.load(bundle.apply(dir), OrtSettings.cpu(),
                new PolicyRuntime.Options().clock(clock).noiseSeed(1))) {
            long bytes = allocatedPerTick(rt, clock, 1000);
            assertEquals(0, bytes, mode + ": bytes allocated per policy tick");
            assertTrue(rt.stats().published() > 100, "the ticks published plans: " + rt.stats().published());
        }
    }

    /** Runs warm-up ticks, then {@code ticks} measured ticks (the control side reading along); bytes per tick. */
    static long allocatedPerTick(PolicyRuntime rt, TestBundles.ManualClock clock, int ticks) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Observation obs = rt.newObservation();
        Targets targets = new Targets();
        long period = rt.periodNanos();
        long tick = 0;
        for (; tick < 300; tick++) {
            run(rt, clock, obs, targets, tick, period);
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < ticks; i++, tick++) {
            run(rt, clock, obs, targets, tick, period);
        }
        long after = mx.getCurrentThreadAllocatedBytes();
        // The counter itself must see an allocation of this thread, or a zero would prove nothing.
        long probe = mx.getCurrentThreadAllocatedBytes();
        sink = new byte[4096];
        assertTrue(mx.getCurrentThreadAllocatedBytes() - probe >= 4096, "the allocation counter works");
        return (after - before) / ticks;
    }

    private static void run(PolicyRuntime rt, TestBundles.ManualClock clock, Observation obs, Targets targets, long tick,
            long period) {
        long tickNanos = tick * period;
        ReferenceBundles.observe(obs, tick, tickNanos);
        clock.now = tickNanos + 1_000;
        StepOutcome outcome = rt.step(tick, tickNanos, obs);
        if (outcome != StepOutcome.PUBLISHED && outcome != StepOutcome.IDLE) {
            throw new AssertionError("tick " + tick + ": " + outcome + " " + rt.lastFailure());
        }
        rt.executor().targetsAt(tickNanos + period / 2, targets);
    }
}
