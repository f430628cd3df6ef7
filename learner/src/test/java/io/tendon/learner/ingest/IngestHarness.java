package io.tendon.learner.ingest;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tendon.learner.checkpoint.CheckpointStore;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.record.DecodedTransition;
import io.tendon.learner.record.TransitionSink;
import io.tendon.learner.record.TransitionValidator;
import io.tendon.learner.replay.ReplayBuffer;
import io.tendon.testing.KafkaBroker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;

/**
 * One learner's ingest, wired as IngestService wires it but without Quarkus: a real consumer
 * on the in-process broker, the real loop, validator, replay and checkpoints. Lets a test run
 * several learners one after another (restarts) against the same topic.
 */
final class IngestHarness implements AutoCloseable {

    final LearnerConfig config;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final ReplayBuffer replay;
    final IngestMetrics metrics;
    final ReplayCheckpoints checkpoints;
    final IngestLoop loop;
    private final KafkaProducer<byte[], byte[]> deadLetters;
    private final Thread thread;

    /**
     * @param checkpointDir null: no checkpoints
     * @param restore whether to restore the newest checkpoint before starting
     */
    IngestHarness(LearnerConfig config, String topic, String eventsTopic, String group, Path checkpointDir,
            boolean restore) {
        this(config, topic, eventsTopic, group, checkpointDir, restore, null);
    }

    IngestHarness(LearnerConfig config, String topic, String eventsTopic, String group, Path checkpointDir,
            boolean restore, IngestLoop.Checkpointer checkpointerOverride) {
        this(config, topic, eventsTopic, group, checkpointDir, restore, checkpointerOverride, sink -> sink);
    }

    /** {@code wrap} may put a failing or slow sink in front of the replay. */
    IngestHarness(LearnerConfig config, String topic, String eventsTopic, String group, Path checkpointDir,
            boolean restore, IngestLoop.Checkpointer checkpointerOverride,
            java.util.function.UnaryOperator<TransitionSink> wrap) {
        this.config = config;
        this.replay = new ReplayBuffer(config, registry);
        this.metrics = new IngestMetrics(registry, config.ingest().latencySamplesPerSecond());
        Map<TopicPartition, Long> starts = Map.of();
        if (checkpointDir != null) {
            checkpoints = new ReplayCheckpoints(new CheckpointStore(checkpointDir, 3), replay, Long.MAX_VALUE);
            if (restore) {
                starts = checkpoints.restore().map(ReplayCheckpoints.Restored::offsets).orElse(Map.of());
            }
        } else {
            checkpoints = null;
        }
        deadLetters = producer();
        TransitionValidator validator = new TransitionValidator(config.layout(), 300,
                config.ingest().maxEpisodeSteps(), IngestService::nowUnixNanos);
        IngestLoop.Options options = new IngestLoop.Options(topic, eventsTopic, topic + ".dlq", Duration.ofMillis(50),
                100, config.replay().rebuildFrom(),
                config.replay().rateLimit().enabled() && config.replay().rateLimit().throttleIngest(), starts,
                Duration.ofMillis(config.ingest().commitIntervalMs()));
        loop = new IngestLoop(consumer(group, config), deadLetters, options, new DecodedTransition(config.layout()),
                validator, wrap.apply(replay), metrics, checkpointerOverride != null ? checkpointerOverride : checkpoints,
                IngestService::nowUnixNanos, config.ingest().pipelined());
        thread = new Thread(loop, "test-ingest-" + group);
        thread.start();
    }

    static KafkaConsumer<byte[], ByteBuffer> consumer(String group, LearnerConfig config) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, group + "-ingest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.ingest().maxPollRecords());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.putAll(IngestService.consumerTuning(config.ingest()));
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteBufferDeserializer());
    }

    static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value));
    }

    /** Waits until {@code condition} holds; fails with {@code what} after {@code seconds}. */
    static void await(String what, long seconds, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** Committed offsets of {@code group} on {@code topic}, summed over partitions. */
    static long committed(String group, String topic, int partitions) throws Exception {
        try (var admin = KafkaBroker.shared().admin()) {
            var offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            long sum = 0;
            for (int p = 0; p < partitions; p++) {
                var o = offsets.get(new TopicPartition(topic, p));
                sum += o == null ? 0 : o.offset();
            }
            return sum;
        }
    }

    /**
     * Creates topics and waits until every partition's leader serves requests (a ListOffsets
     * answered by each): an idempotent producer whose first batch meets a partition that is not
     * ready yet can get stuck retrying out-of-order sequence errors.
     */
    static void createTopics(int partitions, String... names) throws Exception {
        KafkaBroker.shared().createTopics(partitions, List.of(names));
        Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> all = new HashMap<>();
        for (String name : names) {
            for (int p = 0; p < partitions; p++) {
                all.put(new TopicPartition(name, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
        }
        try (var admin = KafkaBroker.shared().admin()) {
            await("leaders of " + List.of(names), 60, () -> {
                try {
                    admin.listOffsets(all).all().get(10, TimeUnit.SECONDS);
                    return true;
                } catch (java.util.concurrent.ExecutionException e) {
                    Thread.sleep(100);
                    return false;
                }
            });
        }
    }

    /** Stops the loop (it writes a final checkpoint when it has a checkpointer). */
    @Override
    public void close() throws InterruptedException {
        loop.stop();
        thread.join(20_000);
        replay.close();
        deadLetters.close(Duration.ofSeconds(5));
    }
}
