package io.tendon.learner.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tendon.learner.LearnerTestConfig;
import io.tendon.learner.checkpoint.AtomicFile;
import io.tendon.learner.checkpoint.CheckpointStore;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.replay.Fixtures;
import io.tendon.learner.replay.ReplayAssertions;
import io.tendon.learner.replay.ReplayBuffer;
import io.tendon.schemas.v1.Source;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints of replay + offsets: a crash in the middle of writing one never costs the previous one. */
class ReplayCheckpointsTest {

    private final LearnerConfig config = LearnerTestConfig.of();
    private static final TopicPartition P0 = new TopicPartition("tendon.transitions", 0);
    private static final TopicPartition P1 = new TopicPartition("tendon.transitions", 1);

    private ReplayBuffer replayWith(int episodes) {
        ReplayBuffer replay = new ReplayBuffer(config, new SimpleMeterRegistry());
        for (int e = 0; e < episodes; e++) {
            for (int s = 0; s < 5; s++) {
                replay.insert(Fixtures.decode(Fixtures.transition(e, e, s, e % 2 == 0 ? Source.ROLLOUT
                        : Source.INTERVENTION).build(), config.layout()), false);
            }
        }
        return replay;
    }

    private ReplayCheckpoints checkpoints(Path dir, ReplayBuffer replay) {
        return new ReplayCheckpoints(new CheckpointStore(dir, 2), replay, Long.MAX_VALUE);
    }

    @Test
    void aCheckpointRestoresContentsAndOffsets(@TempDir Path dir) throws Exception {
        ReplayBuffer replay = replayWith(6);
        long id = checkpoints(dir, replay).write(Map.of(P0, 120L, P1, 7L));
        ReplayBuffer fresh = new ReplayBuffer(config, new SimpleMeterRegistry());
        Optional<ReplayCheckpoints.Restored> restored = checkpoints(dir, fresh).restore();
        assertTrue(restored.isPresent());
        assertEquals(id, restored.get().id());
        assertEquals(Map.of(P0, 120L, P1, 7L), restored.get().offsets());
        ReplayAssertions.assertSameContents(replay, fresh);
        assertTrue(Files.readString(dir.resolve("ckpt-" + id).resolve(ReplayCheckpoints.OFFSETS_PART))
                .contains("tendon.transitions 0 120"), "offsets are readable by people");
    }

    @Test
    void aWriteKilledHalfwayLeavesThePreviousCheckpointLoadable(@TempDir Path dir) throws Exception {
        ReplayBuffer first = replayWith(4);
        checkpoints(dir, first).write(Map.of(P0, 20L));

        // The process "dies" while writing the next checkpoint's replay part: the body throws after
        // half the bytes, as a kill during the write would stop it.
        ReplayBuffer second = replayWith(9);
        ByteArrayOutputStream full = new ByteArrayOutputStream();
        second.writeSnapshot(full);
        byte[] bytes = full.toByteArray();
        Map<String, AtomicFile.Body> parts = new LinkedHashMap<>();
        parts.put(ReplayCheckpoints.OFFSETS_PART, out -> out.write("tendon.transitions 0 45\n".getBytes()));
        parts.put(ReplayCheckpoints.REPLAY_PART, out -> {
            out.write(bytes, 0, bytes.length / 2);
            throw new IOException("killed");
        });
        CheckpointStore store = new CheckpointStore(dir, 2);
        assertThrows(IOException.class, () -> store.write(2, parts));
        // And the debris a real kill leaves: a half-written temporary file, a part renamed into
        // place in a checkpoint that never got its COMPLETE marker.
        Path broken = dir.resolve("ckpt-2");
        Files.write(broken.resolve(".replay.tmp-4242"), Arrays.copyOf(bytes, 1000));
        Files.write(broken.resolve(ReplayCheckpoints.REPLAY_PART), Arrays.copyOf(bytes, bytes.length / 3));

        ReplayBuffer fresh = new ReplayBuffer(config, new SimpleMeterRegistry());
        ReplayCheckpoints afterCrash = checkpoints(dir, fresh);
        Optional<ReplayCheckpoints.Restored> restored = afterCrash.restore();
        assertEquals(1, restored.orElseThrow().id());
        assertEquals(Map.of(P0, 20L), restored.get().offsets());
        ReplayAssertions.assertSameContents(first, fresh);

        // Life goes on: the next checkpoint succeeds over the debris and becomes the latest.
        long next = afterCrash.write(Map.of(P0, 33L));
        assertEquals(2, next);
        assertTrue(Files.exists(broken.resolve("COMPLETE")));
        ReplayBuffer again = new ReplayBuffer(config, new SimpleMeterRegistry());
        assertEquals(Map.of(P0, 33L), checkpoints(dir, again).restore().orElseThrow().offsets());
        ReplayAssertions.assertSameContents(first, again);
    }

    @Test
    void aLatestCheckpointDamagedOnDiskFallsBackToTheOneBefore(@TempDir Path dir) throws Exception {
        ReplayBuffer first = replayWith(3);
        ReplayCheckpoints writer = checkpoints(dir, first);
        writer.write(Map.of(P0, 15L));
        ReplayBuffer second = replayWith(5);
        new ReplayCheckpoints(new CheckpointStore(dir, 2), second, Long.MAX_VALUE).write(Map.of(P0, 25L));
        Path part = dir.resolve("ckpt-2").resolve(ReplayCheckpoints.REPLAY_PART);
        byte[] bytes = Files.readAllBytes(part);
        bytes[bytes.length / 2] ^= 0x01;
        try (OutputStream out = Files.newOutputStream(part)) {
            out.write(bytes);
        }
        ReplayBuffer fresh = new ReplayBuffer(config, new SimpleMeterRegistry());
        ReplayCheckpoints.Restored restored = checkpoints(dir, fresh).restore().orElseThrow();
        assertEquals(1, restored.id());
        assertEquals(Map.of(P0, 15L), restored.offsets());
        ReplayAssertions.assertSameContents(first, fresh);
    }

    @Test
    void noCheckpointMeansAnEmptyReplay(@TempDir Path dir) {
        ReplayBuffer fresh = new ReplayBuffer(config, new SimpleMeterRegistry());
        assertTrue(checkpoints(dir, fresh).restore().isEmpty());
        assertEquals(0, fresh.totalSize());
    }
}
