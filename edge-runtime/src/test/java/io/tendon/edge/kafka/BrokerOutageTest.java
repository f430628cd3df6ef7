package io.tendon.edge.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.schemas.v1.Transition;
import io.tendon.testing.KafkaBroker;
import io.tendon.testing.Transitions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away while the robot keeps producing: offers never block, transitions wait in
 * the spool on disk, and everything accepted reaches the topic once and in order when the broker
 * is back, also when the publisher was closed meanwhile and a new one starts on the same spool. A
 * broker of its own, stopped and restarted for real.
 */
class BrokerOutageTest {

    private static final String TOPIC = "tendon.transitions";
    private KafkaBroker broker;

    @BeforeEach
    void start() {
        broker = KafkaBroker.startPrivate();
        broker.createTopics(1, TOPIC);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path spoolDir;

    private TransitionPublisher publisher(int capacity) throws java.io.IOException {
        Map<String, Object> kafka = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        return new TransitionPublisher(() -> new KafkaProducer<>(PublisherProducer.producerConfig(kafka, "outage-test", 1),
                new ByteArraySerializer(), new ByteArraySerializer()), TOPIC,
                new io.tendon.edge.spool.TransitionSpool(spoolDir, 1 << 20, 1L << 30, io.tendon.edge.spool.TransitionSpool.Fsync.NEVER),
                new TransitionPublisher.Settings(capacity, 2048, 100_000_000L, 1_000_000_000L, 0));
    }

    private static void await(String what, java.util.function.BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    @Test
    void everythingAcceptedDuringAnOutageArrivesOnceAndInOrder() throws Exception {
        String episode = "ep-" + UUID.randomUUID();
        try (TransitionPublisher publisher = publisher(1000)) {
            for (int i = 0; i < 20; i++) {
                assertTrue(publisher.offer(Transitions.valid("arm-1", episode, i).build()));
            }
            await("the first 20 delivered", () -> publisher.delivered() == 20, Duration.ofSeconds(30));

            broker.shutdownBroker();
            long start = System.nanoTime();
            for (int i = 20; i < 300; i++) {
                assertTrue(publisher.offer(Transitions.valid("arm-1", episode, i).build()), "step " + i);
            }
            long offerMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(offerMillis < 2_000, "offering never waits for the broker: " + offerMillis + " ms for 280");
            Thread.sleep(1_500);
            assertEquals(20, publisher.delivered(), "nothing is acknowledged while the broker is away");
            assertEquals(280, publisher.pending());
            assertEquals(280, publisher.spool().pending(), "they wait in the spool on disk");
            assertEquals(0, publisher.failed());

            broker.startBroker();
            await("all 300 delivered", () -> publisher.delivered() == 300, Duration.ofSeconds(60));
            assertEquals(0, publisher.failed());
        }
        List<Long> steps = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll()) {
            Transition t = Transition.parseFrom(r.value());
            if (t.getEpisodeId().equals(episode)) {
                steps.add(t.getStep());
            }
        }
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < 300; i++) {
            expected.add(i);
        }
        assertEquals(expected, steps, "every accepted transition once, in the order it was offered");
    }

    @Test
    void whatTheBrokerNeverAcknowledgedIsSentByTheNextPublisherOnTheSameSpool() throws Exception {
        String episode = "ep-" + UUID.randomUUID();
        broker.shutdownBroker();
        TransitionPublisher first = publisher(1000);
        for (int i = 0; i < 300; i++) {
            assertTrue(first.offer(Transitions.valid("arm-2", episode, i).build()), "the spool takes everything");
        }
        await("all 300 in the spool", () -> first.spool().appended() == 300, Duration.ofSeconds(10));
        assertEquals(0, first.refused());
        assertEquals(300, first.pending());
        // The edge stops while the broker is away; a new one starts on the same spool once it is back.
        first.close(Duration.ofMillis(200));
        broker.startBroker();
        try (TransitionPublisher second = publisher(1000)) {
            assertEquals(300, second.spool().recovered());
            await("the spooled 300 delivered", () -> second.delivered() == 300, Duration.ofSeconds(60));
            assertEquals(0, second.pending());
        }
        List<Long> steps = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll()) {
            Transition t = Transition.parseFrom(r.value());
            if (t.getEpisodeId().equals(episode)) {
                steps.add(t.getStep());
            }
        }
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < 300; i++) {
            expected.add(i);
        }
        assertEquals(expected, steps, "every transition once, in order");
    }

    private List<ConsumerRecord<byte[], byte[]>> readAll() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(all::add);
                if (all.size() >= 300) {
                    break;
                }
            }
        }
        return all;
    }
}
