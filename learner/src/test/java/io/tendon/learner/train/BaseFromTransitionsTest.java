package io.tendon.learner.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.algo.Units;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.config.TestConfigs;
import io.tendon.learner.export.ExportVerifier;
import io.tendon.learner.export.VerifiedExport;
import io.tendon.learner.nn.NetTesting;
import io.tendon.learner.policy.PolicyBundle;
import io.tendon.learner.policy.TestHeads;
import io.tendon.learner.replay.Batch;
import io.tendon.schemas.v1.BundleManifest;
import io.tendon.schemas.v1.Provenance;
import io.tendon.schemas.v1.Source;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A base the learner cannot run (a FLOW bundle): the robots send the base's chunks with each
 * transition (manifest base_samples_per_transition = M), and the critic's a' and the
 * residual's a_base come from them. Rows that came without them do not train the online
 * critic. Without base samples such a bundle is refused at start-up unless BC makes a base.
 */
class BaseFromTransitionsTest {

    private static final int S = 4;
    private static final int H = 2;
    private static final double GAMMA = 0.9;

    @TempDir
    Path dir;

    private static Map<String, String> values() {
        Map<String, String> v = TrainerTest.small();
        v.put("tendon.layout.latent-dim", "2");
        v.put("tendon.layout.proprio-dim", "2");
        v.put("tendon.layout.wrench-dim", "0");
        v.put("tendon.layout.horizon", Integer.toString(H));
        v.put("tendon.layout.action-dim", "1");
        v.put("tendon.train.stages", "ONLINE_RESIDUAL");
        v.put("tendon.train.online-steps", "0");
        v.put("tendon.train.batch-size", "32");
        v.put("tendon.critic.hidden", "32,32");
        v.put("tendon.critic.learning-rate", "3e-3");
        v.put("tendon.critic.polyak-tau", "0.05");
        v.put("tendon.critic.gamma", Double.toString(GAMMA));
        return v;
    }

    private PolicyBundle flow(int baseSamples) {
        BundleManifest m = TestHeads.flowManifest("policy-0").toBuilder().setBaseSamplesPerTransition(baseSamples).build();
        return new PolicyBundle(dir, m);
    }

    /**
     * s0 -> s1 with reward 0; from s1 one chunk whose reward is its action, then the end. The
     * robots' base proposes 0.7 at s1. Rows of a third kind claim s0 is worth 5 but came without
     * base chunks: they must not count.
     */
    private static void fill(Batch b, SplittableRandom random) {
        b.size = b.capacity;
        for (int row = 0; row < b.size; row++) {
            int kind = row % 3;
            int state = kind == 1 ? 1 : 0;
            Arrays.fill(b.state, row * S, row * S + S, 0f);
            Arrays.fill(b.nextState, row * S, row * S + S, 0f);
            b.state[row * S + state] = 1f;
            b.nextState[row * S + 1] = 1f;
            for (int i = 0; i < H; i++) {
                b.action[row * H + i] = (float) (random.nextDouble() * 2 - 1);
                b.rewards[row * H + i] = kind == 1 ? b.action[row * H + i] : kind == 2 && i == 0 ? 5f : 0f;
                b.validMask[row * H + i] = 1f;
                // Chunk at s (0.2), then at s' (0.7).
                b.baseChunks[row * 2 * H + i] = 0.2f;
                b.baseChunks[row * 2 * H + H + i] = 0.7f;
            }
            b.terminated[row] = kind == 1 ? 1f : 0f;
            b.hasBaseSamples[row] = kind == 2 ? 0f : 1f;
            b.weight[row] = 1f;
            b.source[row] = (byte) Source.ROLLOUT_VALUE;
        }
    }

    @Test
    void theCriticAndTheResidualTrainAgainstTheRobotsBaseChunksWithoutRunningIt() throws Exception {
        LearnerConfig config = TestConfigs.learner(values());
        PolicyBundle bundle = flow(1);
        assertFalse(bundle.hasRunnableHead());
        assertTrue(TrainingConfigCheck.problems(config, Optional.of(bundle)).isEmpty());
        try (TrainingRun run = new TrainingRun(config, NetTesting.cpu(), Optional.of(bundle))) {
            assertTrue(run.hasBase(), "the base is the robots'");
            run.freezeUnits(Units.identity(S, H, 1));
            Batch batch = run.newBatch();
            assertEquals(1, batch.baseSamples);
            SplittableRandom random = new SplittableRandom(3);
            for (int i = 0; i < 2500; i++) {
                fill(batch, random);
                run.onlineCriticStep(batch);
            }
            float[] s0 = {1, 0, 0, 0};
            double q0 = run.evaluate(s0, new float[] {0.3f, -0.3f}, 1).qMin()[0];
            double expected = GAMMA * GAMMA * (1 + GAMMA) * 0.7;
            assertEquals(expected, q0, 0.06, "Q(s0) = gamma^H Q(s1, a' = the robots' chunk at s'); rows without"
                    + " base chunks (claiming 5) do not count");
            for (int i = 0; i < 20; i++) {
                fill(batch, random);
                run.residualStep(batch);
            }
            assertEquals(20L, run.steps().get("residual"));
            VerifiedExport residual = run.exportResidual("policy-0", 1, Provenance.getDefaultInstance(),
                    new ExportVerifier(1e-5, 1e-5, 1), 8);
            assertTrue(residual.size() > 0);
        }
    }

    @Test
    void aBundleTheLearnerCannotRunIsRefusedWithoutBaseSamplesUnlessBcMakesTheBase() {
        LearnerConfig online = TestConfigs.learner(values());
        var problems = TrainingConfigCheck.problems(online, Optional.of(flow(0)));
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).contains("base_samples_per_transition"), problems.get(0));
        Map<String, String> v = values();
        v.put("tendon.train.stages", "BC_WARMUP,ONLINE_RESIDUAL");
        assertTrue(TrainingConfigCheck.problems(TestConfigs.learner(v), Optional.of(flow(0))).isEmpty());
    }
}
