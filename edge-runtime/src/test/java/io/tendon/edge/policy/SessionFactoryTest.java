package io.tendon.edge.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Execution provider selection. This machine has no GPU and the default build carries CPU
 * natives: CUDA, when configured, falls back to CPU with one clear log line for the whole
 * bundle, and the policy still runs. The settings' bounds are enforced.
 */
class SessionFactoryTest {

    @TempDir
    Path dir;

    @Test
    void cudaWithoutACudaBuildFallsBackToCpuWithOneLogLineAndStillRuns() {
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(SessionFactory.class.getName());
        logger.addHandler(capture);
        try (PolicyRuntime rt = PolicyRuntime.load(ReferenceBundles.flow(dir, true),
                new OrtSettings(ExecutionProvider.CUDA, 0, 1, OptimisationLevel.ALL, 1), new PolicyRuntime.Options())) {
            assertEquals(ExecutionProvider.CPU, rt.provider());
            assertTrue(rt.providerFallbackReason().contains("no CUDAExecutionProvider"), rt.providerFallbackReason());
            List<LogRecord> warnings = records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                    .toList();
            assertEquals(1, warnings.size(), "one line for a bundle of three graphs");
            String line = String.format(warnings.get(0).getMessage(), warnings.get(0).getParameters());
            assertTrue(line.contains("tendon.policy.execution-provider is cuda") && line.contains("on CPU"), line);
            Observation obs = rt.newObservation();
            assertEquals(StepOutcome.PUBLISHED, rt.step(0, System.nanoTime(), obs), "the policy runs on CPU");
        } finally {
            logger.removeHandler(capture);
        }
        assertTrue(OnnxEnvironment.availableProviders().contains("CPUExecutionProvider"));
        assertEquals("1.22.0", OnnxEnvironment.version());
    }

    @Test
    void settingsOutsideTheirBoundsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new OrtSettings(ExecutionProvider.CPU, 0, 0, OptimisationLevel.ALL, 1));
        assertThrows(IllegalArgumentException.class, () -> new OrtSettings(ExecutionProvider.CPU, 0, 65, OptimisationLevel.ALL, 1));
        assertThrows(IllegalArgumentException.class, () -> new OrtSettings(ExecutionProvider.CUDA, 64, 1, OptimisationLevel.ALL, 1));
        assertThrows(IllegalArgumentException.class, () -> new OrtSettings(ExecutionProvider.CPU, 0, 1, OptimisationLevel.ALL, -1));
    }

    @Test
    void everyOptimisationLevelAndThreadCountGivesTheSameResult() {
        Path bundle = ReferenceBundles.chunkHead(dir);
        float[] reference = null;
        for (OptimisationLevel level : OptimisationLevel.values()) {
            for (int threads : new int[] {1, 2}) {
                try (PolicyRuntime rt = PolicyRuntime.load(bundle, new OrtSettings(ExecutionProvider.CPU, 0, threads, level, 0),
                        new PolicyRuntime.Options())) {
                    Observation obs = rt.newObservation();
                    ReferenceBundles.observe(obs, 5, 0);
                    long now = System.nanoTime();
                    assertEquals(StepOutcome.PUBLISHED, rt.step(0, now, obs));
                    float[] chunk = rt.proposals().take().actions.clone();
                    if (reference == null) {
                        reference = chunk;
                    } else {
                        org.junit.jupiter.api.Assertions.assertArrayEquals(reference, chunk, 1e-4f, level + " x " + threads);
                    }
                }
            }
        }
    }
}
