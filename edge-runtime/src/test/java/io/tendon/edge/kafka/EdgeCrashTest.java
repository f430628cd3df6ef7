package io.tendon.edge.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.edge.testing.SpoolingEdgeProcess;
import io.tendon.schemas.v1.Transition;
import io.tendon.testing.KafkaBroker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge process dies by {@code kill -9} while transitions sit in its spool (the broker is away);
 * a new process on the same spool, once the broker is back, delivers them: each exactly once on the
 * topic, by (robot, episode, step), in order. The publishing half of the edge (the application's
 * publisher, spool and producer settings) runs in a JVM of its own, so the kill is real.
 */
class EdgeCrashTest {

    private static final String TOPIC = "tendon.transitions";
    private KafkaBroker broker;

    @TempDir
    Path spool;

    @BeforeEach
    void start() {
        broker = KafkaBroker.startPrivate();
        broker.createTopics(1, TOPIC);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private Process child(String episode, long from, long to) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), SpoolingEdgeProcess.class.getName(),
                spool.toString(), broker.bootstrapServers(), TOPIC, "arm-crash", episode, Long.toString(from),
                Long.toString(to)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String awaitLine(Process p, String prefix) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new AssertionError("the edge process ended before '" + prefix + "'");
    }

    @Test
    void whatTheSpoolHeldWhenTheEdgeWasKilledArrivesOnceAfterTheRestart() throws Exception {
        String episode = "ep-" + UUID.randomUUID();
        broker.shutdownBroker();
        Process edge = child(episode, 0, 400);
        String spooled;
        try {
            spooled = awaitLine(edge, "SPOOLED");
            Thread.sleep(200); // the fsync interval passes (kill -9 keeps the page cache anyway)
        } finally {
            edge.destroyForcibly(); // kill -9
            edge.waitFor(10, TimeUnit.SECONDS);
        }
        assertTrue(spooled.startsWith("SPOOLED 400 DELIVERED 0"), spooled);

        broker.startBroker();
        long delivered;
        try (TransitionPublisher restarted = SpoolingEdgeProcess.publisher(spool, broker.bootstrapServers(), TOPIC)) {
            assertEquals(400, restarted.spool().recovered(), "the restarted edge finds the 400 in its spool");
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (restarted.delivered() < 400 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            delivered = restarted.delivered();
            assertEquals(0, restarted.pending());
        }
        assertEquals(400, delivered);

        TreeMap<Long, Integer> steps = new TreeMap<>();
        List<Long> order = new java.util.ArrayList<>();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "crash-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.currentTimeMillis() + 15_000;
            while (order.size() < 400 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Transition t = Transition.parseFrom(r.value());
                    assertEquals(episode, t.getEpisodeId());
                    steps.merge(t.getStep(), 1, Integer::sum);
                    order.add(t.getStep());
                }
            }
            consumer.poll(Duration.ofMillis(500)).forEach(r -> order.add(-1L)); // nothing more arrives
        }
        assertEquals(400, order.size(), "400 records on the topic, no more");
        for (long s = 0; s < 400; s++) {
            assertEquals(1, steps.getOrDefault(s, 0), "step " + s + " exactly once");
            assertEquals(s, order.get((int) s), "in order");
        }
    }
}
