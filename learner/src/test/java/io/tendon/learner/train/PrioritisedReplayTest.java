package io.tendon.learner.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tendon.learner.LearnerTestConfig;
import io.tendon.learner.algo.Units;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.config.Stage;
import io.tendon.learner.export.ExportVerifier;
import io.tendon.learner.nn.NetTesting;
import io.tendon.learner.publish.VersionStore;
import io.tendon.learner.replay.Batch;
import io.tendon.learner.replay.Fixtures;
import io.tendon.learner.replay.ReplayBuffer;
import io.tendon.learner.replay.ReplayTestAccess;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prioritised replay is used: after every critic step the trainer hands each sampled row's TD
 * error {@code mean_k |Q_k(s, a) - y|} to the replay, whose priority then becomes
 * {@code (|td| + epsilon)^alpha}; rows the critic gets wrong are drawn more often.
 */
class PrioritisedReplayTest {

    @TempDir
    Path dir;

    /** Rows of two kinds at one state: reward 0 (the untrained critic is nearly right) and reward 10 (far off). */
    private static Transition row(int episode, int step, float reward) {
        Transition.Builder t = Fixtures.transition(1, episode, step, Source.DEMO);
        for (int i = 0; i < t.getRewardsCount(); i++) {
            t.setRewards(i, i == 0 ? reward : 0f);
            t.setValidMask(i, true);
        }
        for (int i = 0; i < t.getObservation().getLatentCount(); i++) {
            t.getObservationBuilder().setLatent(i, 0.1f);
        }
        return t.setTerminated(true).setTruncated(false).build();
    }

    /** Records what the trainer reports, then passes it on. */
    private static final class Recording extends ReplayTrainingData {
        final List<long[]> slots = new ArrayList<>();
        final List<float[]> errors = new ArrayList<>();
        final List<float[]> rewards = new ArrayList<>();

        @Override
        public void updatePriorities(Batch batch, float[] tdErrors) {
            slots.add(java.util.Arrays.copyOf(batch.slot, batch.size));
            errors.add(java.util.Arrays.copyOf(tdErrors, batch.size));
            float[] r = new float[batch.size];
            for (int i = 0; i < batch.size; i++) {
                r[i] = batch.rewards[i * batch.horizon];
            }
            rewards.add(r);
            super.updatePriorities(batch, tdErrors);
        }
    }

    @Test
    void criticStepsSetTheSampledRowsPrioritiesFromTheirTdErrors() throws Exception {
        Map<String, String> values = new HashMap<>(TrainerTest.small());
        values.put("tendon.train.stages", "OFFLINE_CRITIC");
        values.put("tendon.bc.min-transitions", "10");
        values.put("tendon.quality.enabled", "false");
        values.put("tendon.replay.priority.enabled", "true");
        values.put("tendon.replay.priority.alpha", "1");
        values.put("tendon.replay.priority.epsilon", "1e-6");
        LearnerConfig config = LearnerTestConfig.of(values);
        ReplayBuffer replay = new ReplayBuffer(config, new SimpleMeterRegistry());
        for (int i = 0; i < 40; i++) {
            replay.insert(Fixtures.decode(row(i % 2, i, i % 2 == 0 ? 0f : 10f), config.layout()), false);
        }
        Recording data = new Recording();
        data.replay = replay;
        data.config = config;
        data.seed();
        TrainingRun run = new TrainingRun(config, NetTesting.cpu(), Optional.empty());
        assertTrue(run.prioritised());
        run.freezeUnits(Units.identity(64, 16, 13));
        Trainer trainer = new Trainer(run, data, TrainerTest.settings(config, Optional.empty()),
                new VersionStore(dir.resolve("v")), Optional.empty(), new ExportVerifier(1e-5, 1e-5, 1), Optional.empty());
        assertEquals(Stage.OFFLINE_CRITIC, run.stage());

        assertTrue(trainer.step());
        assertEquals(1, data.errors.size(), "one report per critic step");
        long[] slots = data.slots.get(0);
        float[] td = data.errors.get(0);
        float[] rewards = data.rewards.get(0);
        double small = 0;
        double large = 0;
        for (int i = 0; i < slots.length; i++) {
            assertEquals(Math.abs(td[i]) + 1e-6, ReplayTestAccess.priority(replay, slots[i]), 1e-6,
                    "row " + i + "'s priority is its TD error");
            if (rewards[i] == 0f) {
                small = Math.max(small, td[i]);
            } else {
                large = Math.max(large, td[i]);
            }
        }
        assertTrue(large > 5 && small < 2, "TD errors follow how wrong the untrained critic is: " + small + ", " + large);
        // Rows the critic gets wrong are now drawn more often.
        for (int i = 0; i < 20; i++) {
            assertTrue(trainer.step());
        }
        Batch b = replay.newBatch(16);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        int far = 0;
        int draws = 0;
        for (int i = 0; i < 200; i++) {
            assertTrue(replay.trySample(b, rng));
            for (int r = 0; r < b.size; r++) {
                far += b.rewards[r * b.horizon] != 0f ? 1 : 0;
                draws++;
            }
        }
        assertTrue(far > 0.6 * draws, "rows with large TD errors dominate: " + far + " of " + draws);
        run.close();
    }

    @Test
    void theTdErrorIsTheMeanOverMembersOfTheDistanceToTheTarget() throws Exception {
        Map<String, String> values = new HashMap<>(TrainerTest.small());
        values.put("tendon.train.stages", "OFFLINE_CRITIC");
        values.put("tendon.replay.priority.enabled", "true");
        LearnerConfig config = LearnerTestConfig.of(values);
        try (TrainingRun run = new TrainingRun(config, NetTesting.cpu(), Optional.empty())) {
            run.freezeUnits(Units.identity(64, 16, 13));
            Batch batch = run.newBatch();
            new SyntheticData(7, Map.of()).replay().sample(batch);
            for (int row = 0; row < batch.size; row++) {
                batch.terminated[row] = 1f;
            }
            TrainingRun.Evaluation before = run.evaluate(batch.state, batch.action, batch.size);
            run.offlineCriticStep(batch);
            float[] td = run.tdErrors();
            for (int row = 0; row < batch.size; row++) {
                double y = 0;
                for (int i = 0; i < batch.horizon; i++) {
                    y += Math.pow(config.critic().gamma(), i) * batch.validMask[row * batch.horizon + i]
                            * batch.rewards[row * batch.horizon + i];
                }
                double expected = 0;
                for (int k = 0; k < before.members(); k++) {
                    expected += Math.abs(before.qMembers()[row * before.members() + k] - y) / before.members();
                }
                assertEquals(expected, td[row], 1e-5, "row " + row);
            }
        }
    }
}
