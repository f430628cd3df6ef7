package io.tendon.learner.ingest;

import static io.tendon.learner.ingest.IngestHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.LearnerTestConfig;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.replay.Fixtures;
import io.tendon.schemas.v1.Source;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A batch that fails halfway (here the sink throws, as a dead-letter send to a broker that went
 * away would) is re-read from its first record; with many small batches in flight, pipelined or
 * not, every transition still ends up in replay exactly once and the offsets reach the end.
 */
class IngestFailureTest {

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void failedBatchesAreReReadAndNothingIsLostOrDoubled(boolean pipelined) throws Exception {
        String topic = "failing-" + UUID.randomUUID();
        IngestHarness.createTopics(3, topic, topic + ".dlq");
        LearnerConfig config = LearnerTestConfig.of("tendon.ingest.pipelined", String.valueOf(pipelined),
                "tendon.ingest.max-poll-records", "37");
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        String group = "failing-" + UUID.randomUUID();
        try (IngestHarness learner = new IngestHarness(config, topic, null, group, null, false, null,
                replay -> (t, bulk) -> {
                    if (calls.incrementAndGet() % 97 == 0 && failures.get() < 12) {
                        failures.incrementAndGet();
                        throw new IllegalStateException("injected failure");
                    }
                    return replay.insert(t, bulk);
                });
                KafkaProducer<byte[], byte[]> producer = IngestHarness.producer()) {
            for (int s = 0; s < 600; s++) {
                IngestHarness.send(producer, topic, "robot-" + (s % 5), Fixtures.transition(s % 5, 1, s, Source.ROLLOUT)
                        .build().toByteArray());
            }
            producer.flush();
            await("every record once", 60, () -> learner.replay.totalSize() == 600
                    && IngestHarness.committed(group, topic, 3) == 600);
            assertEquals(600, learner.replay.totalSize());
            assertEquals(600, learner.metrics.acceptedCount(), "each transition accepted exactly once");
            assertTrue(failures.get() >= 5, "failures were injected: " + failures.get());
            assertTrue(learner.registry.get("tendon.learner.ingest.batch.retries").counter().count() >= 5);
        }
    }
}
