package io.tendon.learner.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.algo.Units;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.config.Stage;
import io.tendon.learner.config.TestConfigs;
import io.tendon.learner.nn.NetTesting;
import io.tendon.learner.replay.Batch;
import io.tendon.schemas.v1.Source;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * ALOE's policy improvement as a stage (ONLINE_HEAD): the head is re-fitted on replayed chunks
 * weighted by their advantage under the critic trained beside it. With 1[A &gt; 0] only the
 * chunks that beat the head's own value count, so the head moves to the good chunks; unweighted
 * it averages good and bad.
 */
class OnlineHeadTest {

    private static final int H = 2;
    private static final int A = 2;
    private static final int S = 4;

    private static LearnerConfig config(boolean weighted) {
        Map<String, String> v = TrainerTest.small();
        v.put("tendon.layout.latent-dim", "2");
        v.put("tendon.layout.proprio-dim", "2");
        v.put("tendon.layout.wrench-dim", "0");
        v.put("tendon.layout.horizon", Integer.toString(H));
        v.put("tendon.layout.action-dim", Integer.toString(A));
        v.put("tendon.train.stages", "ONLINE_HEAD");
        v.put("tendon.train.online-steps", "0");
        v.put("tendon.train.batch-size", "32");
        v.put("tendon.critic.hidden", "32,32");
        v.put("tendon.critic.learning-rate", "3e-3");
        v.put("tendon.bc.hidden", "32");
        v.put("tendon.bc.learning-rate", "3e-3");
        v.put("tendon.advantage.mode", "FILTER");
        v.put("tendon.bc.advantage-weighted", Boolean.toString(weighted));
        return TestConfigs.learner(v);
    }

    /** One state; half the chunks are +0.5 everywhere (reward +1), half -0.5 (reward -1); every chunk ends the episode. */
    private static Batch batch(TrainingRun run) {
        Batch b = run.newBatch();
        b.size = b.capacity;
        for (int row = 0; row < b.size; row++) {
            boolean good = row % 2 == 0;
            Arrays.fill(b.state, row * S, row * S + S, 0.3f);
            Arrays.fill(b.nextState, row * S, row * S + S, 0.3f);
            Arrays.fill(b.action, row * H * A, (row + 1) * H * A, good ? 0.5f : -0.5f);
            Arrays.fill(b.validMask, row * H, row * H + H, 1f);
            b.rewards[row * H] = good ? 1f : -1f;
            b.terminated[row] = 1f;
            b.weight[row] = 1f;
            b.source[row] = (byte) Source.ROLLOUT_VALUE;
        }
        return b;
    }

    private static double fittedHead(boolean weighted) throws Exception {
        try (TrainingRun run = new TrainingRun(config(weighted), NetTesting.cpu(), Optional.empty())) {
            assertEquals(Stage.ONLINE_HEAD, run.stage());
            run.freezeUnits(Units.identity(S, H, A));
            Batch batch = batch(run);
            for (int i = 0; i < 600; i++) {
                run.onlineCriticStep(batch);
                run.headStep(batch);
            }
            float[] head = run.headActions(Arrays.copyOf(batch.state, S), 1);
            double mean = 0;
            for (float x : head) {
                mean += x / head.length;
            }
            return mean;
        }
    }

    @Test
    void filteredAdvantageWeightsFitTheHeadToTheChunksThatBeatItsValue() throws Exception {
        double weighted = fittedHead(true);
        double plain = fittedHead(false);
        assertEquals(0.0, plain, 0.1, "unweighted, the head averages the good and the bad chunks");
        assertTrue(weighted > 0.4, "with 1[A > 0] the head takes the good chunk (+0.5): " + weighted);
    }
}
