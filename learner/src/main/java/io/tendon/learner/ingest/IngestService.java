package io.tendon.learner.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tendon.learner.checkpoint.CheckpointStore;
import io.tendon.learner.config.IngestConfig;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.config.ReplayConfig;
import io.tendon.learner.demo.DemonstrationLoader;
import io.tendon.learner.kafka.KafkaClients;
import io.tendon.learner.kafka.TopicProvisioner;
import io.tendon.learner.metrics.CheckpointMeters;
import io.tendon.schemas.kafka.KafkaClientMeters;
import io.tendon.learner.record.DecodedTransition;
import io.tendon.learner.record.TransitionValidator;
import io.tendon.learner.replay.ReplayBuffer;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Brings the replay up and keeps it fed: restores the newest replay checkpoint, loads the
 * configured demonstration files, then runs the ingest loop on its own thread for the life of
 * the application, from the checkpoint's offsets (or rebuilding from the log).
 */
@ApplicationScoped
public class IngestService {

    private static final Logger LOG = Logger.getLogger(IngestService.class);

    @Inject
    LearnerConfig config;

    @Inject
    KafkaClients clients;

    @Inject
    ReplayBuffer replay;

    @Inject
    MeterRegistry registry;

    private IngestMetrics metrics;
    private IngestLoop loop;
    private Thread thread;
    private KafkaProducer<byte[], byte[]> deadLetterProducer;
    private ReplayCheckpoints checkpoints;
    private volatile boolean started;

    @Inject
    KafkaClientMeters kafkaMeters;

    void onStart(@Observes @Priority(TopicProvisioner.STARTUP_PRIORITY + 10) StartupEvent event) throws IOException {
        metrics = new IngestMetrics(registry, config.ingest().latencySamplesPerSecond());
        IngestConfig ingest = config.ingest();
        ReplayConfig.Checkpoint checkpoint = config.replay().checkpoint();
        TransitionValidator validator = new TransitionValidator(config.layout(), ingest.maxClockSkewSeconds(),
                ingest.maxEpisodeSteps(), IngestService::nowUnixNanos);

        ReplayCheckpoints checkpoints = null;
        Map<TopicPartition, Long> starts = Map.of();
        if (checkpoint.enabled()) {
            checkpoints = new ReplayCheckpoints(new CheckpointStore(checkpoint.directory(), checkpoint.keep()), replay,
                    TimeUnit.SECONDS.toNanos(checkpoint.intervalSeconds()), new CheckpointMeters(registry, "replay"));
            Optional<ReplayCheckpoints.Restored> restored = checkpoints.restore();
            if (restored.isPresent()) {
                starts = restored.get().offsets();
                LOG.infof("replay restored from checkpoint %d in %s: %d rows; ingest resumes at %s",
                        restored.get().id(), checkpoint.directory(), replay.totalSize(), starts);
            }
        }

        loadDemonstrations(validator);

        deadLetterProducer = clients.producer(config.learnerId() + "-dead-letters");
        kafkaMeters.bind(deadLetterProducer);
        IngestLoop.Options options = new IngestLoop.Options(config.topics().transitions(),
                ingest.episodeEvents() ? config.topics().episodeEvents() : null, config.topics().deadLetter(),
                Duration.ofMillis(ingest.pollTimeoutMs()), ingest.retryBackoffMs(), config.replay().rebuildFrom(),
                config.replay().rateLimit().enabled() && config.replay().rateLimit().throttleIngest(), starts,
                Duration.ofMillis(ingest.commitIntervalMs()));
        KafkaConsumer<byte[], ByteBuffer> consumer = clients.consumer(ingest.groupId(), config.learnerId() + "-ingest",
                ingest.maxPollRecords(), consumerTuning(ingest));
        // Lag per partition (kafka_consumer_fetch_manager_records_lag), fetch rates and latencies.
        kafkaMeters.bind(consumer);
        this.checkpoints = checkpoints;
        loop = new IngestLoop(consumer,
                deadLetterProducer, options, new DecodedTransition(config.layout(), replay.baseSamples()), validator,
                replay, metrics, checkpoints, IngestService::nowUnixNanos, ingest.pipelined());
        thread = new Thread(loop, "tendon-ingest");
        thread.start();
        started = true;
    }

    /** Fetch settings equal to Kafka's ConsumerPerformance defaults unless configured otherwise; CRC checks as configured. */
    static Map<String, Object> consumerTuning(IngestConfig ingest) {
        return Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, ingest.maxPartitionFetchBytes(),
                ConsumerConfig.RECEIVE_BUFFER_CONFIG, ingest.receiveBufferBytes(),
                ConsumerConfig.CHECK_CRCS_CONFIG, ingest.checkCrcs());
    }

    private void loadDemonstrations(TransitionValidator validator) throws IOException {
        List<Path> files = config.demo().files().orElse(List.of());
        if (files.isEmpty()) {
            return;
        }
        DemonstrationLoader loader = new DemonstrationLoader(new DecodedTransition(config.layout(), replay.baseSamples()),
                validator, replay, registry);
        for (Path file : files) {
            if (!Files.isReadable(file)) {
                throw new NoSuchFileException(file.toString(), null,
                        "tendon.demo.files names a file that does not exist or cannot be read");
            }
            try {
                loader.load(file);
            } catch (IOException e) {
                // The rows before the damage are in; live ingest matters more than a broken file.
                LOG.errorf("demonstration file %s is damaged: %s", file, e.getMessage());
            }
        }
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (loop != null) {
            loop.stop();
            thread.join(30_000);
            deadLetterProducer.close(Duration.ofSeconds(5));
        }
        replay.close();
    }

    /** The last committed offsets by "topic-partition" (empty before the first commit). */
    public Map<String, Long> committedOffsets() {
        IngestLoop l = loop;
        return l == null ? Map.of() : l.committedOffsets();
    }

    public IngestMetrics metrics() {
        return metrics;
    }

    /** Asks ingest to checkpoint the replay after its current batch; completes with the checkpoint id. */
    public CompletableFuture<Long> requestCheckpoint() {
        return loop.requestCheckpoint();
    }

    /**
     * True while the ingest thread runs and has polled within {@code maxSilence}, or is writing a
     * replay checkpoint (between two polls, on this thread) that began less than
     * {@code maxCheckpoint} ago: a large checkpoint is not a hung consumer.
     */
    public boolean healthy(Duration maxSilence, Duration maxCheckpoint) {
        if (thread == null || !thread.isAlive()) {
            return false;
        }
        long now = System.nanoTime();
        if (now - loop.lastPollNanos() < maxSilence.toNanos()) {
            return true;
        }
        long writing = checkpoints == null ? 0 : checkpoints.writingSinceNanos();
        return writing != 0 && now - writing < maxCheckpoint.toNanos();
    }

    /** True once the replay is restored, demonstrations loaded and the ingest thread started (the start-up probe). */
    public boolean started() {
        return started;
    }

    static long nowUnixNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
