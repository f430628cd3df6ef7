package io.tendon.learner.ingest;

import static io.tendon.learner.ingest.IngestHarness.await;

import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tendon.learner.LearnerTestConfig;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.replay.Batch;
import io.tendon.learner.replay.Fixtures;
import io.tendon.learner.replay.ReplayBuffer;
import io.tendon.learner.replay.ReplayTestAccess;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;
import io.tendon.testing.KafkaBroker;
import io.tendon.testing.Transitions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.tools.ConsumerPerformance;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Benchmarks of issue 5, written to target/bench/replay.json:
 * <ul>
 * <li>ingest_tps: reference transitions (layout 1, Transitions.valid) per second from the
 * in-process broker into replay through the real ingest loop (decode, validate, dedupe,
 * insert, rate-limiter check, latency sampling: the live path), with Kafka's CRC checks off as
 * ConsumerPerformance always runs; median of runs;</li>
 * <li>ingest_tps_with_crc_checks: the same records drained by a second learner with the
 * learner's default (CRC checks on), in the same run, order alternating;</li>
 * <li>kafka_consumer_perf_tps: Kafka's ConsumerPerformance reading the same records from the
 * same broker right after each run's learners (fetch.nMsg.sec), median;</li>
 * <li>ingest_ratio (and ingest_ratio_with_crc_checks): median over runs of that run's ingest
 * rate / kafka_consumer_perf_tps;</li>
 * <li>*_cpu_us_per_record: CPU of the whole process (broker, clients, learner) per record in
 * each phase;</li>
 * <li>sample_batch_p50_us: one mixed batch of 256 rows from full tables, median call;</li>
 * <li>bytes_per_transition: row storage per transition;</li>
 * <li>experience_to_replay_p99_ms: chunk start time to replay insert, records produced live at
 * a steady rate.</li>
 * </ul>
 */
@Tag("bench")
class ReplayBenchTest {

    /** Per run: long enough that a burst of JIT compilation (hundreds of ms) does not decide a run. */
    private static final int RECORDS = Integer.getInteger("bench.records", 400_000);
    private static final int RUNS = Integer.getInteger("bench.runs", 7);
    /**
     * Runs before the counted ones, not counted: the JIT keeps compiling the broker's, the
     * consumer's and the learner's code for about three runs of this size (process CPU per
     * record falls from about 5 us to 2-3 us), and the contenders should meet in steady state.
     */
    private static final int WARMUP_RUNS = Integer.getInteger("bench.warmup-runs", 3);
    private static final int LIVE_RATE = Integer.getInteger("bench.live.rate", 5_000);
    private static final int LIVE_SECONDS = Integer.getInteger("bench.live.seconds", 6);

    @Test
    void replay() throws Exception {
        Map<String, Double> results = new LinkedHashMap<>();
        double[] ingest = new double[RUNS];
        double[] ingestCrc = new double[RUNS];
        double[] perf = new double[RUNS];
        double[] ratio = new double[RUNS];
        double[] ratioCrc = new double[RUNS];
        double[] ingestCpu = new double[RUNS];
        double[] ingestCrcCpu = new double[RUNS];
        double[] perfCpu = new double[RUNS];
        // Negative runs warm up the JIT for all contenders (they share the Kafka consumer code).
        for (int run = -WARMUP_RUNS; run < RUNS; run++) {
            String topic = "bench-" + UUID.randomUUID();
            IngestHarness.createTopics(4, topic, topic + ".dlq");
            // [CRC checks off, as ConsumerPerformance forces them; on, the learner's default], in
            // alternating order so neither always drains first.
            double[][] in = ingestTps(topic, (run & 1) == 0);
            quiesce();
            long cpuBefore = processCpuNanos();
            double cp = consumerPerformanceTps(topic);
            double cpCpu = (processCpuNanos() - cpuBefore) / 1e3 / RECORDS;
            System.out.printf("run %d: ingest %.0f/s (CRC checks on: %.0f/s), ConsumerPerformance %.0f/s, ratio %.3f"
                    + " (%.3f); process CPU per record %.2f (%.2f) vs %.2f us%n", run, in[0][0], in[1][0], cp,
                    in[0][0] / cp, in[1][0] / cp, in[0][1], in[1][1], cpCpu);
            if (run >= 0) {
                ingest[run] = in[0][0];
                ingestCrc[run] = in[1][0];
                perf[run] = cp;
                ratio[run] = in[0][0] / cp;
                ratioCrc[run] = in[1][0] / cp;
                ingestCpu[run] = in[0][1];
                ingestCrcCpu[run] = in[1][1];
                perfCpu[run] = cpCpu;
            }
            dropTopics(topic, topic + ".dlq");
        }
        results.put("ingest_tps", median(ingest));
        results.put("kafka_consumer_perf_tps", median(perf));
        results.put("ingest_ratio", median(ratio));
        results.put("ingest_tps_with_crc_checks", median(ingestCrc));
        results.put("ingest_ratio_with_crc_checks", median(ratioCrc));
        // CPU of this whole process (broker, consumer, learner threads) per record in each phase:
        // on a machine with fewer cores than busy threads, throughput follows these.
        results.put("ingest_cpu_us_per_record", median(ingestCpu));
        results.put("ingest_with_crc_checks_cpu_us_per_record", median(ingestCrcCpu));
        results.put("kafka_consumer_perf_cpu_us_per_record", median(perfCpu));
        sampling(results);
        results.put("experience_to_replay_p99_ms", experienceToReplayP99Ms(results));
        results.put("reference_record_bytes", (double) reference(0, 0).getSerializedSize());
        results.put("records_per_run", (double) RECORDS);
        results.put("runs", (double) RUNS);
        results.put("warmup_runs", (double) WARMUP_RUNS);
        write(results);
    }

    /**
     * Deletes the topics and their files at once. Kafka otherwise keeps a deleted topic's files
     * for file.delete.delay.ms (60 s), and the kernel writes their gigabytes back to disk while
     * the latency is measured: stalls of the in-process broker (on this machine), not of the
     * learner, that pushed the live p99 from about 10 ms to 100-200 ms.
     */
    private static void dropTopics(String... topics) throws Exception {
        try (var admin = KafkaBroker.shared().admin()) {
            Map<ConfigResource, Collection<AlterConfigOp>> now = new HashMap<>();
            for (String topic : topics) {
                now.put(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(new AlterConfigOp(
                        new ConfigEntry("file.delete.delay.ms", "0"), AlterConfigOp.OpType.SET)));
            }
            admin.incrementalAlterConfigs(now).all().get(30, TimeUnit.SECONDS);
            admin.deleteTopics(List.of(topics)).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static Transition reference(int i, long nowNanos) {
        // 64 robots, 100-step episodes: unique keys, realistic id lengths.
        return Transitions.valid("robot-" + (i % 64), "ep-" + (i / 6400), (i / 64) % 100)
                .setStartTimeUnixNanos(nowNanos).setPublishTimeUnixNanos(nowNanos).build();
    }

    private static KafkaProducer<byte[], byte[]> bulkProducer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 256L * 1024 * 1024);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The learner's defaults, with the rate limiter on (never binding) and the CRC setting given. */
    private static LearnerConfig benchConfig(int capacity, boolean checkCrcs) {
        return LearnerTestConfig.of("tendon.replay.capacity.rollout", String.valueOf(capacity),
                "tendon.replay.rate-limit.enabled", "true", "tendon.replay.rate-limit.throttle-ingest", "true",
                "tendon.replay.rate-limit.error-buffer", "1e15", "tendon.ingest.check-crcs", String.valueOf(checkCrcs));
    }

    /**
     * Collects the garbage of earlier runs (a replay of this size is hundreds of megabytes per
     * run) before a measured phase, so neither contender pays for the benchmark's own allocation
     * with a concurrent collection that a steady learner would not run.
     */
    private static void quiesce() {
        System.gc();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * The live ingest path: two learners (CRC checks off and on, separate consumer groups) are
     * assigned and waiting with their inserts held before the records exist; each then drains
     * the backlog of live records alone, as ConsumerPerformance drains the same records after.
     * Returns, CRC checks off then on, {transitions per second, process CPU microseconds per
     * transition}.
     */
    private static double[][] ingestTps(String topic, boolean uncheckedFirst) throws Exception {
        try (IngestHarness unchecked = new IngestHarness(benchConfig(RECORDS, false), topic, null,
                "bench-" + UUID.randomUUID(), null, false);
                IngestHarness checked = new IngestHarness(benchConfig(RECORDS, true), topic, null,
                        "bench-crc-" + UUID.randomUUID(), null, false)) {
            await("assignment", 60, () -> unchecked.loop.firstAssignmentNanos() != 0
                    && checked.loop.firstAssignmentNanos() != 0);
            ReplayTestAccess.holdInserts(unchecked.replay);
            ReplayTestAccess.holdInserts(checked.replay);
            try {
                produce(topic);
            } catch (Exception | Error e) {
                ReplayTestAccess.releaseInserts(unchecked.replay);
                ReplayTestAccess.releaseInserts(checked.replay);
                throw e;
            }
            if (uncheckedFirst) {
                double[] a = drain(unchecked);
                return new double[][] {a, drain(checked)};
            }
            double[] b = drain(checked);
            return new double[][] {drain(unchecked), b};
        }
    }

    private static void produce(String topic) throws Exception {
        java.util.concurrent.atomic.AtomicReference<Exception> failed = new java.util.concurrent.atomic.AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = bulkProducer()) {
            long now = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(topic, ("robot-" + (i % 64)).getBytes(StandardCharsets.UTF_8),
                        reference(i, now).toByteArray()), (metadata, e) -> {
                            if (e != null) {
                                failed.compareAndSet(null, e);
                            }
                        });
            }
            producer.flush();
        }
        if (failed.get() != null) {
            throw new AssertionError("producing the benchmark records failed", failed.get());
        }
    }

    /** Releases a held learner and times it until every record is in its replay. */
    private static double[] drain(IngestHarness learner) throws Exception {
        quiesce();
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        ReplayTestAccess.releaseInserts(learner.replay);
        long deadline = start + TimeUnit.SECONDS.toNanos(300);
        while (learner.metrics.acceptedCount() < RECORDS) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("ingest stalled: accepted " + learner.metrics.acceptedCount()
                        + ", dead letters " + learner.metrics.totalDeadLetters() + ", duplicates "
                        + learner.metrics.duplicateCount() + ", replay " + learner.replay.totalSize());
            }
            Thread.sleep(1);
        }
        long end = System.nanoTime();
        long cpu = processCpuNanos() - cpuStart;
        if (learner.metrics.totalDeadLetters() > 0 || learner.replay.totalSize() != RECORDS) {
            throw new AssertionError("the reference records must all be accepted");
        }
        return new double[] {RECORDS / ((end - start) / 1e9), cpu / 1e3 / RECORDS};
    }

    /** Kafka's own tool on the same topic; returns its fetch.nMsg.sec (group join time excluded). */
    private static double consumerPerformanceTps(String topic) throws Exception {
        Exit.setExitProcedure((status, message) -> {
            throw new IllegalStateException("ConsumerPerformance exited " + status + ": " + message);
        });
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ConsumerPerformance.main(new String[] {"--bootstrap-server", KafkaBroker.shared().bootstrapServers(),
                "--topic", topic, "--messages", String.valueOf(RECORDS), "--group", "perf-" + UUID.randomUUID(),
                "--timeout", "60000", "--hide-header"});
        } finally {
            System.setOut(original);
            Exit.resetExitProcedure();
        }
        String out = captured.toString(StandardCharsets.UTF_8).strip();
        String[] lines = out.split("\n");
        String[] fields = lines[lines.length - 1].split(",\\s*");
        // start.time, end.time, MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
        if (fields.length < 10 || Long.parseLong(fields[4]) < RECORDS) {
            throw new AssertionError("unexpected ConsumerPerformance output: " + out);
        }
        return Double.parseDouble(fields[9]);
    }

    private static void sampling(Map<String, Double> results) {
        LearnerConfig config = LearnerTestConfig.of("tendon.replay.capacity.demo", "20000",
                "tendon.replay.capacity.intervention", "20000", "tendon.replay.capacity.rollout", "100000");
        results.put("sample_batch_p50_us", sampleP50Us(config));
        LearnerConfig prioritized = LearnerTestConfig.of("tendon.replay.capacity.demo", "20000",
                "tendon.replay.capacity.intervention", "20000", "tendon.replay.capacity.rollout", "100000",
                "tendon.replay.priority.enabled", "true");
        results.put("sample_batch_prioritized_p50_us", sampleP50Us(prioritized));
        results.put("bytes_per_transition",
                (double) new ReplayBuffer(config, new SimpleMeterRegistry()).bytesPerTransition());
    }

    private static double sampleP50Us(LearnerConfig config) {
        ReplayBuffer replay = new ReplayBuffer(config, new SimpleMeterRegistry());
        Source[] sources = {Source.DEMO, Source.INTERVENTION, Source.ROLLOUT};
        int[] capacity = {20_000, 20_000, 100_000};
        for (int t = 0; t < 3; t++) {
            for (int i = 0; i < capacity[t]; i++) {
                Transition.Builder b = Fixtures.transition(t, i / 100, i % 100, sources[t]);
                if (sources[t] == Source.DEMO) {
                    b.clearPolicyChunk();
                }
                replay.insert(Fixtures.decode(b.build(), config.layout()), false);
            }
        }
        Batch batch = replay.newBatch(256);
        SplittableRandom rng = new SplittableRandom(42);
        float[] td = new float[256];
        for (int i = 0; i < 3000; i++) {
            replay.trySample(batch, rng);
            for (int r = 0; r < 256; r++) {
                td[r] = (float) rng.nextDouble();
            }
            replay.updatePriorities(batch, td);
        }
        long[] nanos = new long[10_000];
        for (int i = 0; i < nanos.length; i++) {
            long t0 = System.nanoTime();
            if (!replay.trySample(batch, rng)) {
                throw new AssertionError("full tables must sample");
            }
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        return nanos[nanos.length / 2] / 1000.0;
    }

    /** Records produced at a steady rate while the learner is live; p99 of chunk start to insert. */
    private static double experienceToReplayP99Ms(Map<String, Double> results) throws Exception {
        String topic = "bench-live-" + UUID.randomUUID();
        IngestHarness.createTopics(4, topic, topic + ".dlq");
        try (IngestHarness learner = new IngestHarness(benchConfig(LIVE_RATE * LIVE_SECONDS, true), topic, null,
                "live-" + UUID.randomUUID(), null,
                false); KafkaProducer<byte[], byte[]> producer = IngestHarness.producer()) {
            await("assignment", 60, () -> learner.loop.firstAssignmentNanos() != 0);
            int total = LIVE_RATE * LIVE_SECONDS;
            long periodNanos = 1_000_000_000L / LIVE_RATE;
            long begin = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long due = begin + i * periodNanos;
                // Parked, not spinning: on two cores a spinning producer takes the core that the
                // broker and the learner need, and the latency measured would be the benchmark's own.
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                long now = IngestService.nowUnixNanos();
                producer.send(new ProducerRecord<>(topic, ("robot-" + (i % 64)).getBytes(StandardCharsets.UTF_8),
                        reference(i, now).toByteArray()));
            }
            producer.flush();
            await("live records", 60, () -> learner.metrics.acceptedCount() >= total);
            // Below the sample size every live insert is timed; they are recorded when the window ends.
            await("latencies recorded", 60, () -> learner.metrics.experienceToReplay().count() >= total);
            double p99 = Double.NaN;
            for (ValueAtPercentile v : learner.metrics.experienceToReplay().takeSnapshot().percentileValues()) {
                if (v.percentile() == 0.99) {
                    p99 = v.value(TimeUnit.MILLISECONDS);
                }
                if (v.percentile() == 0.5) {
                    results.put("experience_to_replay_p50_ms", v.value(TimeUnit.MILLISECONDS));
                }
            }
            results.put("experience_to_replay_rate_tps", (double) LIVE_RATE);
            return p99;
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void write(Map<String, Double> results) throws Exception {
        Path dir = Path.of("target", "bench");
        Files.createDirectories(dir);
        List<String> entries = new ArrayList<>();
        results.forEach((k, v) -> entries.add("  \"" + k + "\": " + (Double.isFinite(v) ? String.format("%.4f", v)
                : "null")));
        String json = "{\n" + String.join(",\n", entries) + "\n}\n";
        Files.writeString(dir.resolve("replay.json"), json);
        System.out.print(json);
    }
}
