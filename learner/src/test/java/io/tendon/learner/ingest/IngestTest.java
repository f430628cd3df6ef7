package io.tendon.learner.ingest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tendon.learner.record.DeadLetterReason;
import io.tendon.learner.replay.ReplayBuffer;
import io.tendon.schemas.v1.EpisodeEvent;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;
import io.tendon.testing.KafkaBroker;
import io.tendon.testing.KafkaBrokerResource;
import io.tendon.testing.Transitions;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The learner application's ingest against the real broker: valid records reach the replay and
 * are counted, every kind of invalid record is dead-lettered with its reason and counted, a
 * re-sent batch enters once, episode events are consumed, and all of it shows in /q/metrics.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class IngestTest {

    private static final String TOPIC = "tendon.transitions";
    private static final String DLQ = "tendon.transitions.dlq";
    private static final String EVENTS = "tendon.episode-events";

    @Inject
    ReplayBuffer replay;

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(TOPIC, key.getBytes(StandardCharsets.UTF_8), value)).get();
    }

    /** Value of a Prometheus sample line such as {@code name{tag="x"} 3.0}, 0 when absent. */
    static double scrape(String name, String labels) {
        String body = given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{([^}]*)\\})? ([0-9.eE+-]+)$").matcher(body);
        double sum = 0;
        while (m.find()) {
            if (labels == null || (m.group(2) != null && m.group(2).contains(labels))) {
                sum += Double.parseDouble(m.group(3));
            }
        }
        return sum;
    }

    @Test
    void validTransitionIsAcceptedAndCounted() throws Exception {
        String robot = "robot-" + UUID.randomUUID().toString().substring(0, 8);
        double before = scrape("tendon_learner_transitions_accepted_total", "source=\"ROLLOUT\"");
        double latencies = scrape("tendon_learner_experience_to_replay_seconds_count", "from=\"start\"");
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            send(producer, robot, Transitions.valid(robot, "ep-1", 0).build().toByteArray());
        }
        await().atMost(Duration.ofSeconds(20)).until(
                () -> scrape("tendon_learner_transitions_accepted_total", "source=\"ROLLOUT\"") >= before + 1);
        assertTrue(replay.contains(robot, "ep-1", 0), "the transition is in the replay");
        // Latencies are recorded when the sampling window ends: at the next idle poll here.
        await().atMost(Duration.ofSeconds(5)).until(
                () -> scrape("tendon_learner_experience_to_replay_seconds_count", "from=\"start\"") >= latencies + 1);
        assertEquals(replay.size(Source.ROLLOUT), scrape("tendon_learner_replay_size", "source=\"ROLLOUT\""),
                "table sizes are exported");
    }

    @Test
    void aReSentBatchEntersOnce() throws Exception {
        String robot = "robot-" + UUID.randomUUID().toString().substring(0, 8);
        double accepted = scrape("tendon_learner_transitions_accepted_total", null);
        double duplicates = scrape("tendon_learner_transitions_duplicates_total", null);
        long size = replay.size(Source.INTERVENTION);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int round = 0; round < 2; round++) {
                for (int s = 0; s < 10; s++) {
                    send(producer, robot, Transitions.valid(robot, "ep-2", s).setSource(Source.INTERVENTION).build()
                            .toByteArray());
                }
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(
                () -> scrape("tendon_learner_transitions_duplicates_total", null) >= duplicates + 10);
        assertEquals(accepted + 10, scrape("tendon_learner_transitions_accepted_total", null));
        assertEquals(size + 10, replay.size(Source.INTERVENTION));
    }

    @Test
    void episodeEventsAreConsumedAndBadOnesDeadLettered() throws Exception {
        String robot = "robot-" + UUID.randomUUID().toString().substring(0, 8);
        double events = scrape("tendon_learner_episode_events_total", null);
        double missing = scrape("tendon_learner_dead_letters_total", "reason=\"MISSING_FIELD\"");
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(EVENTS, robot.getBytes(StandardCharsets.UTF_8), EpisodeEvent.newBuilder()
                    .setRobotId(robot).setEpisodeId("ep-5").setKind(EpisodeEvent.Kind.FAILURE).build().toByteArray())).get();
            producer.send(new ProducerRecord<>(EVENTS, robot.getBytes(StandardCharsets.UTF_8), EpisodeEvent.newBuilder()
                    .setRobotId(robot).setKind(EpisodeEvent.Kind.SUCCESS).build().toByteArray())).get();
        }
        await().atMost(Duration.ofSeconds(20)).until(
                () -> scrape("tendon_learner_episode_events_total", null) >= events + 1
                        && scrape("tendon_learner_dead_letters_total", "reason=\"MISSING_FIELD\"") >= missing + 1);
    }

    @Test
    void invalidRecordsAreDeadLetteredWithTheirReasonAndIngestGoesOn() throws Exception {
        String robot = "robot-" + UUID.randomUUID().toString().substring(0, 8);
        Transition good = Transitions.valid(robot, "ep-9", 0).build();
        Map<String, byte[]> bad = new HashMap<>();
        bad.put("UNPARSEABLE", new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0x02});
        bad.put("LAYOUT_VERSION", good.toBuilder().setLayoutVersion(2).build().toByteArray());
        bad.put("NON_FINITE", good.toBuilder()
                .setObservation(good.getObservation().toBuilder().setLatent(3, Float.NaN)).build().toByteArray());
        bad.put("MISSING_FIELD", good.toBuilder().clearNextObservation().build().toByteArray());
        bad.put("DIMENSION", good.toBuilder().addRewards(1f).build().toByteArray());
        bad.put("BAD_TIMESTAMP", good.toBuilder().setStartTimeUnixNanos(5).build().toByteArray());
        bad.put("BAD_ID", good.toBuilder().setEpisodeId("ep 9 with spaces").build().toByteArray());
        assertEquals(java.util.Arrays.stream(DeadLetterReason.values()).map(Enum::name)
                .collect(java.util.stream.Collectors.toSet()), bad.keySet(), "every reason is produced");

        Map<String, Double> before = new HashMap<>();
        for (String reason : bad.keySet()) {
            before.put(reason, scrape("tendon_learner_dead_letters_total", "reason=\"" + reason + "\""));
        }
        double acceptedBefore = scrape("tendon_learner_transitions_accepted_total", null);

        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (byte[] value : bad.values()) {
                send(producer, robot, value);
            }
            // Records after the bad ones must still be consumed.
            send(producer, robot, good.toByteArray());
            send(producer, robot, Transitions.valid(robot, "ep-9", 1).build().toByteArray());
        }

        await().atMost(Duration.ofSeconds(20)).until(
                () -> scrape("tendon_learner_transitions_accepted_total", null) >= acceptedBefore + 2);
        for (String reason : bad.keySet()) {
            assertEquals(before.get(reason) + 1, scrape("tendon_learner_dead_letters_total", "reason=\"" + reason + "\""),
                    reason + " counted once");
        }

        List<ConsumerRecord<byte[], byte[]>> letters = readDeadLetters(robot, bad.size());
        Map<String, byte[]> byReason = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> letter : letters) {
            String reason = header(letter, DeadLetters.HEADER_REASON);
            byReason.put(reason, letter.value());
            assertEquals(TOPIC, header(letter, DeadLetters.HEADER_TOPIC));
            assertTrue(!header(letter, DeadLetters.HEADER_DETAIL).isBlank(), "a detail for people");
        }
        assertEquals(bad.keySet(), byReason.keySet());
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            assertTrue(java.util.Arrays.equals(e.getValue(), byReason.get(e.getKey())),
                    "the dead letter carries the original bytes for " + e.getKey());
        }
        assertTrue(header(letters.stream().filter(l -> header(l, DeadLetters.HEADER_REASON).equals("NON_FINITE"))
                .findFirst().orElseThrow(), DeadLetters.HEADER_DETAIL).contains("latent[3]"));
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readDeadLetters(String robot, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(DLQ));
            long deadline = System.currentTimeMillis() + 20_000;
            while (found.size() < expected && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals(robot)) {
                        found.add(r);
                    }
                }
            }
        }
        assertEquals(expected, found.size(), "dead letters for " + robot);
        return found;
    }
}
