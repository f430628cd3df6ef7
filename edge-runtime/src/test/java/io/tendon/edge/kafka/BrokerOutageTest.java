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
 * The broker goes away while the robot keeps producing: offers never block, what the queue
 * cannot hold is refused and counted, and everything accepted reaches the topic once and in
 * order when the broker is back. A broker of its own, stopped and restarted for real.
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

    private TransitionPublisher publisher(int capacity) {
        Map<String, Object> kafka = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        return new TransitionPublisher(new KafkaProducer<>(PublisherProducer.producerConfig(kafka, "outage-test", 1),
                new ByteArraySerializer(), new ByteArraySerializer()), TOPIC, capacity);
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
    void aFullQueueRefusesAndCountsInsteadOfBlocking() throws Exception {
        broker.shutdownBroker();
        try (TransitionPublisher publisher = publisher(10)) {
            int accepted = 0;
            for (int i = 0; i < 400; i++) {
                if (publisher.offer(Transitions.valid("arm-2", "ep-full", i).build())) {
                    accepted++;
                }
            }
            assertTrue(publisher.refused() > 0, "the queue bound holds");
            assertEquals(400, accepted + publisher.refused());
            broker.startBroker();
            long acceptedTotal = publisher.accepted();
            await("the accepted ones delivered", () -> publisher.delivered() == acceptedTotal, Duration.ofSeconds(60));
        }
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
