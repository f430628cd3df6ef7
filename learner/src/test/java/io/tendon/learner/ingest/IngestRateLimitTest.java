package io.tendon.learner.ingest;

import static io.tendon.learner.ingest.IngestHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.LearnerTestConfig;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.replay.Batch;
import io.tendon.learner.replay.Fixtures;
import io.tendon.schemas.v1.Source;
import io.tendon.testing.KafkaBroker;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.Test;

/**
 * The rate limiter on the real ingest path: samples-per-insert 1, min size 10, error buffer 20
 * (minDiff -10, maxDiff 30). By default it bounds the trainer only: every live record goes in at
 * once, and the trainer may sample at most samples-per-insert rows per inserted row (plus one
 * error buffer of credit). With throttle-ingest (Reverb's exact semantics) and no trainer, live
 * ingest stops after 30 rows and pauses its partitions, staying in its group; each batch of 10
 * samples lets 10 more rows in. A rebuild is not held back.
 */
class IngestRateLimitTest {

    private final LearnerConfig config = LearnerTestConfig.of("tendon.replay.rate-limit.enabled", "true",
            "tendon.replay.rate-limit.samples-per-insert", "1", "tendon.replay.rate-limit.min-size-to-sample", "10",
            "tendon.replay.rate-limit.error-buffer", "20", "tendon.replay.rate-limit.throttle-ingest", "true");

    private final LearnerConfig byDefault = LearnerTestConfig.of("tendon.replay.rate-limit.enabled", "true",
            "tendon.replay.rate-limit.samples-per-insert", "1", "tendon.replay.rate-limit.min-size-to-sample", "10",
            "tendon.replay.rate-limit.error-buffer", "20");

    /** 100 ROLLOUT transitions of three robots, steps 0-99 of episode 1. */
    private static void sendHundredRollouts(KafkaProducer<byte[], byte[]> producer, String topic) {
        for (int s = 0; s < 100; s++) {
            IngestHarness.send(producer, topic, "robot-" + (s % 3), Fixtures.transition(s % 3, 1, s, Source.ROLLOUT)
                    .build().toByteArray());
        }
        producer.flush();
    }

    @Test
    void byDefaultIngestIsNeverHeldBackAndTheLimiterBoundsTheTrainer() throws Exception {
        String topic = "unlimited-" + UUID.randomUUID();
        IngestHarness.createTopics(2, topic, topic + ".dlq");
        String group = "unlimited-" + UUID.randomUUID();
        try (IngestHarness learner = new IngestHarness(byDefault, topic, null, group, null, false);
                KafkaProducer<byte[], byte[]> producer = IngestHarness.producer()) {
            await("assignment", 30, () -> learner.loop.firstAssignmentNanos() != 0);
            sendHundredRollouts(producer, topic);
            await("all 100 rows without a single sample", 30, () -> learner.replay.totalSize() == 100);
            await("all committed", 30, () -> IngestHarness.committed(group, topic, 2) == 100);
            await("no consumer lag", 30, () -> learner.registry.get("tendon.learner.consumer.lag.records").gauge()
                    .value() == 0);
            assertEquals(0, learner.registry.get("tendon.learner.ingest.paused.partitions").gauge().value());
            assertEquals(0, learner.registry.get("tendon.learner.replay.rate.limiter.wait").tag("side", "insert").timer()
                    .count(), "ingest never waited");
            // Every inserted row beyond the minimum size buys one sampled row (samples-per-insert 1),
            // credit not spent yet is kept, and sampling stops at minDiff = -10: 100 rows give
            // 100 - 10 + 20 = 110 sampled rows, eleven batches of 10, then the trainer waits for data.
            Batch batch = learner.replay.newBatch(10);
            SplittableRandom rng = new SplittableRandom(1);
            for (int i = 0; i < 11; i++) {
                assertTrue(learner.replay.trySample(batch, rng), "batch " + i);
            }
            assertEquals(false, learner.replay.trySample(batch, rng), "a twelfth batch would exceed samples-per-insert");
            assertTrue(learner.replay.whyNoSample(true, 10).startsWith("rate limiter"),
                    learner.replay.whyNoSample(true, 10));
            // Each new row buys one sampled row again.
            for (int s = 100; s < 110; s++) {
                IngestHarness.send(producer, topic, "robot-0", Fixtures.transition(0, 2, s, Source.ROLLOUT).build()
                        .toByteArray());
            }
            producer.flush();
            await("10 more rows", 30, () -> learner.replay.totalSize() == 110);
            assertTrue(learner.replay.trySample(batch, rng), "10 inserts buy a batch of 10");
            assertEquals(false, learner.replay.trySample(batch, rng));
        }
    }

    @Test
    void liveIngestPausesWhenTheTrainerFallsBehindAndResumesAsItSamples() throws Exception {
        String topic = "limited-" + UUID.randomUUID();
        IngestHarness.createTopics(2, topic, topic + ".dlq");
        String group = "limited-" + UUID.randomUUID();
        try (IngestHarness learner = new IngestHarness(config, topic, null, group, null, false);
                KafkaProducer<byte[], byte[]> producer = IngestHarness.producer()) {
            await("assignment", 30, () -> learner.loop.firstAssignmentNanos() != 0);
            sendHundredRollouts(producer, topic);
            await("30 rows, then the limiter", 30, () -> learner.replay.totalSize() == 30);
            Thread.sleep(1000);
            assertEquals(30, learner.replay.totalSize(), "ingest stays paused while nobody samples");
            assertEquals(30, IngestHarness.committed(group, topic, 2), "only inserted records are committed");
            assertTrue(learner.registry.get("tendon.learner.ingest.paused.partitions").gauge().value() >= 1);
            // Blocking ingest's consequence: what the robots sent waits in the log.
            await("a consumer lag of the 70 records not taken", 30,
                    () -> learner.registry.get("tendon.learner.consumer.lag.records").gauge().value() == 70);
            assertEquals(70, learner.metrics.consumerLag().records());
            try (var admin = KafkaBroker.shared().admin()) {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                        .get(10, TimeUnit.SECONDS);
                assertEquals(GroupState.STABLE, d.groupState(), "a paused consumer stays in its group");
                assertEquals(1, d.members().size());
            }

            Batch batch = learner.replay.newBatch(10);
            SplittableRandom rng = new SplittableRandom(1);
            int batches = 0;
            while (learner.replay.totalSize() < 100) {
                assertTrue(learner.replay.sample(batch, rng, 10, TimeUnit.SECONDS), "the limiter lets the trainer sample");
                batches++;
                long target = Math.min(100, 30 + 10L * batches);
                await("10 more rows per batch", 30, () -> learner.replay.totalSize() == target);
            }
            assertEquals(7, batches);
            await("all committed", 30, () -> IngestHarness.committed(group, topic, 2) == 100);
            assertTrue(learner.registry.get("tendon.learner.replay.rate.limiter.wait").tag("side", "insert").timer()
                    .count() >= 1, "ingest waits are visible in metrics");
            // Balanced again: 100 inserts x 1 - 70 samples = 30 = maxDiff.
            assertEquals(30, learner.registry.get("tendon.learner.replay.rate.limiter.diff").gauge().value(), 1e-9);
        }

        // A learner rebuilding the same log is not throttled: those records were already there.
        try (IngestHarness rebuild = new IngestHarness(config, topic, null, "rebuild-" + UUID.randomUUID(), null, false)) {
            await("rebuild of all 100 rows", 30, () -> rebuild.replay.totalSize() == 100);
            assertEquals(30, rebuild.registry.get("tendon.learner.replay.rate.limiter.diff").gauge().value(), 1e-9,
                    "the rebuilt history leaves one error buffer of credit, not 100 rows' worth");
        }
    }
}
