package io.tendon.learner.ingest;

import static io.tendon.learner.ingest.IngestHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.LearnerTestConfig;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.replay.Fixtures;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability against the real broker: a restarted learner rebuilds its replay from the log, or
 * from a checkpoint's offsets, with exact counts and nothing inserted twice.
 */
class RestartRebuildTest {

    private static final int PARTITIONS = 4;

    /** Robot 7 demonstrates; the others intervene on steps 0, 4 and 8 and roll out otherwise. */
    private static Transition record(int robot, int episode, int step) {
        Source source = robot == 7 ? Source.DEMO : step % 4 == 0 ? Source.INTERVENTION : Source.ROLLOUT;
        Transition.Builder t = Fixtures.transition(robot, episode, step, source).setTerminated(step == 9)
                .setRewards(15, 1f);
        if (source == Source.DEMO) {
            t.clearPolicyChunk();
        }
        return t.build();
    }

    /** Sends episodes [from, to) of robots 0-7, 10 steps each; returns how many records were sent. */
    private static int sendEpisodes(KafkaProducer<byte[], byte[]> producer, String topic, int from, int to) {
        int n = 0;
        for (int e = from; e < to; e++) {
            for (int r = 0; r < 8; r++) {
                for (int s = 0; s < 10; s++) {
                    IngestHarness.send(producer, topic, "robot-" + r, record(r, e, s).toByteArray());
                    n++;
                }
            }
        }
        return n;
    }

    private static void assertCounts(IngestHarness learner, int episodes) {
        assertEquals(7 * episodes * 3, learner.replay.size(Source.INTERVENTION), "interventions");
        assertEquals(7 * episodes * 7, learner.replay.size(Source.ROLLOUT), "rollouts");
        assertEquals(episodes * 10, learner.replay.size(Source.DEMO), "demonstrations");
        for (int e = 0; e < episodes; e++) {
            for (int r = 0; r < 8; r++) {
                for (int s = 0; s < 10; s++) {
                    assertTrue(learner.replay.contains("robot-" + r, "ep-" + e, s), r + "/" + e + "/" + s);
                }
            }
        }
    }

    @Test
    void aRestartWithoutCheckpointRebuildsFromRetentionStart() throws Exception {
        String topic = "rebuild-" + UUID.randomUUID();
        IngestHarness.createTopics(PARTITIONS, topic, topic + ".dlq");
        LearnerConfig config = LearnerTestConfig.of();
        int sent;
        try (KafkaProducer<byte[], byte[]> producer = IngestHarness.producer()) {
            sent = sendEpisodes(producer, topic, 0, 3);
            // A re-sent batch (the robot's spool drained twice) and two bad records.
            for (int s = 0; s < 10; s++) {
                IngestHarness.send(producer, topic, "robot-2", record(2, 1, s).toByteArray());
            }
            IngestHarness.send(producer, topic, "robot-3", new byte[] {1, 2, 3});
            IngestHarness.send(producer, topic, "robot-4", record(5, 0, 0).toByteArray()); // key differs from robot_id
            sent += 12;
            producer.flush();
        }
        String group = "learner-" + UUID.randomUUID();
        try (IngestHarness first = new IngestHarness(config, topic, null, group, null, false)) {
            await("first learner ingests", 60, () -> IngestHarness.committed(group, topic, PARTITIONS) == 252);
            assertCounts(first, 3);
            assertEquals(10, first.metrics.duplicateCount(), "the re-sent batch entered once");
            assertEquals(2, first.metrics.totalDeadLetters());
        }
        // Restart: a fresh replay in the same group rebuilds from the oldest record, not from the
        // group's committed offsets (which already point at the end).
        try (IngestHarness second = new IngestHarness(config, topic, null, group, null, false)) {
            await("restarted learner rebuilds", 60, () -> second.replay.totalSize() == 240
                    && second.metrics.duplicateCount() == 10);
            Thread.sleep(300);
            assertCounts(second, 3);
            assertEquals(240, second.replay.totalSize(), "exactly, nothing twice");
            assertEquals(sent, 252);
        }
        // With rebuild-from=COMMITTED the learner continues where the group stopped: fast, empty replay.
        LearnerConfig committed = LearnerTestConfig.of("tendon.replay.rebuild-from", "COMMITTED");
        try (IngestHarness third = new IngestHarness(committed, topic, null, group, null, false)) {
            try (KafkaProducer<byte[], byte[]> producer = IngestHarness.producer()) {
                IngestHarness.send(producer, topic, "robot-1", record(1, 50, 0).toByteArray());
            }
            await("only the new record", 30, () -> third.replay.totalSize() == 1);
            assertTrue(third.replay.contains("robot-1", "ep-50", 0));
        }
    }

    @Test
    void aCrashAfterACheckpointResumesFromItsOffsetsWithoutDoubles(@TempDir Path dir) throws Exception {
        String topic = "checkpointed-" + UUID.randomUUID();
        IngestHarness.createTopics(PARTITIONS, topic, topic + ".dlq");
        LearnerConfig config = LearnerTestConfig.of();
        String group = "learner-" + UUID.randomUUID();
        AtomicBoolean crashed = new AtomicBoolean();
        Map<TopicPartition, Long> checkpointed;
        try (KafkaProducer<byte[], byte[]> producer = IngestHarness.producer()) {
            sendEpisodes(producer, topic, 0, 2);
            producer.flush();
            // Checkpoints succeed until the "crash": after it, the final checkpoint never happens.
            IngestLoop.Checkpointer[] delegate = new IngestLoop.Checkpointer[1];
            IngestLoop.Checkpointer crashing = new IngestLoop.Checkpointer() {
                @Override
                public boolean due(long now) {
                    return false;
                }

                @Override
                public long write(Map<TopicPartition, Long> positions) throws Exception {
                    if (crashed.get()) {
                        throw new IllegalStateException("the process is dead");
                    }
                    return delegate[0].write(positions);
                }
            };
            IngestHarness first = new IngestHarness(config, topic, null, group, dir, false, crashing);
            delegate[0] = first.checkpoints;
            await("first half", 60, () -> first.replay.totalSize() == 160);
            long id = first.loop.requestCheckpoint().get(30, TimeUnit.SECONDS);
            assertEquals(1, id);
            checkpointed = ReplayCheckpoints.readOffsets(java.nio.file.Files.newInputStream(
                    dir.resolve("ckpt-1").resolve(ReplayCheckpoints.OFFSETS_PART)));
            assertEquals(160L, checkpointed.values().stream().mapToLong(Long::longValue).sum());

            sendEpisodes(producer, topic, 2, 3);
            for (int s = 0; s < 10; s++) {
                IngestHarness.send(producer, topic, "robot-1", record(1, 0, s).toByteArray()); // re-sent
            }
            producer.flush();
            await("second half", 60, () -> first.replay.totalSize() == 240 && first.metrics.duplicateCount() == 10);
            await("committed", 30, () -> IngestHarness.committed(group, topic, PARTITIONS) == 250);
            crashed.set(true);
            first.close();
        }
        // The restarted learner loads checkpoint 1 (160 rows) and re-reads only what came after it.
        try (IngestHarness second = new IngestHarness(config, topic, null, group, dir, true)) {
            await("resumed", 60, () -> second.replay.totalSize() == 240 && second.metrics.duplicateCount() == 10);
            Thread.sleep(300);
            assertCounts(second, 3);
            assertEquals(240, second.replay.totalSize());
            assertEquals(80, second.metrics.acceptedCount(), "only the records after the checkpoint were read again");
            assertEquals(10, second.metrics.duplicateCount(), "the re-sent batch is a duplicate of checkpointed rows");
        }
    }
}
