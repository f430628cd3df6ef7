package io.tendon.edge.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tendon.edge.control.ControlCounters;
import io.tendon.edge.runtime.ControlService;
import io.tendon.edge.testing.PrivateBrokerResource;
import io.tendon.schemas.v1.Transition;
import io.tendon.testing.KafkaBroker;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The running edge (simulator, 1 kHz control loop, scripted expert, transitions at the policy
 * rate) loses its broker for 30 s and gets it back. The control loop keeps its ticks throughout
 * (publishing never waits on the broker); what the robot produced meanwhile waits in the spool and
 * reaches the topic after the restart, every transition exactly once by its id (robot, episode,
 * step) and with no step missing.
 */
@QuarkusTest
@QuarkusTestResource(value = PrivateBrokerResource.class, restrictToAnnotatedClass = true)
class BrokerOutageServiceTest {

    static final long OUTAGE_MS = Long.getLong("tendon.test.outage-ms", 30_000);

    @Inject
    ControlService control;

    @Inject
    TransitionPublisher publisher;

    @ConfigProperty(name = "tendon.edge.topics.transitions")
    String topic;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private static void await(String what, java.util.function.BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    @Test
    void aThirtySecondOutageCostsNoTickAndEveryTransitionArrivesOnce() throws Exception {
        KafkaBroker broker = PrivateBrokerResource.broker();
        assertEquals(broker.bootstrapServers(), bootstrap, "the edge uses this test's own broker");
        ControlCounters m = control.metrics();
        await("transitions delivered before the outage", () -> publisher.delivered() >= 20, Duration.ofSeconds(60));

        // A window of the same length as the outage, broker up: the machine's own miss rate.
        long rate = Math.round(1.0 / control.settings().dt);
        long baseMs = Math.min(OUTAGE_MS, 6_000);
        long t0 = m.ticks.get();
        long miss0 = m.deadlineMisses.get();
        Thread.sleep(baseMs);
        long baseTicks = m.ticks.get() - t0;
        long baseMisses = m.deadlineMisses.get() - miss0;

        long deliveredBefore = publisher.delivered();
        long acceptedBefore = publisher.accepted();
        broker.shutdownBroker();
        long ticks0 = m.ticks.get();
        long misses0 = m.deadlineMisses.get();
        long start = System.nanoTime();
        // The first seconds include the in-process broker's own shutdown work competing for this
        // machine's two cores (a real broker runs elsewhere): the comparison uses the rest.
        long settleMs = Math.min(5_000, OUTAGE_MS / 6);
        Thread.sleep(settleMs);
        long steady0 = m.deadlineMisses.get();
        long steadyStart = System.nanoTime();
        Thread.sleep(OUTAGE_MS - settleMs);
        long steadyMisses = m.deadlineMisses.get() - steady0;
        double steadySeconds = (System.nanoTime() - steadyStart) / 1e9;
        long outageTicks = m.ticks.get() - ticks0;
        long outageMisses = m.deadlineMisses.get() - misses0;
        double seconds = (System.nanoTime() - start) / 1e9;
        long producedDuringOutage = publisher.accepted() - acceptedBefore;
        long spooled = publisher.pending();
        // Anything in flight at the moment the broker stopped may still have been acknowledged.
        assertTrue(publisher.delivered() - deliveredBefore <= 64, "nothing new is acknowledged while the broker is away");

        broker.startBroker();
        await("the spool drained", () -> publisher.pending() == 0 && publisher.accepted() > acceptedBefore
                + producedDuringOutage, Duration.ofSeconds(120));
        long accepted = publisher.accepted();
        await("everything accepted delivered", () -> publisher.delivered() >= accepted, Duration.ofSeconds(60));

        String report = String.format("outage %.1f s: %d ticks (%d expected), %d deadline misses (%d in its last %.1f s;"
                + " baseline %d in %d ms, %d ticks); %d transitions produced during the outage, %d pending at its end; accepted %d, delivered %d,"
                + " refused %d, failed %d", seconds, outageTicks, Math.round(seconds * rate), outageMisses, steadyMisses, steadySeconds, baseMisses, baseMs,
                baseTicks, producedDuringOutage, spooled, accepted, publisher.delivered(), publisher.refused(),
                publisher.failed());
        System.out.println("BrokerOutageServiceTest: " + report);
        assertTrue(producedDuringOutage >= seconds / 3, "the robot kept producing: " + report);
        assertTrue(spooled >= producedDuringOutage, "they waited in the spool: " + report);
        assertEquals(0, publisher.refused(), report);
        assertEquals(0, publisher.failed(), report);
        // Every period of the outage had its tick (a missed slot is skipped and counted, never
        // queued), and no more misses than the machine's own rate with the broker up.
        assertTrue(outageTicks + outageMisses >= seconds * rate * 0.99, report);
        // The machine's own miss rate, broker up, before the outage and again after it (the load
        // of a shared machine changes over a minute): the larger of the two is the reference.
        long after0 = m.deadlineMisses.get();
        Thread.sleep(baseMs);
        long afterMisses = m.deadlineMisses.get() - after0;
        double baseRate = (double) Math.max(baseMisses, afterMisses) / baseMs;
        assertTrue(steadyMisses <= 3 * baseRate * steadySeconds * 1000 + 30, "deadline misses during the outage: " + report
                + "; after it " + afterMisses + " in " + baseMs + " ms");

        // Read the topic: every transition once, by id, and no step missing within an episode.
        Map<String, TreeSet<Long>> steps = new TreeMap<>();
        Map<String, Integer> seen = new HashMap<>();
        int duplicates = 0;
        java.util.List<String> dupes = new java.util.ArrayList<>();
        Map<String, String> firstBytes = new HashMap<>();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "outage-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(java.util.List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            while (read < accepted && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Transition t = Transition.parseFrom(r.value());
                    String id = t.getRobotId() + "/" + t.getEpisodeId() + "/" + t.getStep();
                    if (seen.merge(id, 1, Integer::sum) > 1) {
                        duplicates++;
                        dupes.add(id + "@" + r.offset() + (firstBytes.get(id).equals(java.util.Arrays.toString(r.value()))
                                ? " (same bytes)" : " (different content)"));
                    } else {
                        firstBytes.put(id, java.util.Arrays.toString(r.value()));
                    }
                    steps.computeIfAbsent(t.getRobotId() + "/" + t.getEpisodeId(), k -> new TreeSet<>()).add(t.getStep());
                    read++;
                }
            }
        }
        assertEquals(0, duplicates, "every transition once on the topic: " + dupes + " " + report);
        assertTrue(read >= accepted, "read " + read + " of " + accepted + ": " + report);
        for (Map.Entry<String, TreeSet<Long>> e : steps.entrySet()) {
            TreeSet<Long> s = e.getValue();
            assertEquals(s.last() - s.first() + 1, s.size(), "no step missing in episode " + e.getKey());
        }
    }
}
