package io.tendon.learner.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.config.Stage;
import io.tendon.learner.config.TestConfigs;
import io.tendon.learner.export.ExportVerifier;
import io.tendon.learner.nn.NetTesting;
import io.tendon.learner.publish.VersionStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A refused BC export does not advance the stage: BC goes on training, the refusal is counted
 * and its reason is in the status, and the export is tried again every max(50, bc-steps / 10)
 * BC steps. (A tolerance of 1e-12 in training units: float32 ONNX Runtime cannot meet it.)
 */
class ExportRefusedTest {

    @TempDir
    Path dir;

    @Test
    void aRefusedBcExportKeepsBcTrainingAndIsTriedAgain() throws Exception {
        Map<String, String> v = TrainerTest.small();
        v.put("tendon.train.stages", "BC_WARMUP,OFFLINE_CRITIC");
        LearnerConfig config = TestConfigs.learner(v);
        try (TrainingRun run = new TrainingRun(config, NetTesting.cpu(), Optional.empty())) {
            Trainer trainer = new Trainer(run, new SyntheticData(1, Map.of()), TrainerTest.settings(config, Optional.empty()),
                    new VersionStore(dir.resolve("v")), Optional.empty(), new ExportVerifier(1e-12, 0, 1), Optional.empty());
            for (int i = 0; i < 21; i++) {
                assertTrue(trainer.step());
            }
            assertEquals(20L, run.steps().get("bc"));
            TrainingStatus status = trainer.status();
            assertEquals(1, status.exportsRefused(), "tried once after the 20 BC steps");
            assertTrue(status.lastProblem().startsWith("export refused"), status.lastProblem());
            assertEquals(Stage.BC_WARMUP, status.stage(), "no base was made: the stage stays");
            assertFalse(run.hasBase());
            for (int i = 0; i < 50; i++) {
                assertTrue(trainer.step());
            }
            assertEquals(70L, run.steps().get("bc"), "BC goes on training meanwhile");
            assertEquals(1, trainer.status().exportsRefused());
            assertTrue(trainer.step());
            assertEquals(2, trainer.status().exportsRefused(), "tried again 50 steps later");
            assertEquals(Stage.BC_WARMUP, run.stage());
        }
    }
}
