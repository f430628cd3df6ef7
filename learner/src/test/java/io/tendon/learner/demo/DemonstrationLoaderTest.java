package io.tendon.learner.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tendon.learner.LearnerTestConfig;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.record.DeadLetterReason;
import io.tendon.learner.record.DecodedTransition;
import io.tendon.learner.record.TransitionValidator;
import io.tendon.learner.replay.Batch;
import io.tendon.learner.replay.Fixtures;
import io.tendon.learner.replay.ReplayBuffer;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Demonstration files (Transition.writeDelimitedTo records) through validation into the DEMO table. */
class DemonstrationLoaderTest {

    private final LearnerConfig config = LearnerTestConfig.of();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ReplayBuffer replay = new ReplayBuffer(config, registry);
    private final DemonstrationLoader loader = new DemonstrationLoader(new DecodedTransition(config.layout()),
            new TransitionValidator(config.layout(), 300, 100_000, () -> System.currentTimeMillis() * 1_000_000L),
            replay, registry);

    private static Transition demo(int episode, int step) {
        return Fixtures.transition(9, episode, step, Source.DEMO).clearPolicyChunk().setPolicyVersion(0).build();
    }

    private static void write(Path file, Transition... records) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            for (Transition t : records) {
                t.writeDelimitedTo(out);
            }
        }
    }

    @Test
    void aFileOfDelimitedTransitionsFillsTheDemoTable(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("peg.tdemo");
        Transition[] records = new Transition[40];
        for (int i = 0; i < records.length; i++) {
            records[i] = demo(i / 10, i % 10);
        }
        write(file, records);
        DemonstrationLoader.Report report = loader.load(file);
        assertEquals(40, report.records());
        assertEquals(40, report.loaded());
        assertEquals(40, replay.size(Source.DEMO));
        Batch batch = replay.newBatch(32);
        assertTrue(replay.sampleDemonstrations(batch, new SplittableRandom(1)));
        assertEquals(Source.DEMO.getNumber(), batch.source[0]);
        // Loading the same file again adds nothing.
        DemonstrationLoader.Report again = loader.load(file);
        assertEquals(40, again.duplicates());
        assertEquals(40, replay.size(Source.DEMO));
    }

    @Test
    void invalidRecordsAreCountedAndSkippedTheRestLoads(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mixed.tdemo");
        Transition nan = demo(1, 1).toBuilder().setObservation(demo(1, 1).getObservation().toBuilder()
                .setLatent(5, Float.NaN)).build();
        Transition layout = demo(1, 2).toBuilder().setLayoutVersion(9).build();
        write(file, demo(1, 0), nan, layout, demo(1, 3));
        DemonstrationLoader.Report report = loader.load(file);
        assertEquals(4, report.records());
        assertEquals(2, report.loaded());
        assertEquals(1L, report.rejected().get(DeadLetterReason.NON_FINITE));
        assertEquals(1L, report.rejected().get(DeadLetterReason.LAYOUT_VERSION));
        assertEquals(1.0, registry.get("tendon.learner.demo.rejected").tag("reason", "NON_FINITE").counter().count());
        assertEquals(2, replay.size(Source.DEMO));
    }

    @Test
    void aTruncatedFileIsAClearErrorAndKeepsWhatCameBefore(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) {
            demo(2, i).writeDelimitedTo(bytes);
        }
        byte[] whole = bytes.toByteArray();
        Path file = dir.resolve("cut.tdemo");
        Files.write(file, Arrays.copyOf(whole, whole.length - 100));
        IOException e = assertThrows(IOException.class, () -> loader.load(file));
        assertTrue(e.getMessage().contains("record 3") && e.getMessage().contains("truncated"), e.getMessage());
        assertEquals(2, replay.size(Source.DEMO));

        Path garbage = dir.resolve("garbage.tdemo");
        Files.write(garbage, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f, 1, 2});
        IOException g = assertThrows(IOException.class, () -> loader.load(garbage));
        assertTrue(g.getMessage().contains("damaged"), g.getMessage());
    }
}
