package io.tendon.learner.ops;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tendon.learner.grpc.TrainingProfile;
import io.tendon.testing.Exposition;
import io.tendon.testing.KafkaBroker;
import io.tendon.testing.KafkaBrokerResource;
import io.tendon.testing.Transitions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The learner as operators see it, with everything on: ingest from the real broker, replay
 * checkpoints, the trainer through BC warm-up (publishing the head) and the offline critic with
 * its checkpoints. Its {@code /q/metrics} passes {@code promtool check metrics}, its histograms are
 * consistent, and the meters the dashboard and the alerts need are there: consumer lag, checkpoint
 * age, duration and failures of both kinds, trainer step time and failures, publish failures, the
 * time since the last update. The scrape is kept in {@code target/metrics/learner.prom} for
 * {@link MonitoringTest}.
 */
@QuarkusTest
@TestProfile(LearnerOperationsTest.Profile.class)
@QuarkusTestResource(KafkaBrokerResource.class)
class LearnerOperationsTest {

    public static final Path SCRAPE = Path.of("target", "metrics", "learner.prom");
    static final Path ROOT = Path.of("target", "ops-test-" + UUID.randomUUID());

    /** Training as in the gRPC tests, plus replay checkpoints every second. */
    public static class Profile extends TrainingProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> m = new HashMap<>(super.getConfigOverrides());
            m.put("tendon.replay.checkpoint.enabled", "true");
            m.put("tendon.replay.checkpoint.directory", ROOT.resolve("replay").toString());
            m.put("tendon.replay.checkpoint.interval-seconds", "1");
            return m;
        }
    }

    private static Exposition scrape() {
        return new Exposition(given().header("Accept", "text/plain; version=0.0.4").get("/q/metrics").then()
                .statusCode(200).extract().asString());
    }

    @Test
    void metricsPassPromtoolAndCarryWhatOperatorsNeed() throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaBroker.shared().bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int step = 0; step < 20; step++) {
                p.send(new ProducerRecord<>("tendon.transitions", "arm-ops".getBytes(StandardCharsets.UTF_8),
                        Transitions.valid("arm-ops", "ep-ops-1", step * 16L).build().toByteArray())).get();
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Exposition seen = scrape();
        while (!(seen.value("tendon_learner_updates_published_total", "graph=\"head\"") >= 1
                && seen.value("tendon_learner_checkpoint_duration_seconds_count", "kind=\"training\"") >= 1
                && seen.value("tendon_learner_checkpoint_duration_seconds_count", "kind=\"replay\"") >= 1
                && seen.value("tendon_learner_transitions_accepted_total", "source=\"ROLLOUT\"") >= 20
                && seen.names().contains("kafka_consumer_fetch_manager_records_lag"))) {
            assertTrue(System.nanoTime() < deadline, "a published head, checkpoints of both kinds, 20 transitions"
                    + " and the ingest consumer's lag in:\n" + String.join("\n", seen.names()));
            Thread.sleep(1000);
            seen = scrape();
        }
        Exposition e = scrape();
        e.write(SCRAPE);

        assertTrue(e.assertHistogramsConsistent() >= 4, "histogram families");
        for (String name : List.of("tendon_learner_train_step_duration_seconds_bucket",
                "tendon_learner_train_step_failures_total", "tendon_learner_publish_failures_total",
                "tendon_learner_publish_age_seconds", "tendon_learner_checkpoint_age_seconds",
                "tendon_learner_checkpoint_failures_total", "tendon_learner_checkpoint_duration_seconds_bucket",
                "tendon_learner_experience_to_replay_seconds_bucket", "tendon_learner_replay_rate_limiter_wait_seconds_bucket",
                "tendon_learner_export_refused_total", "tendon_learner_stage", "tendon_learner_train_loss",
                "kafka_consumer_fetch_manager_records_lag_max", "kafka_producer_record_error_total")) {
            assertTrue(e.names().contains(name), name + " missing from /q/metrics");
        }
        assertFalse(e.text().contains("quantile=\""), "no client-side quantiles: histograms sum across learners");
        assertEquals(0.0, e.value("tendon_learner_train_step_failures_total"));
        assertEquals(0.0, e.value("tendon_learner_publish_failures_total", "stage=\"send\""));
        assertTrue(e.value("tendon_learner_publish_age_seconds") < 120, "the head went out moments ago");
        assertTrue(e.value("tendon_learner_checkpoint_age_seconds", "kind=\"replay\"") < 60);
        assertTrue(e.value("kafka_consumer_fetch_manager_records_lag", "client_id=\"learner-0-ingest\"",
                "topic=\"tendon.transitions\"") >= 0, "the ingest consumer's lag per partition");
        e.assertPromtoolAccepts();
    }
}
