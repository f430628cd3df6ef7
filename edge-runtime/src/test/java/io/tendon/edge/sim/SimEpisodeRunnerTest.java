package io.tendon.edge.sim;

import io.tendon.edge.step.EpisodeOutcome;
import io.tendon.edge.step.PolicyStepRing;
import io.tendon.edge.step.PolicyStep;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.edge.control.Command;
import io.tendon.edge.control.ControlSettings;
import io.tendon.edge.control.SimulatedClockPacer;
import io.tendon.edge.control.TargetBuffer;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The closed loop under a simulated clock: determinism, zero allocation, the step hook's contract. */
class SimEpisodeRunnerTest {

    private final ControlSettings control = ControlSettings.defaults();
    private final SimSettings sim = SimSettings.defaults();

    /** Bytes of every tick's command and measured state over {@code ticks} ticks from {@code seed}. */
    private byte[] trajectory(long seed, int ticks) throws Exception {
        SimEpisodeRunner runner = SimEpisodeRunner.builder(control, sim).firstSeed(seed).build();
        SimulatedClockPacer pacer = new SimulatedClockPacer(control.periodNanos, 0, runner);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        ByteBuffer b = ByteBuffer.allocate(8 * 32);
        for (int i = 0; i < ticks; i++) {
            pacer.run(1);
            Command c = runner.command();
            b.clear();
            for (double v : c.pose.position) {
                b.putDouble(v);
            }
            for (double v : c.pose.orientation) {
                b.putDouble(v);
            }
            for (double v : runner.sample().wrench) {
                b.putDouble(v);
            }
            for (double v : runner.sample().pose.position) {
                b.putDouble(v);
            }
            b.putLong(c.safetyTrips);
            sha.update(b.array(), 0, b.position());
        }
        return sha.digest();
    }

    @Test
    void sameSeedGivesIdenticalBytesOtherSeedsDiffer() throws Exception {
        int ticks = 12_000; // several policy steps into contact; crosses the JIT's tiers
        byte[] first = trajectory(42, ticks);
        byte[] again = trajectory(42, ticks);
        assertArrayEquals(first, again, "same seed, same bytes");
        assertFalse(java.util.Arrays.equals(first, trajectory(43, ticks)), "another seed, another trajectory");
    }

    @Test
    void controlThreadAllocatesNothingOverTwoHundredThousandTicks() {
        // Episode resets, the expert, the step hook into a ring and the whole control tick are all on this thread.
        PolicyStepRing ring = new PolicyStepRing(64, SimFeatures.OBSERVATION_DIM, SimFeatures.LATENT_DIM);
        SimEpisodeRunner runner = SimEpisodeRunner.builder(control, sim).firstSeed(7).listener(ring).build();
        SimulatedClockPacer pacer = new SimulatedClockPacer(control.periodNanos, 0, runner);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // Warm-up: class loading, then C2 compilation settling. When other tests ran first in this
        // JVM (polluted profiles), recompilation can still make one-off JVM-internal allocations of
        // a few dozen bytes on this thread during the first ~100k ticks; after that it is zero.
        pacer.run(250_000);
        long overhead = threads.getCurrentThreadAllocatedBytes();
        overhead = threads.getCurrentThreadAllocatedBytes() - overhead;
        long episodesBefore = runner.episodes();
        long before = threads.getCurrentThreadAllocatedBytes();
        pacer.run(200_000);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before - overhead;
        assertTrue(runner.episodes() - episodesBefore >= 5, "the window includes episode resets");
        assertTrue(ring.dropped() > 0, "and full-ring drops");
        assertEquals(0, allocated, "bytes allocated by 200k control ticks");
    }

    @Test
    void policyStepHookSeesWholeEpisodesInOrderWithRewardsAndFlags() {
        List<PolicyStep> steps = new ArrayList<>();
        SimEpisodeRunner runner = SimEpisodeRunner.builder(control, sim).firstSeed(5)
                .listener(s -> {
                    PolicyStep copy = s.copy();
                    steps.add(copy);
                }).build();
        SimulatedClockPacer pacer = new SimulatedClockPacer(control.periodNanos, 0, runner);
        while (runner.episodes() < 3) {
            pacer.run(100);
        }
        long episode = -1;
        int expectedStep = 0;
        int ends = 0;
        for (int i = 0; i < steps.size(); i++) {
            PolicyStep s = steps.get(i);
            if (s.episodeIndex != episode) {
                assertEquals(episode + 1, s.episodeIndex);
                assertEquals(5 + s.episodeIndex, s.seed, "episode n uses seed + n");
                episode = s.episodeIndex;
                expectedStep = 0;
            }
            assertEquals(expectedStep++, s.step);
            if (i > 0 && steps.get(i - 1).episodeIndex == s.episodeIndex) {
                assertArrayEquals(steps.get(i - 1).nextObservation.tcpPose, s.observation.tcpPose, "s' then s");
            }
            assertTrue(Double.isFinite(s.reward));
            assertTrue(s.ticks <= runner.ticksPerStep() && s.ticks > 0);
            assertFalse(s.human, "the demonstrator is not a person");
            assertEquals(s.nextObservation.features[SimFeatures.HOLE_ESTIMATE], s.observation.features[SimFeatures.HOLE_ESTIMATE]);
            if (s.outcome != EpisodeOutcome.RUNNING) {
                ends++;
                assertTrue(s.terminated || s.truncated);
                if (s.success) {
                    assertTrue(s.reward > PegInHoleReward.SUCCESS_BONUS - 1, "success bonus in the last step");
                }
            } else {
                assertFalse(s.terminated || s.truncated);
                assertEquals(runner.ticksPerStep(), s.ticks);
                assertTrue(s.reward > -1 && s.reward <= PegInHoleReward.SHAPING_SCALE, "shaping only, no bonus: " + s.reward);
            }
        }
        assertEquals(3, ends);
        assertEquals(3, runner.successes() + runner.failures() + runner.timeouts());
        // Executed targets are the expert's (a demonstration), stamped on the simulated clock.
        PolicyStep first = steps.get(0);
        assertTrue(first.executed.createdNanos > 0 && first.executed.sequence > 0);
    }

    @Test
    void expertAsSimulatedHumanOverridesAndIsMarked() {
        List<Boolean> human = new ArrayList<>();
        TargetBuffer teleop = new TargetBuffer();
        SimEpisodeRunner runner = SimEpisodeRunner.builder(control, sim).firstSeed(9)
                .expert(ExpertRole.HUMAN).human(teleop)
                .listener(s -> human.add(s.human)).build();
        SimulatedClockPacer pacer = new SimulatedClockPacer(control.periodNanos, 0, runner);
        while (runner.episodes() < 1) {
            pacer.run(100);
        }
        assertEquals(1, runner.successes(), "the simulated human alone completes the task");
        assertTrue(human.stream().allMatch(h -> h), "every step is marked as a person's");
        assertTrue(runner.metrics().ticksHumanEngaged.get() > 0);
    }

    @Test
    void timeoutTruncatesAndForceLimitTerminates() {
        // Without any policy nothing moves: the watchdog holds, the episode times out.
        SimSettings shortEpisodes = SimSettings.with(Map.of("tendon.sim.episode-timeout", "1"));
        List<PolicyStep> ends = new ArrayList<>();
        SimEpisodeRunner idle = SimEpisodeRunner.builder(control, shortEpisodes).expert(ExpertRole.NONE)
                .listener(s -> {
                    if (s.outcome != EpisodeOutcome.RUNNING) {
                        PolicyStep c = s.copy();
                        ends.add(c);
                    }
                }).build();
        new SimulatedClockPacer(control.periodNanos, 0, idle).run(1000);
        assertEquals(1, idle.timeouts());
        assertTrue(ends.get(0).truncated && !ends.get(0).terminated);
        assertEquals(EpisodeOutcome.TIMEOUT, ends.get(0).outcome);

        // A hard push into the table beyond the simulator's force limit ends the episode as a failure.
        SimSettings fragile = SimSettings.with(Map.of("tendon.sim.force-limit", "5", "tendon.sim.start-height", "0.005"));
        SimEpisodeRunner pushed = SimEpisodeRunner.builder(control, fragile).firstSeed(3)
                .forceProfile(new ForceProfile(ForceProfile.Shape.STEP, 2, -40, 0, 10, 0)).build();
        SimulatedClockPacer pacer = new SimulatedClockPacer(control.periodNanos, 0, pushed);
        pacer.run(3000);
        assertTrue(pushed.failures() >= 1);
    }
}
