package io.tendon.edge.kafka;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import io.tendon.edge.config.EdgeConfig;
import io.tendon.edge.metrics.KafkaClientMeters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Creates the one TransitionPublisher of the application, on the configured Kafka cluster. */
@ApplicationScoped
public class PublisherProducer {

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
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(kafkaDefaults,
                config.robotId() + "-transitions", config.publisher().bufferMib()), new ByteArraySerializer(),
                new ByteArraySerializer());
        // Buffer, batches, errors and request latency of the producer (kafka_producer_*).
        kafkaMeters.bind(producer);
        TransitionPublisher publisher = new TransitionPublisher(producer, config.topics().transitions(),
                config.publisher().queueCapacity());
        FunctionCounter.builder("tendon.edge.transitions.accepted", publisher, TransitionPublisher::accepted)
                .description("Transitions handed to the publisher").register(registry);
        FunctionCounter.builder("tendon.edge.transitions.refused", publisher, TransitionPublisher::refused)
                .description("Transitions refused because the hand-off queue was full").register(registry);
        FunctionCounter.builder("tendon.edge.transitions.delivered", publisher, TransitionPublisher::delivered)
                .description("Transitions acknowledged by the broker").register(registry);
        FunctionCounter.builder("tendon.edge.transitions.failed", publisher, TransitionPublisher::failed)
                .description("Transitions the producer gave up on").register(registry);
        Gauge.builder("tendon.edge.transitions.pending", publisher, TransitionPublisher::pending)
                .description("Transitions accepted and not yet acknowledged").register(registry);
        return publisher;
    }

    /** The transitions producer's settings on top of the application's {@code kafka.*} ones. */
    public static Map<String, Object> producerConfig(Map<String, Object> kafka, String clientId, int bufferMib) {
        Map<String, Object> p = new HashMap<>(kafka);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // Keep retrying while the broker is away: an accepted transition is never dropped by a timeout.
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        // A send waits for buffer space and metadata as long as the broker is away: with a bound,
        // Kafka fails the record through its callback and it would be lost. Only the publisher
        // thread waits; offers meanwhile fill the bounded queue and are then refused and counted.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.MAX_VALUE);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, (long) bufferMib << 20);
        return p;
    }

    void close(@Disposes TransitionPublisher publisher) {
        publisher.close();
    }
}
