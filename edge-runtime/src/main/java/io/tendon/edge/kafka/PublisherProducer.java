package io.tendon.edge.kafka;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.common.annotation.Identifier;
import io.tendon.edge.config.EdgeConfig;
import io.tendon.schemas.kafka.KafkaClientMeters;
import io.tendon.edge.spool.TransitionSpool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;

/** Creates the one TransitionPublisher of the application: its spool, and producers on the configured Kafka cluster. */
@ApplicationScoped
public class PublisherProducer {

    private static final Logger LOG = Logger.getLogger(PublisherProducer.class);

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaDefaults;

    @Inject
    EdgeConfig config;

    @Inject
    KafkaClientMeters kafkaMeters;

    @Produces
    @Singleton
    TransitionPublisher publisher(MeterRegistry registry) {
        EdgeConfig.Spool sc = config.spool();
        TransitionSpool spool;
        try {
            spool = new TransitionSpool(Path.of(sc.dir()), (long) sc.segmentMib() << 20, sc.maxMib() << 20,
                    TransitionSpool.Fsync.valueOf(sc.fsync().toUpperCase(Locale.ROOT)));
        } catch (IOException e) {
            throw new UncheckedIOException("tendon.edge.spool.dir = " + sc.dir() + ": " + e.getMessage(), e);
        }
        if (spool.recovered() > 0 || spool.tornTails() > 0) {
            LOG.infof("transition spool %s: %d transitions from before the restart to send%s", sc.dir(), spool.recovered(),
                    spool.tornTails() > 0 ? ", " + spool.tornTails() + " torn segment tail(s) cut off ("
                            + spool.tornBytes() + " bytes)" : "");
        }
        Map<String, Object> producerConfig = producerConfig(kafkaDefaults, config.robotId() + "-transitions",
                config.publisher().bufferMib());
        TransitionPublisher publisher = new TransitionPublisher(
                () -> {
                    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(),
                            new ByteArraySerializer());
                    // Buffer, batches, errors and request latency of the producer (kafka_producer_*),
                    // bound again when the publisher recreates a failed producer.
                    kafkaMeters.bind(producer);
                    return producer;
                },
                config.topics().transitions(), spool, new TransitionPublisher.Settings(config.publisher().queueCapacity(),
                        sc.maxInFlight(), TimeUnit.MILLISECONDS.toNanos(sc.recreateBackoffMs()),
                        TimeUnit.MILLISECONDS.toNanos(sc.maxRecreateBackoffMs()),
                        sc.fsync().equals("interval") ? TimeUnit.MILLISECONDS.toNanos(sc.fsyncIntervalMs()) : 0));
        Timer toBroker = Timer.builder("tendon.edge.transitions.to.broker")
                .description("A transition handed to the publisher until the broker acknowledged it").register(registry);
        publisher.onAckLatency(n -> toBroker.record(n, TimeUnit.NANOSECONDS));
        FunctionCounter.builder("tendon.edge.transitions.accepted", publisher, TransitionPublisher::accepted)
                .description("Transitions handed to the publisher").register(registry);
        FunctionCounter.builder("tendon.edge.transitions.refused", publisher, TransitionPublisher::refused)
                .description("Transitions refused because the hand-off queue was full").register(registry);
        FunctionCounter.builder("tendon.edge.transitions.delivered", publisher, TransitionPublisher::delivered)
                .description("Transitions acknowledged by the broker").register(registry);
        FunctionCounter.builder("tendon.edge.transitions.failed", publisher, TransitionPublisher::failed)
                .description("Transitions the broker refused as such (too large, invalid), given up").register(registry);
        Gauge.builder("tendon.edge.transitions.pending", publisher, TransitionPublisher::pending)
                .description("Transitions accepted and not yet acknowledged (hand-off queue and spool)").register(registry);
        FunctionCounter.builder("tendon.edge.publisher.producer.failures", publisher, TransitionPublisher::producerFailures)
                .description("Producer failures that closed it (fenced, authentication, unknown)").register(registry);
        FunctionCounter.builder("tendon.edge.publisher.producer.recreated", publisher, TransitionPublisher::recreated)
                .description("Producers created again after a failure").register(registry);
        FunctionCounter.builder("tendon.edge.spool.appended", spool, TransitionSpool::appended)
                .description("Transitions written to the spool").register(registry);
        Gauge.builder("tendon.edge.spool.pending", spool, TransitionSpool::pending)
                .description("Transitions in the spool not yet acknowledged by the broker").register(registry);
        Gauge.builder("tendon.edge.spool.bytes", spool, TransitionSpool::bytes).baseUnit("bytes")
                .description("Size of the spool's segments").register(registry);
        Gauge.builder("tendon.edge.spool.recovered", spool, TransitionSpool::recovered)
                .description("Transitions found unacknowledged in the spool at start-up").register(registry);
        FunctionCounter.builder("tendon.edge.spool.torn.tails", spool, TransitionSpool::tornTails)
                .description("Segment tails cut off: a record incomplete or failing its CRC").register(registry);
        String[] sources = {"unspecified", "demo", "intervention", "rollout"};
        for (int source = 1; source < sources.length; source++) {
            int s = source;
            FunctionCounter.builder("tendon.edge.spool.dropped", spool, x -> x.dropped(s)).tag("source", sources[s])
                    .description("Transitions dropped from the full spool, by source").register(registry);
        }
        return publisher;
    }

    /** The transitions producer's settings on top of the application's {@code kafka.*} ones. */
    public static Map<String, Object> producerConfig(Map<String, Object> kafka, String clientId, int bufferMib) {
        Map<String, Object> p = new HashMap<>(kafka);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // Keep retrying while the broker is away: a record in flight is never dropped by a timeout.
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        // A send waits at most this long for metadata; the record stays in the spool and is tried
        // again, so the publisher thread keeps spooling new transitions while the broker is away.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 250);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, (long) bufferMib << 20);
        return p;
    }

    void close(@Disposes TransitionPublisher publisher) {
        publisher.close();
    }
}
