package io.tendon.learner.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.config.TestConfigs;
import io.tendon.learner.export.ExportVerifier;
import io.tendon.learner.nn.NetTesting;
import io.tendon.learner.nn.Tensors;
import io.tendon.learner.policy.PolicyBundle;
import io.tendon.learner.publish.VersionStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flat resident memory at the real shapes: the README's default widths (critic, V, residual, BC
 * head 256 x 256, K = 2), batch 256, layout 1, the ONNX Runtime base head, through the trainer's
 * own ONLINE_RESIDUAL steps (a critic and a residual update each). After a warm-up, VmRSS over
 * 5,000 gradient steps must grow less than {@link #LIMIT_MB} (least-squares slope over the last
 * two thirds of the samples). Then the same run leaks one batch-sized tensor ([256, 64] floats,
 * 64 kB, as an unscoped state batch would) per gradient step, and the same measurement must
 * exceed the limit: the test can see the leak it is there to catch.
 *
 * <p>About five minutes on two cores: a benchmark ({@code mvn -Pbench -pl learner -am verify}),
 * run in the fixed, pre-touched heap of the bench profile's resident-memory JVM so that only
 * native memory can move.
 */
@Tag("bench")
class ResidentMemoryTest {

    static final double LIMIT_MB = 16;
    private static final int GRADIENT_STEPS = 5000;

    @TempDir
    Path dir;

    private static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS");
    }

    /** Growth over {@code GRADIENT_STEPS} gradient steps, MB, from the RSS slope; {@code leak} runs after each step. */
    private static double growthMb(Trainer trainer, Runnable leak) throws Exception {
        int iterations = GRADIENT_STEPS / 2;
        List<double[]> samples = new ArrayList<>();
        for (int i = 0; i <= iterations; i++) {
            if (i % 50 == 0) {
                samples.add(new double[] {2.0 * i, rssKb() / 1024.0});
            }
            if (i < iterations) {
                assertTrue(trainer.step(), trainer.status().blockedReason());
                leak.run();
                leak.run();
            }
        }
        List<double[]> tail = samples.subList(samples.size() / 3, samples.size());
        double mx = tail.stream().mapToDouble(p -> p[0]).average().orElseThrow();
        double my = tail.stream().mapToDouble(p -> p[1]).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        for (double[] p : tail) {
            sxy += (p[0] - mx) * (p[1] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
        }
        return sxy / sxx * GRADIENT_STEPS;
    }

    @Test
    void residentMemoryStaysFlatOverFiveThousandStepsAtTheRealShapesAndALeakWouldShow() throws Exception {
        Map<String, String> values = new HashMap<>();
        values.put("tendon.train.stages", "ONLINE_RESIDUAL");
        values.put("tendon.train.online-steps", "0");
        values.put("tendon.publish.every-steps", "0");
        values.put("tendon.checkpoint.every-steps", "0");
        values.put("tendon.checkpoint.every-seconds", "0");
        values.put("tendon.policy.bundle-dir", TrainerTest.bundle(dir.resolve("bundle")).toString());
        LearnerConfig config = TestConfigs.learner(values);
        assertEquals(256, config.train().batchSize());
        assertEquals(List.of(256, 256), config.critic().hidden());
        TrainingRun run = new TrainingRun(config, NetTesting.cpu(), Optional.of(PolicyBundle.read(dir.resolve("bundle"))));
        Trainer trainer = new Trainer(run, new SyntheticData(4, Map.of()), TrainerTest.settings(config, Optional.empty()),
                new VersionStore(dir.resolve("v")), Optional.empty(), new ExportVerifier(1e-5, 1e-5, 1), Optional.empty());
        for (int i = 0; i < 500; i++) {
            assertTrue(trainer.step(), trainer.status().blockedReason());
        }
        System.gc();
        double clean = growthMb(trainer, () -> { });
        List<Tensor> leaked = new ArrayList<>();
        float[] batchOfStates = new float[256 * 64];
        java.util.Arrays.fill(batchOfStates, 1f);
        double leaky = growthMb(trainer, () -> leaked.add(Tensors.of(batchOfStates, new long[] {256, 64}, NetTesting.cpu(),
                ScalarType.Float)));
        System.out.printf("resident memory over %d gradient steps at the real shapes: %.1f MB; leaking one [256, 64]"
                + " tensor per step: %.1f MB%n", GRADIENT_STEPS, clean, leaky);
        assertTrue(clean < LIMIT_MB, "RSS grew " + clean + " MB over " + GRADIENT_STEPS + " gradient steps");
        assertTrue(leaky > LIMIT_MB, "a leak of one batch-sized tensor per step shows as " + leaky + " MB");
        leaked.forEach(Tensor::close);
        run.close();
    }
}
