package io.tendon.edge.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tendon.edge.grpc.BridgeServer;
import io.tendon.edge.kafka.PublisherProducer;
import io.tendon.edge.kafka.TransitionPublisher;
import io.tendon.edge.spool.TransitionSpool;
import io.tendon.edge.testing.ChildDriver;
import io.tendon.schemas.access.Role;
import io.tendon.schemas.v1.Transition;
import io.tendon.testing.BenchJson;
import io.tendon.testing.KafkaBroker;
import io.tendon.testing.KafkaBrokerResource;
import io.tendon.testing.TestTokens;
import io.tendon.testing.Transitions;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The experience stream and the robot bridge (run with -Pbench). Writes target/bench/stream.json:
 *
 * <ul>
 *   <li>publish_tps: transitions per second through the edge's publisher (write-ahead spool, the
 *       application's producer settings) into a local broker, reference-layout transitions
 *       (64 + 64 observation floats, two 16 x 13 chunks), tendon.bench.publish-records of them;</li>
 *   <li>kafka_perf_tps: Kafka's own org.apache.kafka.tools.ProducerPerformance (kafka-tools, in a
 *       JVM of its own) on the same broker in the same run, same record count and size, the same
 *       producer settings (acks=all, idempotence, linger.ms 5, buffer.memory; compression off in
 *       both, so that the records' content does not decide it);
 *       publish_ratio = publish_tps / kafka_perf_tps;</li>
 *   <li>experience_to_broker_p99_ms: a transition offered by the recorder until the broker
 *       acknowledged it, at the simulator's policy rate (10 Hz) for tendon.bench.latency-seconds;</li>
 *   <li>spool_drain_tps: transitions per second from the spool to the broker after an outage
 *       (broker stopped, tendon.bench.drain-records spooled, broker started; timed from the broker
 *       being ready to the last acknowledgement);</li>
 *   <li>bridge_rtt_p50_us / bridge_rtt_p99_us: a driver in a separate process streaming RobotState
 *       at 1 kHz over RobotBridge/Connect (robot-clocked loop: each state runs one control tick),
 *       state sent until its command received, the first second left out;
 *       grpc_echo_rtt_p99_us: the same driver against BridgeEcho/Echo on the same listener, same
 *       run, in tendon.bench.bridge-rounds alternating rounds of tendon.bench.bridge-seconds each
 *       after one round that is not counted;
 *       the p50s and p99s are medians over the rounds, bridge_rtt_ratio the median of the rounds'
 *       bridge_rtt_p99_us / grpc_echo_rtt_p99_us (with its min and max).</li>
 * </ul>
 */
@Tag("bench")
@QuarkusTest
@TestProfile(StreamBenchTest.GrpcBridge.class)
@QuarkusTestResource(KafkaBrokerResource.class)
class StreamBenchTest {

    /** The robot bridge on, robot-clocked (as RobotBridgeServiceTest runs it). */
    public static class GrpcBridge implements io.quarkus.test.junit.QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tendon.edge.bridge", "grpc", "tendon.safety.watchdog.state-timeout", "0.4");
        }
    }

    private final int publishRecords = Integer.getInteger("tendon.bench.publish-records", 60_000);
    private final int drainRecords = Integer.getInteger("tendon.bench.drain-records", 30_000);
    private final int latencySeconds = Integer.getInteger("tendon.bench.latency-seconds", 20);
    private final int bridgeSeconds = Integer.getInteger("tendon.bench.bridge-seconds", 6);
    private final int bridgeRounds = Integer.getInteger("tendon.bench.bridge-rounds", 7);

    @Inject
    BridgeServer bridge;

    private static Map<String, Object> kafka(KafkaBroker broker) {
        return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    }

    /**
     * The application's producer settings, compression off: ProducerPerformance sends random
     * letters, the publisher float-laden transitions, and lz4 would make the comparison one of
     * how well each content compresses. Without it both put the same bytes per record on the wire.
     */
    private static Map<String, Object> producerSettings(KafkaBroker broker, String clientId) {
        Map<String, Object> c = new java.util.HashMap<>(PublisherProducer.producerConfig(kafka(broker), clientId, 64));
        c.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        return c;
    }

    private static TransitionPublisher publisher(KafkaBroker broker, Path spool, String topic) throws Exception {
        Map<String, Object> config = producerSettings(broker, "bench-" + topic);
        return new TransitionPublisher(() -> new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()),
                topic, new TransitionSpool(spool, 16L << 20, 4L << 30, TransitionSpool.Fsync.INTERVAL),
                new TransitionPublisher.Settings(4096, 2048, 500_000_000L, 30_000_000_000L, 1_000_000_000L));
    }

    private static Transition[] transitions(int n, String episode) {
        // A pool of distinct transitions, re-stamped per step: building protobufs is the recorder's work, not the publisher's.
        Transition[] pool = new Transition[256];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = Transitions.valid("bench-arm", episode, i).build();
        }
        return pool;
    }

    /** Offers {@code n} transitions as fast as the publisher takes them; seconds until all are acknowledged. */
    private static double pump(TransitionPublisher p, int n, String episode) throws InterruptedException {
        Transition[] pool = transitions(256, episode);
        long base = p.delivered();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Transition t = pool[i & 255].toBuilder().setStep(i).build();
            while (!p.offer(t)) {
                Thread.onSpinWait();
            }
        }
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (p.delivered() - base < n && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(n, p.delivered() - base, "all delivered");
        return (System.nanoTime() - start) / 1e9;
    }

    private static double producerPerformance(KafkaBroker broker, String topic, int records, int size) throws Exception {
        Map<String, Object> c = producerSettings(broker, "perf");
        // The publisher's short max.block.ms suits a caller that keeps the record and tries again;
        // ProducerPerformance does not, so it waits for metadata as long as Kafka's default.
        c.remove(ProducerConfig.MAX_BLOCK_MS_CONFIG);
        List<String> props = new ArrayList<>();
        for (Map.Entry<String, Object> e : c.entrySet()) {
            props.add(e.getKey() + "=" + e.getValue());
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "org.apache.kafka.tools.ProducerPerformance",
                "--topic", topic, "--num-records", Integer.toString(records), "--record-size", Integer.toString(size),
                "--throughput", "-1", "--producer-props"));
        cmd.addAll(props);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String last = null;
        Pattern total = Pattern.compile("^(\\d+) records sent, ([0-9.]+) records/sec");
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println("ProducerPerformance: " + line);
                Matcher m = total.matcher(line);
                if (m.find() && line.contains("50th")) {
                    assertEquals(records, Long.parseLong(m.group(1)), line);
                    last = m.group(2);
                }
            }
        }
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertTrue(last != null, "ProducerPerformance printed no total");
        return Double.parseDouble(last);
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double median(long[][] rows, int column) {
        return median(Arrays.stream(rows).mapToDouble(r -> r[column]).toArray());
    }

    private long[] driver(String method) throws Exception {
        try (ChildDriver d = new ChildDriver(bridge.port(), TestTokens.token(Role.DRIVER), method, 1000, bridgeSeconds,
                "halfclose")) {
            d.await("ACCEPTED", 60_000);
            long gcCount = 0;
            long gcMillis = 0;
            for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                gcCount -= gc.getCollectionCount();
                gcMillis -= gc.getCollectionTime();
            }
            String stats = d.await("STATS", (bridgeSeconds + 30) * 1000L);
            for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                gcCount += gc.getCollectionCount();
                gcMillis += gc.getCollectionTime();
            }
            System.out.println(method + ": " + stats + " (edge JVM: " + gcCount + " collections, " + gcMillis + " ms)");
            return new long[] {ChildDriver.stat(stats, "p50_us"), ChildDriver.stat(stats, "p99_us"),
                    ChildDriver.stat(stats, "sent"), ChildDriver.stat(stats, "answered")};
        }
    }

    @Test
    void stream() throws Exception {
        Map<String, Double> out = new LinkedHashMap<>();
        Path dir = Files.createTempDirectory(Path.of("target"), "bench-spool");
        KafkaBroker broker = KafkaBroker.startPrivate();
        try {
            int size = Transitions.valid("bench-arm", "ep-bench", 0).build().getSerializedSize() + 10;
            broker.createTopics(1, "bench.publish", "bench.perf", "bench.latency", "bench.drain");

            // Warm both up a little, then the measured runs.
            try (TransitionPublisher p = publisher(broker, dir.resolve("warm"), "bench.publish")) {
                pump(p, 10_000, "ep-warm");
            }
            double publishTps;
            try (TransitionPublisher p = publisher(broker, dir.resolve("publish"), "bench.publish")) {
                publishTps = publishRecords / pump(p, publishRecords, "ep-publish");
            }
            System.out.printf("publish: %d transitions of %d bytes, %.0f/s%n", publishRecords, size, publishTps);
            double perfTps = producerPerformance(broker, "bench.perf", publishRecords, size);
            out.put("publish_tps", publishTps);
            out.put("kafka_perf_tps", perfTps);
            out.put("publish_ratio", publishTps / perfTps);
            out.put("record_bytes", (double) size);

            // Latency at the policy rate.
            List<Long> lat = java.util.Collections.synchronizedList(new ArrayList<>());
            try (TransitionPublisher p = publisher(broker, dir.resolve("latency"), "bench.latency")) {
                p.onAckLatency(lat::add);
                Transition[] pool = transitions(256, "ep-latency");
                long next = System.nanoTime();
                for (int i = 0; i < latencySeconds * 10; i++) {
                    next += 100_000_000L;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    assertTrue(p.offer(pool[i & 255].toBuilder().setStep(i).build()));
                }
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (p.pending() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            }
            long[] l = lat.stream().mapToLong(Long::longValue).sorted().toArray();
            // Leave out the first two (producer connection and metadata set-up).
            long[] steady = Arrays.copyOfRange(l, Math.min(2, l.length), l.length);
            out.put("experience_to_broker_p50_ms", steady[steady.length / 2] / 1e6);
            out.put("experience_to_broker_p99_ms", steady[Math.min(steady.length - 1, (int) (steady.length * 0.99))] / 1e6);

            // Drain after an outage.
            broker.shutdownBroker();
            try (TransitionPublisher p = publisher(broker, dir.resolve("drain"), "bench.drain")) {
                Transition[] pool = transitions(256, "ep-drain");
                for (int i = 0; i < drainRecords; i++) {
                    Transition t = pool[i & 255].toBuilder().setStep(i).build();
                    while (!p.offer(t)) {
                        Thread.sleep(1);
                    }
                }
                while (p.spool().appended() < drainRecords) {
                    Thread.sleep(10);
                }
                broker.startBroker();
                long start = System.nanoTime();
                long deadline = start + 300_000_000_000L;
                while (p.delivered() < drainRecords && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertEquals(drainRecords, p.delivered());
                out.put("spool_drain_tps", drainRecords / ((System.nanoTime() - start) / 1e9));
            }
        } finally {
            broker.close();
        }

        // The bridge against the transport's floor, in alternating rounds (bridge first, then echo
        // first, ...): on a shared machine a p99 is mostly the scheduler's, and the load changes
        // over a minute, so each round's ratio compares two neighbouring windows and the median of
        // the rounds is reported.
        // A round first that is not counted: the edge's bridge path and the echo are compiled by
        // then (the first measured rounds otherwise carry the JIT's work, p90 four times the rest).
        driver("connect");
        driver("echo");
        double[] ratios = new double[bridgeRounds];
        long[][] bridgeRtt = new long[bridgeRounds][];
        long[][] echoRtt = new long[bridgeRounds][];
        for (int r = 0; r < bridgeRounds; r++) {
            if (r % 2 == 0) {
                bridgeRtt[r] = driver("connect");
                echoRtt[r] = driver("echo");
            } else {
                echoRtt[r] = driver("echo");
                bridgeRtt[r] = driver("connect");
            }
            ratios[r] = (double) bridgeRtt[r][1] / echoRtt[r][1];
            System.out.printf("bridge round %d: p99 %d us against echo %d us, ratio %.2f%n", r + 1, bridgeRtt[r][1],
                    echoRtt[r][1], ratios[r]);
        }
        out.put("bridge_rtt_p50_us", median(bridgeRtt, 0));
        out.put("bridge_rtt_p99_us", median(bridgeRtt, 1));
        out.put("grpc_echo_rtt_p50_us", median(echoRtt, 0));
        out.put("grpc_echo_rtt_p99_us", median(echoRtt, 1));
        out.put("bridge_rtt_ratio", median(ratios));
        out.put("bridge_rtt_ratio_min", Arrays.stream(ratios).min().orElse(Double.NaN));
        out.put("bridge_rtt_ratio_max", Arrays.stream(ratios).max().orElse(Double.NaN));
        out.put("bridge_rounds", (double) bridgeRounds);
        out.put("bridge_states_sent", (double) Arrays.stream(bridgeRtt).mapToLong(b -> b[2]).sum());
        out.put("bridge_states_answered", (double) Arrays.stream(bridgeRtt).mapToLong(b -> b[3]).sum());
        BenchJson.write("stream", out);
    }
}
