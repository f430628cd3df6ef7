package io.tendon.learner.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.checkpoint.CheckpointStore;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.config.Stage;
import io.tendon.learner.config.TestConfigs;
import io.tendon.learner.export.ExportVerifier;
import io.tendon.learner.nn.NetTesting;
import io.tendon.learner.policy.OnnxHeadPolicy;
import io.tendon.learner.policy.OrtGraph;
import io.tendon.learner.policy.PolicyBundle;
import io.tendon.learner.policy.TestHeads;
import io.tendon.learner.publish.VersionStore;
import io.tendon.schemas.v1.BundleManifest;
import io.tendon.schemas.v1.Normalisation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training units end to end (ALGORITHMS.md section 8): raw data in metres and N/m is
 * normalised with statistics frozen from the demonstrations (or the manifest's), the exported
 * head carries the same transform (or leaves it to the edge when the manifest declares it), the
 * export check passes for outputs in the hundreds, and checkpoints keep the units.
 */
class UnitsTest {

    private static final int ROWS = 32;

    @TempDir
    Path dir;

    private static LearnerConfig config(String stages) {
        Map<String, String> v = TrainerTest.small();
        v.put("tendon.train.stages", stages);
        v.put("tendon.train.bc-steps", "300");
        v.put("tendon.train.batch-size", "32");
        v.put("tendon.bc.hidden", "64,64");
        v.put("tendon.export.probe-rows", "32");
        return TestConfigs.learner(v);
    }

    private Trainer trainer(LearnerConfig config, TrainingRun run, TrainingData data, Optional<CheckpointStore> store)
            throws java.io.IOException {
        return new Trainer(run, data, TrainerTest.settings(config, Optional.of(dir.resolve("out"))),
                new VersionStore(dir.resolve("version")), Optional.empty(),
                new ExportVerifier(config.export().tolerance(), config.export().relativeTolerance(), 1), store);
    }

    private static void runToDone(Trainer trainer, TrainingRun run) {
        for (int i = 0; i < 2000 && run.stage() != Stage.DONE; i++) {
            trainer.step();
        }
        assertEquals(Stage.DONE, run.stage(), trainer.status().blockedReason() + trainer.status().lastProblem());
    }

    private static float[] rawStates(long seed) {
        float[] states = new float[ROWS * 64];
        SplittableRandom r = new SplittableRandom(seed);
        for (int row = 0; row < ROWS; row++) {
            RawUnitsData.state(r, states, row * 64);
        }
        return states;
    }

    private static float[] ort(byte[] onnx, TrainingRun run, float[] states) {
        try (OnnxHeadPolicy head = new OnnxHeadPolicy(new OrtGraph(onnx, "exported head", 1, ROWS), run.layout(),
                run.chunkSize())) {
            float[] out = new float[ROWS * run.chunkSize()];
            head.act(states, ROWS, out);
            return out;
        }
    }

    @Test
    void aHeadWhoseRawOutputsAreInTheHundredsIsAcceptedAndOnnxRuntimeGivesTheLearnersRawActions() throws Exception {
        LearnerConfig config = config("BC_WARMUP");
        TrainingRun run = new TrainingRun(config, NetTesting.cpu(), Optional.empty());
        Trainer trainer = trainer(config, run, new RawUnitsData(1, 2000), Optional.empty());
        runToDone(trainer, run);
        assertEquals(0, trainer.status().exportsRefused(), trainer.status().lastProblem());
        assertTrue(run.hasBase(), "the verified head became the base");
        assertTrue(run.units().origin().startsWith("demonstrations"), run.units().origin());

        float[] states = rawStates(99);
        float[] learner = run.headActions(states, ROWS);
        float[] exported = ort(Files.readAllBytes(dir.resolve("out/head-v1.onnx")), run, states);
        double stiffness = 0;
        double worst = 0;
        for (int i = 0; i < learner.length; i++) {
            if (i % 13 == 12) {
                stiffness += learner[i] / (learner.length / 13.0);
            }
            double d = Math.abs(exported[i] - learner[i]);
            worst = Math.max(worst, d / (1e-5 + 1e-5 * Math.abs(learner[i])));
        }
        assertTrue(stiffness > 800 && stiffness < 1200, "the head learnt stiffnesses near 1000 N/m: " + stiffness);
        assertTrue(worst <= 1, "ONNX Runtime gives the learner's raw actions within 1e-5 + 1e-5 |a| (worst "
                + worst + " of that)");
        run.close();
    }

    private static Normalisation manifestNormalisation() {
        Normalisation.Builder n = Normalisation.newBuilder();
        for (int i = 0; i < 40; i++) {
            n.addObservationMean(0.1f).addObservationStd(1.5f);
        }
        for (int i = 0; i < 24; i++) {
            n.addStateMean(i < 6 ? 0.5f : i < 12 ? 0f : 20f).addStateStd(i < 6 ? 0.05f : i < 12 ? 0.01f : 10f);
        }
        for (int j = 0; j < 13; j++) {
            n.addActionMean(j == 12 ? 1000f : 0.4f).addActionStd(j == 12 ? 100f : 0.05f);
        }
        return n.build();
    }

    @Test
    void withTheManifestsNormalisationTheExportedHeadTakesAndGivesNormalisedUnits() throws Exception {
        Normalisation norm = manifestNormalisation();
        BundleManifest manifest = TestHeads.chunkManifest("policy-0", 0.5f).toBuilder().clearGraphs()
                .setNormalisation(norm).build();
        PolicyBundle bundle = new PolicyBundle(dir, manifest);
        LearnerConfig config = config("BC_WARMUP");
        TrainingRun run = new TrainingRun(config, NetTesting.cpu(), Optional.of(bundle));
        Trainer trainer = trainer(config, run, new RawUnitsData(2, 2000), Optional.empty());
        runToDone(trainer, run);
        assertEquals(0, trainer.status().exportsRefused(), trainer.status().lastProblem());
        String origin = run.units().origin();
        assertTrue(origin.contains("latent from the manifest") && origin.contains("state from the manifest")
                && origin.contains("actions from the manifest"), origin);
        assertFalse(run.units().actionsInGraph());

        float[] raw = rawStates(98);
        // What the edge feeds the graph: the manifest's transform applied to the raw state.
        float[] normalised = new float[raw.length];
        for (int row = 0; row < ROWS; row++) {
            for (int i = 0; i < 64; i++) {
                float m = i < 40 ? norm.getObservationMean(i) : norm.getStateMean(i - 40);
                float s = i < 40 ? norm.getObservationStd(i) : norm.getStateStd(i - 40);
                normalised[row * 64 + i] = (raw[row * 64 + i] - m) / s;
            }
        }
        byte[] onnx = Files.readAllBytes(dir.resolve("out/head-v1.onnx"));
        float[] out = ort(onnx, run, normalised);
        float[] learnerRaw = run.headActions(raw, ROWS);
        double worst = 0;
        for (int i = 0; i < out.length; i++) {
            // The graph's output is in normalised units: the edge's denormalisation gives the learner's raw action.
            float expectedNormalised = (learnerRaw[i] - norm.getActionMean(i % 13)) / norm.getActionStd(i % 13);
            worst = Math.max(worst, Math.abs(out[i] - expectedNormalised));
        }
        assertTrue(worst < 1e-4, "normalised in, normalised out: worst difference " + worst);
        // Fed raw states instead, it gives something else: the graph does not normalise by itself.
        float[] fromRaw = ort(onnx, run, raw);
        double apart = 0;
        for (int i = 0; i < out.length; i++) {
            apart = Math.max(apart, Math.abs(fromRaw[i] - out[i]));
        }
        assertTrue(apart > 0.1, "raw inputs would give other actions: " + apart);
        run.close();
    }

    @Test
    void aCheckpointKeepsTheUnitsAndAResumedRunDoesNotRefreezeThem() throws Exception {
        Map<String, String> v = TrainerTest.small();
        v.put("tendon.train.stages", "BC_WARMUP,OFFLINE_CRITIC");
        v.put("tendon.train.bc-steps", "5");
        v.put("tendon.train.offline-critic-steps", "50");
        LearnerConfig config = TestConfigs.learner(v);
        CheckpointStore store = new CheckpointStore(dir.resolve("ckpt"), 3);
        TrainingRun first = new TrainingRun(config, NetTesting.cpu(), Optional.empty());
        Trainer trainer = trainer(config, first, new RawUnitsData(3, 2000), Optional.of(store));
        for (int i = 0; i < 12; i++) {
            trainer.step();
        }
        assertEquals(Stage.OFFLINE_CRITIC, first.stage());
        assertTrue(first.unitsFrozen());
        trainer.checkpoint("test");

        TrainingRun resumed = new TrainingRun(config, NetTesting.cpu(), Optional.empty());
        assertFalse(resumed.unitsFrozen());
        resumed.restore(store.latest().orElseThrow());
        assertTrue(resumed.unitsFrozen());
        assertEquals(first.units().toProperties(), resumed.units().toProperties());
        float[] states = rawStates(97);
        assertEquals(java.util.Arrays.toString(first.headActions(states, ROWS)),
                java.util.Arrays.toString(resumed.headActions(states, ROWS)));
        float[] chunks = new float[ROWS * first.chunkSize()];
        java.util.Arrays.fill(chunks, 500f);
        assertEquals(java.util.Arrays.toString(first.evaluate(states, chunks, ROWS).qMin()),
                java.util.Arrays.toString(resumed.evaluate(states, chunks, ROWS).qMin()),
                "the critic sees the same normalised inputs");
        // Data of a different scale after the restart does not change the frozen units.
        Trainer again = trainer(config, resumed, new SyntheticData(4, Map.of()), Optional.empty());
        assertTrue(again.step());
        assertEquals(first.units().toProperties(), resumed.units().toProperties());
        first.close();
        resumed.close();
    }
}
