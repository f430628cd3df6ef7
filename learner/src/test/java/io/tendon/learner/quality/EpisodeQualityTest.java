package io.tendon.learner.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tendon.learner.LearnerTestConfig;
import io.tendon.schemas.layout.LayoutConfig;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.record.DecodedTransition;
import io.tendon.learner.record.Outcome;
import io.tendon.learner.replay.Batch;
import io.tendon.learner.replay.Fixtures;
import io.tendon.learner.replay.ReplayBuffer;
import io.tendon.schemas.v1.ActionChunk;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Scoring (ALGORITHMS.md section 7) and its retroactive effect on replay rows. */
class EpisodeQualityTest {

    private static final LayoutConfig LAYOUT = LearnerTestConfig.of().layout();
    private static final double PERIOD_S = 0.1;

    private static EpisodeScorer scorer(double failureWeight, double violationWeight) {
        return new EpisodeScorer(true, 1.0, failureWeight, violationWeight, 0.01, 60, 50, 100, 0.5, 1.0, PERIOD_S, 16);
    }

    /** A chunk whose TCP x follows x(k) = a k^3 dt^3 (constant jerk 6a), y = z = 0. */
    private static Transition.Builder cubic(long step, double a, boolean end) {
        Transition.Builder t = Fixtures.transition(1, 1, step, Source.ROLLOUT);
        ActionChunk.Builder c = t.getExecutedChunk().toBuilder();
        for (int k = 0; k < 16; k++) {
            double time = (step * 16 + k) * PERIOD_S;
            c.setValues(k * 13, (float) (a * time * time * time)).setValues(k * 13 + 1, 0f).setValues(k * 13 + 2, 0f);
        }
        t.setExecutedChunk(c).setStartTimeUnixNanos(1_800_000_000_000_000_000L + step * 1_600_000_000L);
        if (end) {
            t.setTerminated(true).setRewards(15, 1f);
        }
        return t;
    }

    private static DecodedTransition decode(Transition.Builder t) {
        return Fixtures.decode(t.build(), LAYOUT);
    }

    @Test
    void statisticsMeasureWhatTheyName() {
        EpisodeStats s = new EpisodeStats();
        s.observe(decode(cubic(0, 0.5, false)), PERIOD_S);
        s.observe(decode(cubic(1, 0.5, false)), PERIOD_S);
        s.observe(decode(cubic(2, 0.5, true)), PERIOD_S);
        assertTrue(s.ended());
        assertEquals(Outcome.SUCCESS, s.outcome(1.0), "terminated with final reward 1 >= success reward 1");
        assertEquals(Outcome.FAILURE, s.outcome(2.0));
        // x = 0.5 t^3: jerk 3 m/s^3, also across chunk boundaries (steps are contiguous).
        assertEquals(3.0, s.jerkRms(), 0.05);
        // Starts 1.6 s apart, 3 chunks: 3.2 s span + one chunk of 16 x 0.1 s.
        assertEquals(4.8, s.durationS(1.6), 1e-9);
        assertEquals(0, s.interventionShare());
        // Fixture wrench: 0.5 x (i % 6): peak components [6..8] = 0, 0.5, 1.0.
        assertEquals(Math.sqrt(0.25 + 1.0), s.peakForceN(), 1e-6);
        // An event overrides what the transitions suggest.
        s.event(Outcome.FAILURE);
        assertEquals(Outcome.FAILURE, s.outcome(1.0));
    }

    @Test
    void eachCriterionLowersTheWeight() {
        EpisodeScorer scorer = scorer(0.5, 0.25);
        EpisodeStats good = new EpisodeStats();
        good.observe(decode(cubic(0, 0.5, true)), PERIOD_S);
        assertEquals(1f, scorer.score(good).weight());
        assertEquals(0, scorer.score(good).violations());

        EpisodeStats failed = new EpisodeStats();
        failed.observe(decode(cubic(0, 0.5, false).setTruncated(true)), PERIOD_S);
        assertEquals(0.5f, scorer.score(failed).weight(), "truncated: failure weight");
        assertTrue(scorer.score(failed).violated(EpisodeScorer.Criterion.FAILURE));

        EpisodeStats jerky = new EpisodeStats();
        jerky.observe(decode(cubic(0, 100, true)), PERIOD_S);
        assertTrue(scorer.score(jerky).violated(EpisodeScorer.Criterion.JERK), "600 m/s^3 > 50");
        assertEquals(0.25f, scorer.score(jerky).weight());

        Transition.Builder forceful = cubic(0, 0.5, true);
        forceful.setNextObservation(forceful.getNextObservation().toBuilder().setWrench(8, 150f));
        EpisodeStats forcefulStats = new EpisodeStats();
        forcefulStats.observe(decode(forceful), PERIOD_S);
        assertTrue(scorer.score(forcefulStats).violated(EpisodeScorer.Criterion.PEAK_FORCE), "150 N > 100 N");

        Transition.Builder helped = cubic(0, 0.5, true);
        for (int k = 0; k < 12; k++) {
            helped.setInterventionMask(k, true);
        }
        EpisodeStats helpedStats = new EpisodeStats();
        helpedStats.observe(decode(helped), PERIOD_S);
        assertEquals(0.75, helpedStats.interventionShare(), 1e-9);
        assertTrue(scorer.score(helpedStats).violated(EpisodeScorer.Criterion.INTERVENTION_SHARE));

        EpisodeStats longOne = new EpisodeStats();
        longOne.observe(decode(cubic(0, 0.5, false)), PERIOD_S);
        longOne.observe(decode(cubic(1, 0.5, true).setStartTimeUnixNanos(1_800_000_100_000_000_000L)), PERIOD_S);
        assertTrue(scorer.score(longOne).violated(EpisodeScorer.Criterion.DURATION), "100 s > 60 s");

        // Two violations and a failure: 0.5 x 0.25 x 0.25 = 0.03125, above min weight 0.01.
        jerky.event(Outcome.FAILURE);
        jerky.observe(decode(cubic(1, 100, false).setNextObservation(forceful.getNextObservation())), PERIOD_S);
        assertEquals(0.03125f, scorer.score(jerky).weight(), 1e-6f);
        // Below min weight: filtered.
        EpisodeScorer strict = scorer(0.1, 0.05);
        assertEquals(0f, strict.score(jerky).weight());
    }

    @Test
    void filteringIsAppliedRetroactivelyWhenTheEpisodeEnds() {
        LearnerConfig config = LearnerTestConfig.of(Map.of("tendon.quality.max-peak-force-n", "100",
                "tendon.quality.max-jerk-m-per-s3", "1e9"));
        ReplayBuffer replay = new ReplayBuffer(config, new SimpleMeterRegistry());
        Batch batch = replay.newBatch(64);
        SplittableRandom rng = new SplittableRandom(8);
        // A good episode (robot 1) and a forceful one (robot 2), neither ended yet.
        for (int s = 0; s < 5; s++) {
            replay.insert(decode(Fixtures.transition(1, 1, s, Source.ROLLOUT)), false);
            Transition.Builder f = Fixtures.transition(2, 1, s, Source.ROLLOUT);
            f.setObservation(f.getObservation().toBuilder().setWrench(7, 500f));
            replay.insert(decode(f), false);
        }
        assertEquals(1f, replay.episodeWeight("robot-2", "ep-1"), "pending episodes carry the pending weight");
        assertTrue(replay.trySample(batch, rng));
        assertTrue(rowsOf(batch, 2) > 0, "before its end, the forceful episode is sampled");

        // Its terminal chunk arrives: scored, filtered, and all of its earlier rows go with it.
        replay.insert(decode(Fixtures.transition(2, 1, 5, Source.ROLLOUT).setTerminated(true).setRewards(15, 1f)), false);
        assertEquals(0f, replay.episodeWeight("robot-2", "ep-1"));
        assertEquals(5, replay.sampleable(Source.ROLLOUT));
        assertEquals(11, replay.size(Source.ROLLOUT));
        for (int i = 0; i < 50; i++) {
            assertTrue(replay.trySample(batch, rng));
            assertEquals(0, rowsOf(batch, 2), "a filtered episode is never sampled");
        }
        // A late chunk of a filtered episode is filtered too.
        replay.insert(decode(Fixtures.transition(2, 1, 6, Source.ROLLOUT)), false);
        assertEquals(5, replay.sampleable(Source.ROLLOUT));
    }

    @Test
    void aLateOutcomeEventReweightsAndAnEarlyOneWaitsForTheEpisode() {
        LearnerConfig config = LearnerTestConfig.of(Map.of("tendon.quality.failure-weight", "0.5"));
        ReplayBuffer replay = new ReplayBuffer(config, new SimpleMeterRegistry());
        Batch batch = replay.newBatch(16);
        SplittableRandom rng = new SplittableRandom(9);
        // Terminated with reward 1 >= success-reward 1: a success, weight 1.
        replay.insert(decode(Fixtures.transition(1, 1, 0, Source.ROLLOUT).setTerminated(true).setRewards(15, 1f)), false);
        assertEquals(1f, replay.episodeWeight("robot-1", "ep-1"));
        // A person marks it a failure afterwards.
        replay.episodeEvent("robot-1", "ep-1", Outcome.FAILURE);
        assertEquals(0.5f, replay.episodeWeight("robot-1", "ep-1"));
        assertTrue(replay.trySample(batch, rng));
        for (int r = 0; r < batch.size; r++) {
            assertEquals(0.5f, batch.weight[r], "the quality weight reaches the batch");
        }
        // An event for an episode not seen yet is remembered and ends it on its first chunk.
        replay.episodeEvent("robot-3", "ep-9", Outcome.FAILURE);
        assertTrue(Float.isNaN(replay.episodeWeight("robot-3", "ep-9")));
        replay.insert(decode(Fixtures.transition(3, 9, 0, Source.ROLLOUT)), false);
        assertEquals(0.5f, replay.episodeWeight("robot-3", "ep-9"));
        assertFalse(Float.isNaN(replay.episodeWeight("robot-1", "ep-1")));
    }

    @Test
    void pendingWeightZeroHoldsRowsBackUntilScored() {
        LearnerConfig config = LearnerTestConfig.of(Map.of("tendon.quality.pending-weight", "0"));
        ReplayBuffer replay = new ReplayBuffer(config, new SimpleMeterRegistry());
        Batch batch = replay.newBatch(8);
        replay.insert(decode(Fixtures.transition(1, 1, 0, Source.ROLLOUT)), false);
        assertEquals(0, replay.sampleable(Source.ROLLOUT));
        assertFalse(replay.trySample(batch, new SplittableRandom(1)));
        replay.insert(decode(Fixtures.transition(1, 1, 1, Source.ROLLOUT).setTerminated(true).setRewards(15, 1f)), false);
        assertEquals(2, replay.sampleable(Source.ROLLOUT));
        assertTrue(replay.trySample(batch, new SplittableRandom(1)));
    }

    @Test
    void withQualityOffEveryEpisodeWeighsOne() {
        LearnerConfig config = LearnerTestConfig.of(Map.of("tendon.quality.enabled", "false",
                "tendon.quality.failure-weight", "0"));
        ReplayBuffer replay = new ReplayBuffer(config, new SimpleMeterRegistry());
        replay.insert(decode(Fixtures.transition(1, 1, 0, Source.ROLLOUT).setTruncated(true)), false);
        assertEquals(1f, replay.episodeWeight("robot-1", "ep-1"));
    }

    private static int rowsOf(Batch b, int robot) {
        int n = 0;
        for (int r = 0; r < b.size; r++) {
            if ((int) b.state[r * b.stateDim] == robot) {
                n++;
            }
        }
        return n;
    }
}
