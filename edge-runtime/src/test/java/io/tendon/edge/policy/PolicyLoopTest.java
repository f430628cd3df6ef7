package io.tendon.edge.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.edge.control.Targets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy thread's loop: it waits for observations, refuses stale ones, and on its own
 * platform thread keeps the policy rate while another thread publishes observations and a third
 * reads targets as a control loop would.
 */
class PolicyLoopTest {

    @TempDir
    Path dir;

    @Test
    void noObservationMeansNoStepAndAStaleObservationIsCountedNotActedOn() {
        TestBundles.ManualClock clock = new TestBundles.ManualClock();
        try (PolicyRuntime rt = PolicyRuntime.load(ReferenceBundles.chunkHead(dir), OrtSettings.cpu(),
                new PolicyRuntime.Options().clock(clock))) {
            ObservationBuffer observations = rt.newObservationBuffer();
            PolicyLoop loop = new PolicyLoop(rt, observations, clock, 50_000_000L);
            assertEquals(StepOutcome.NO_OBSERVATION, loop.tick(0, 0));
            Observation o = observations.beginWrite();
            ReferenceBundles.observe(o, 0, 0);
            observations.publish();
            clock.now = 60_000_000L;
            assertEquals(StepOutcome.STALE_OBSERVATION, loop.tick(1, 60_000_000L), "60 ms old, 50 ms allowed");
            assertEquals(1, rt.stats().staleObservations());
            o = observations.beginWrite();
            ReferenceBundles.observe(o, 1, 55_000_000L);
            observations.publish();
            clock.now = 61_000_000L;
            assertEquals(StepOutcome.PUBLISHED, loop.tick(1, 60_000_000L));
        }
    }

    @Test
    void onItsOwnThreadTheLoopKeepsThePolicyRateAndFeedsTheControlSide() throws Exception {
        try (PolicyRuntime rt = PolicyRuntime.load(ReferenceBundles.twoRate(dir), OrtSettings.cpu(),
                new PolicyRuntime.Options().policyHz(50))) {
            ObservationBuffer observations = rt.newObservationBuffer();
            PolicyLoop loop = new PolicyLoop(rt, observations, System::nanoTime, 100_000_000L);
            AtomicBoolean stop = new AtomicBoolean();
            Thread sensor = new Thread(() -> {
                long n = 0;
                while (!stop.get()) {
                    Observation o = observations.beginWrite();
                    ReferenceBundles.observe(o, n++, System.nanoTime());
                    observations.publish();
                    java.util.concurrent.locks.LockSupport.parkNanos(2_000_000L);
                }
            });
            Thread policy = new Thread(loop, "tendon-policy-test");
            sensor.start();
            policy.start();
            Targets t = new Targets();
            long fresh = 0;
            long end = System.nanoTime() + 1_500_000_000L;
            while (System.nanoTime() < end) {
                if (rt.executor().targetsAt(System.nanoTime(), t)) {
                    fresh++;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
            }
            loop.stop();
            policy.join(2000);
            stop.set(true);
            sensor.join(2000);
            assertTrue(!policy.isAlive(), "the loop ends when asked");
            double rate = rt.stats().achievedRateHz();
            assertTrue(rate > 30 && rate < 55, "achieved rate " + rate + " Hz for 50 Hz asked (shared machine)");
            assertTrue(rt.stats().published() > 40, "published " + rt.stats().published());
            assertTrue(fresh > 100, "the control side got new targets " + fresh + " times");
            assertTrue(Double.isFinite(t.pose[0]));
        }
    }
}
