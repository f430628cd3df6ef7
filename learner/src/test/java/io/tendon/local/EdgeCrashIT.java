package io.tendon.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tendon.learner.LearnerTestConfig;
import io.tendon.learner.checkpoint.CheckpointStore;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.ingest.ReplayCheckpoints;
import io.tendon.learner.replay.ReplayBuffer;
import io.tendon.schemas.v1.Transition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away for 30 s while the packaged edge runs its simulated robot; with what it
 * recorded meanwhile in its spool, the whole edge process is killed with {@code kill -9}. The broker
 * comes back, the edge is started again on the same spool, and the packaged learner ends with
 * every transition in its replay exactly once: checked by id in the replay the learner itself
 * checkpointed at its shutdown, against what the topic holds and what the edge had accepted before
 * it died. Meanwhile the edge's 1 kHz loop (wall clock) keeps its ticks: no more deadline misses
 * during the outage than the machine's own rate before it.
 */
class EdgeCrashIT {

    private static final int KAFKA = 19492;
    private static final int LEARNER = 18490;
    private static final int EDGE = 18470;
    private static final String TOPIC = "tendon.transitions";
    private static final long OUTAGE_MS = 30_000;
    private static final long SETTLE_MS = 5_000;
    private static final long BASELINE_MS = 6_000;
    private static final String TICKS = "tendon_edge_control_ticks_total";
    private static final String MISSES = "tendon_edge_control_deadline_misses_total";
    /** Large enough that nothing this run records is evicted (an eviction would read as a loss). */
    private static final int DEMO_CAPACITY = 60_000;
    private static LocalStack stack;
    private static Path replayCheckpoints;

    @BeforeAll
    static void start() throws Exception {
        Path root = Path.of(System.getProperty("tendon.local.root", "..")).toAbsolutePath().normalize();
        Path home = root.resolve("learner/target/edge-crash-it");
        replayCheckpoints = home.resolve("learner/replay-checkpoints");
        stack = new LocalStack(home, root, KAFKA, KAFKA + 1, LEARNER, EDGE)
                // The robot's own pace: the 1 kHz loop on the wall clock, as on a robot.
                .edgeProperties(List.of("-Dtendon.edge.clock=wall"))
                .learnerProperties(List.of("-Dtendon.replay.capacity.demo=" + DEMO_CAPACITY,
                        "-Dtendon.replay.checkpoint.directory=" + replayCheckpoints,
                        "-Dtendon.replay.checkpoint.interval-seconds=3600"));
        // A clean slate: an earlier run's spool would be sent first and its checkpoints restored.
        deleteTree(home);
        stack.start();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.stop();
        }
    }

    @Test
    void whatTheKilledEdgeSpooledDuringAnOutageIsInTheLearnersReplayExactlyOnce() throws Exception {
        // At the robot's pace a transition (16 policy steps at 10 Hz) every 1.6 s.
        await("the edge delivers and the learner accepts", () -> metric(EDGE, "tendon_edge_transitions_delivered_total") >= 5
                && metric(LEARNER, "tendon_learner_transitions_accepted_total") >= 5, Duration.ofSeconds(90));
        // The machine's own deadline-miss rate with the broker up, over a few seconds.
        String base0 = stack.scrape(EDGE);
        Thread.sleep(BASELINE_MS);
        String base1 = stack.scrape(EDGE);
        double baseMisses = LocalStack.metric(base1, MISSES) - LocalStack.metric(base0, MISSES);
        double acceptedBefore = LocalStack.metric(base1, "tendon_edge_transitions_accepted_total");

        stack.broker.stop();
        // The broker's own shutdown competes for the two cores first; the loop is judged on the rest.
        Thread.sleep(SETTLE_MS);
        String out0 = stack.scrape(EDGE);
        Thread.sleep(OUTAGE_MS - SETTLE_MS);
        // What the first edge process had accepted from its recorder (each accepted transition is
        // written to the spool before it is sent) and what still waits for the broker.
        String edge = stack.scrape(EDGE);
        double accepted = LocalStack.metric(edge, "tendon_edge_transitions_accepted_total");
        double spooled = LocalStack.metric(edge, "tendon_edge_spool_pending");
        double appended = LocalStack.metric(edge, "tendon_edge_spool_appended_total");
        double refused = LocalStack.metric(edge, "tendon_edge_transitions_refused_total");
        double ticks = LocalStack.metric(edge, TICKS) - LocalStack.metric(out0, TICKS);
        double misses = LocalStack.metric(edge, MISSES) - LocalStack.metric(out0, MISSES);
        String report = String.format("edge accepted %.0f before the outage, %.0f before the kill (%.0f of them"
                + " appended to the spool), %.0f in its spool, %.0f refused; outage: %.0f ticks, %.0f deadline misses in %d ms (baseline %.0f in %d ms)",
                acceptedBefore, accepted, appended, spooled, refused, ticks, misses, OUTAGE_MS - SETTLE_MS, baseMisses, BASELINE_MS);
        // Every period had its tick or a counted miss, and no more misses than the machine's own rate.
        assertTrue(ticks + misses >= (OUTAGE_MS - SETTLE_MS) * 0.98, "the loop kept its 1 kHz: " + report);
        assertTrue(misses <= 3 * baseMisses * (OUTAGE_MS - SETTLE_MS) / BASELINE_MS + 30,
                "the outage costs the loop no ticks: " + report);
        assertTrue(accepted - acceptedBefore >= 12, "the robot kept recording during the outage: " + report);
        // (less what was in flight and acknowledged as the broker stopped)
        assertTrue(spooled >= accepted - acceptedBefore - 2, "what it recorded waits in the spool: " + report);
        stack.service("edge").kill();

        stack.broker.start(Duration.ofSeconds(90));
        stack.restartEdge();
        // The new process sends the dead one's spool first; then it is stopped (SIGTERM) so the
        // topic stops growing.
        await("the restarted edge drained the spool", () -> metric(EDGE, "tendon_edge_spool_pending") == 0
                && metric(EDGE, "tendon_edge_transitions_delivered_total") > spooled, Duration.ofSeconds(120));
        stack.service("edge").stop(30);

        // Everything on the topic, by id.
        Map<String, Integer> copies = new HashMap<>();
        Map<String, TreeSet<Long>> stepsByEpisode = new TreeMap<>();
        long records = readTopic(copies, stepsByEpisode);
        await("the learner consumed the whole topic", () -> metric(LEARNER, "tendon_learner_transitions_accepted_total")
                + metric(LEARNER, "tendon_learner_transitions_duplicates_total")
                + metric(LEARNER, "tendon_learner_dead_letters_total") >= records, Duration.ofSeconds(120));
        String learner = stack.scrape(LEARNER);
        double learnerAccepted = LocalStack.metric(learner, "tendon_learner_transitions_accepted_total");
        double learnerDuplicates = LocalStack.metric(learner, "tendon_learner_transitions_duplicates_total");
        report += String.format("; topic %d records, %d distinct ids; learner accepted %.0f, dropped %.0f duplicates",
                records, copies.size(), learnerAccepted, learnerDuplicates);
        System.out.println("EdgeCrashIT: " + report);
        assertTrue(copies.size() < DEMO_CAPACITY, "nothing evicted: " + report);
        assertEquals(0.0, LocalStack.metric(learner, "tendon_learner_dead_letters_total"), report);
        assertEquals(copies.size(), learnerAccepted, "each id accepted once: " + report);
        assertEquals(records - copies.size(), learnerDuplicates, "every second copy dropped as such: " + report);

        // The dead process's transitions: its episodes (ids "ep-<its start>-n") hold at least every
        // transition its spool had taken, and no episode misses a step. (A transition is the spool's
        // once the publisher thread has appended it: within milliseconds, or within the producer's
        // max.block.ms of 250 ms while the broker is away; one accepted later than that dies with
        // the process.)
        String firstRun = stepsByEpisode.keySet().iterator().next();
        String firstRunPrefix = firstRun.substring(0, firstRun.lastIndexOf('-') + 1);
        long firstRunTransitions = 0;
        for (Map.Entry<String, TreeSet<Long>> e : stepsByEpisode.entrySet()) {
            TreeSet<Long> steps = e.getValue();
            assertEquals(steps.last() - steps.first() + 1, steps.size(), "no step missing in episode " + e.getKey());
            if (e.getKey().startsWith(firstRunPrefix)) {
                firstRunTransitions += steps.size();
            }
        }
        assertTrue(firstRunTransitions >= appended, firstRunTransitions + " transitions of the killed edge on the topic: "
                + report);

        // The learner's own replay, as it checkpointed it when it stopped: each id once, no other.
        ManagedProcess learnerProcess = stack.service("learner");
        learnerProcess.stop(60);
        LearnerConfig config = LearnerTestConfig.of("tendon.replay.capacity.demo", Integer.toString(DEMO_CAPACITY),
                "tendon.replay.capacity.intervention", "20000", "tendon.replay.capacity.rollout", "100000");
        ReplayBuffer replay = new ReplayBuffer(config, new SimpleMeterRegistry());
        try {
            var restored = new ReplayCheckpoints(new CheckpointStore(replayCheckpoints, 3), replay, Long.MAX_VALUE).restore();
            assertTrue(restored.isPresent(), "the learner wrote a replay checkpoint in " + replayCheckpoints);
            assertEquals(copies.size(), replay.totalSize(), "the replay holds each id once: " + report);
            List<String> missing = new ArrayList<>();
            for (String id : copies.keySet()) {
                String[] part = id.split("\\|");
                if (!replay.contains(part[0], part[1], Long.parseLong(part[2]))) {
                    missing.add(id);
                }
            }
            assertEquals(List.of(), missing.subList(0, Math.min(10, missing.size())), missing.size()
                    + " ids on the topic are not in the replay: " + report);
        } finally {
            replay.close();
        }
    }

    /** Reads the transitions topic to its end; returns the number of records. */
    private static long readTopic(Map<String, Integer> copies, Map<String, TreeSet<Long>> stepsByEpisode)
            throws Exception {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.broker.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "edge-crash-reader-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        long records = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPIC).stream()
                    .map(p -> new TopicPartition(TOPIC, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                assertTrue(System.nanoTime() < deadline, "reading the topic to its end took over 60 s");
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Transition t = Transition.parseFrom(r.value());
                    copies.merge(t.getRobotId() + "|" + t.getEpisodeId() + "|" + t.getStep(), 1, Integer::sum);
                    stepsByEpisode.computeIfAbsent(t.getEpisodeId(), k -> new TreeSet<>()).add(t.getStep());
                    records++;
                }
            }
        }
        return records;
    }

    private static double metric(int port, String name) {
        return LocalStack.metric(stack.scrape(port), name);
    }

    private static void await(String what, java.util.function.BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(250);
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (java.nio.file.Files.exists(dir)) {
            try (var walk = java.nio.file.Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.delete(p);
                }
            }
        }
    }
}
