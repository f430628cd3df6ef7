package io.tendon.edge.episode;

import io.tendon.edge.sim.SimFeatures;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.edge.control.ControlSettings;
import io.tendon.edge.control.SimulatedClockPacer;
import io.tendon.edge.sim.ExpertRole;
import io.tendon.edge.step.PolicyStep;
import io.tendon.edge.sim.SimEpisodeRunner;
import io.tendon.edge.sim.SimSettings;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Simulated episodes of the scripted expert, cut into layout-1 transitions. */
class TransitionAssemblerTest {

    private static final int H = 16;

    private final List<Transition> transitions = new ArrayList<>();
    private final List<PolicyStep> steps = new ArrayList<>();
    private final List<String> markers = new ArrayList<>();
    private final RewardInbox inbox = new RewardInbox(4096, -1000, 1000);

    private TransitionAssembler assembler(TransitionAssembler.ProposalSource proposals) {
        return new TransitionAssembler("arm-1", "run", 1, SimFeatures.LATENT_DIM, H, proposals, inbox, () -> 1_764_400_000_000_000_000L,
                transitions::add, new TransitionAssembler.EpisodeListener() {
                    @Override
                    public void started(String episodeId, long seed) {
                        markers.add("start " + episodeId);
                    }

                    @Override
                    public void ended(String episodeId, int lastStep, int outcome) {
                        markers.add("end " + episodeId + " " + outcome);
                    }
                });
    }

    /** Runs the expert until {@code episodes} episodes ended, feeding every step to the assembler. */
    private void run(TransitionAssembler assembler, int episodes) {
        run(assembler, episodes, false);
    }

    /**
     * The same; with {@code asPolicy} the expert's targets are presented as a learned policy's
     * (not a demonstrator's), the way the edge's steps look when a policy drives the arm.
     */
    private void run(TransitionAssembler assembler, int episodes, boolean asPolicy) {
        ControlSettings control = ControlSettings.defaults();
        SimEpisodeRunner runner = SimEpisodeRunner.builder(control, SimSettings.defaults())
                .expert(ExpertRole.DEMONSTRATOR).firstSeed(11)
                .listener(step -> {
                    if (asPolicy) {
                        step.executed.demonstration = false;
                        step.executed.policyVersion = 7;
                    }
                    PolicyStep copy = step.copy();
                    steps.add(copy);
                    assembler.onStep(step);
                }).build();
        SimulatedClockPacer clock = new SimulatedClockPacer(control.periodNanos, 0, runner);
        while (runner.episodes() < episodes) {
            clock.run(1000);
        }
    }

    @Test
    void stepsInWhichTheArmHeldWithoutTargetsAreNotLearnedFrom() {
        // Overlapping windows (stride 1): every step is in H of them. The loop marks every step
        // of the expert as having targets in use; a step without any (the arm held: no policy yet,
        // or an episode's first plan not there yet) takes out exactly the H windows that would
        // hold it, instead of teaching an action of all zeros.
        long[] emitted = new long[2];
        long[] withoutAction = new long[2];
        boolean[] allActed = {true};
        for (int pass = 0; pass < 2; pass++) {
            final int p = pass;
            TransitionAssembler assembler = new TransitionAssembler("arm-1", "run", 1, SimFeatures.LATENT_DIM, H, 1,
                    null, new RewardInbox(4096, -1000, 1000), () -> 1L, t -> { }, null);
            ControlSettings control = ControlSettings.defaults();
            SimEpisodeRunner runner = SimEpisodeRunner.builder(control, SimSettings.defaults())
                    .expert(ExpertRole.DEMONSTRATOR).firstSeed(11)
                    .listener(step -> {
                        if (step.episodeIndex > 0) {
                            return;
                        }
                        allActed[0] &= step.acted;
                        if (p == 1 && step.step == 2 * H) {
                            step.acted = false;
                        }
                        assembler.onStep(step);
                    }).build();
            SimulatedClockPacer clock = new SimulatedClockPacer(control.periodNanos, 0, runner);
            while (runner.episodes() < 1) {
                clock.run(1000);
            }
            emitted[pass] = assembler.emitted();
            withoutAction[pass] = assembler.stepsWithoutAction();
        }
        assertTrue(allActed[0], "the loop marks steps that had targets in use");
        assertEquals(0, withoutAction[0]);
        assertEquals(1, withoutAction[1]);
        assertEquals(emitted[0] - H, emitted[1], "the H windows holding the step are not sent");
    }

    @Test
    void demonstrationsBecomeCompleteLayoutOneTransitions() {
        TransitionAssembler assembler = assembler(null);
        run(assembler, 2);
        assertEquals(transitions.size(), assembler.emitted());
        // The clock ran on a little into a third episode: look at the two complete ones.
        transitions.removeIf(t -> !t.getEpisodeId().equals("run-0") && !t.getEpisodeId().equals("run-1"));
        steps.removeIf(s -> s.episodeIndex > 1);
        markers.removeIf(m -> m.contains("run-2"));
        assertFalse(transitions.isEmpty());

        String episode = transitions.get(0).getEpisodeId();
        long expectedStep = 0;
        double rewardsRecorded = 0;
        for (Transition t : transitions) {
            if (!t.getEpisodeId().equals(episode)) {
                episode = t.getEpisodeId();
                expectedStep = 0;
            }
            assertEquals(expectedStep++, t.getStep(), "windows numbered in order within an episode");
            assertEquals(Source.DEMO, t.getSource());
            assertEquals(0, t.getPolicyVersion());
            assertFalse(t.hasPolicyChunk());
            assertEquals(40, t.getObservation().getLatentCount());
            assertEquals(12, t.getObservation().getProprioCount());
            assertEquals(12, t.getObservation().getWrenchCount());
            assertEquals(40, t.getNextObservation().getLatentCount());
            assertEquals(H * 13, t.getExecutedChunk().getValuesCount());
            assertEquals(H, t.getRewardsCount());
            assertEquals(H, t.getValidMaskCount());
            boolean stillValid = true;
            for (int i = 0; i < H; i++) {
                // m_i is a prefix of ones: steps after the episode's end are invalid.
                assertTrue(stillValid || !t.getValidMask(i));
                stillValid &= t.getValidMask(i);
                rewardsRecorded += t.getRewards(i);
            }
            boolean ended = t.getTerminated() || t.getTruncated();
            assertEquals(ended, !t.getValidMask(H - 1) || isLastOfEpisode(t), "only an episode's last window is cut short");
        }
        double rewardsStepped = steps.stream().mapToDouble(s -> s.reward).sum();
        assertEquals(rewardsStepped, rewardsRecorded, 1e-3, "every step's reward is in exactly one transition");

        // The first transition: s is the first step's observation, a's first row its executed targets.
        Transition first = transitions.get(0);
        PolicyStep step0 = steps.get(0);
        assertEquals((float) step0.observation.tcpPose[2], first.getObservation().getProprio(2));
        assertEquals((float) step0.executed.virtualTarget[0], first.getExecutedChunk().getValues(6));
        assertEquals((float) steps.get(H - 1).nextObservation.tcpPose[0], first.getNextObservation().getProprio(0),
                "s' follows the window's last step");
        assertEquals(List.of("start run-0", "end run-0 1", "start run-1", "end run-1 1"), markers,
                "both expert episodes succeed and are marked");
    }

    private boolean isLastOfEpisode(Transition t) {
        return transitions.stream().filter(o -> o.getEpisodeId().equals(t.getEpisodeId()))
                .mapToLong(Transition::getStep).max().orElse(-1) == t.getStep();
    }

    @Test
    void rolloutsCarryThePolicysOwnChunkAndWithoutOneNothingIsRecorded() {
        TransitionAssembler without = assembler((rows, horizon) -> -1);
        run(without, 1, true);
        assertTrue(transitions.isEmpty());
        assertTrue(without.unrecordable() > 0);

        steps.clear();
        TransitionAssembler with = assembler((rows, horizon) -> {
            java.util.Arrays.fill(rows, 0.25f);
            return 7;
        });
        run(with, 1, true);
        assertFalse(transitions.isEmpty());
        for (Transition t : transitions) {
            assertEquals(Source.ROLLOUT, t.getSource(), "the expert here is not marked as a person");
            assertEquals(7, t.getPolicyVersion());
            assertEquals(0.25f, t.getPolicyChunk().getValues(100));
        }
    }

    @Test
    void aWindowAcrossLostStepsIsDroppedNotRecorded() {
        TransitionAssembler assembler = assembler(null);
        ControlSettings control = ControlSettings.defaults();
        double[] step6Target = new double[1];
        SimEpisodeRunner runner = SimEpisodeRunner.builder(control, SimSettings.defaults())
                .expert(ExpertRole.DEMONSTRATOR).firstSeed(11)
                .listener(step -> {
                    if (step.episodeIndex == 0 && step.step == 6) {
                        step6Target[0] = step.executed.virtualTarget[2];
                    }
                    if (step.step != 5) { // step 5 of every episode never arrives
                        assembler.onStep(step);
                    }
                }).build();
        SimulatedClockPacer clock = new SimulatedClockPacer(control.periodNanos, 0, runner);
        while (runner.episodes() < 1) {
            clock.run(1000);
        }
        assertEquals(1, assembler.gaps());
        Transition first = transitions.get(0);
        assertEquals("run-0", first.getEpisodeId());
        assertEquals(0, first.getStep(), "windows are numbered by what was recorded");
        // The window that held steps 0-4 is gone; the first one starts at step 6.
        assertEquals((float) step6Target[0], first.getExecutedChunk().getValues(8));
    }

    @Test
    void aPersonsRewardLandsInItsStepUntilTheTransitionIsPublished() {
        TransitionAssembler assembler = assembler(null);
        List<Float> baseline = new ArrayList<>();
        // The inbox opens episode run-0 when its first step arrives; reward step 3 then.
        ControlSettings control = ControlSettings.defaults();
        boolean[] offered = {false};
        SimEpisodeRunner runner = SimEpisodeRunner.builder(control, SimSettings.defaults())
                .expert(ExpertRole.DEMONSTRATOR).firstSeed(11)
                .listener(step -> {
                    assembler.onStep(step);
                    baseline.add((float) step.reward);
                    if (step.step == 1 && !offered[0]) {
                        offered[0] = true;
                        assertEquals(RewardInbox.Result.ACCEPTED, inbox.offer("run-0", 3, 5f), "step 3 is still open");
                        assertEquals(RewardInbox.Result.NOT_OPEN, inbox.offer("run-7", 3, 5f), "not the running episode");
                    }
                }).build();
        SimulatedClockPacer clock = new SimulatedClockPacer(control.periodNanos, 0, runner);
        while (transitions.isEmpty()) {
            clock.run(100);
        }
        assertEquals(baseline.get(3) + 5f, transitions.get(0).getRewards(3), 1e-6);
        assertEquals(RewardInbox.Result.NOT_OPEN, inbox.offer("run-0", 3, 1f), "its transition left already");
        assertEquals(RewardInbox.Result.ACCEPTED, inbox.offer("run-0", H + 1, 1f), "a later window is still open");
    }
}
