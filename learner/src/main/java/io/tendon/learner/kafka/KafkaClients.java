package io.tendon.learner.kafka;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;

/**
 * Builds plain Kafka clients from the application's {@code kafka.*} configuration (bootstrap
 * servers, security), so the ingest loop and the messaging channels reach the same cluster.
 */
@ApplicationScoped
public class KafkaClients {

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> defaults;

    /** Common settings: everything under {@code kafka.} in the configuration. */
    public Map<String, Object> common() {
        Map<String, Object> config = new HashMap<>();
        defaults.forEach((k, v) -> config.put(k, v));
        return config;
    }

    /**
     * A consumer of raw bytes that commits only when told to. Values are {@link ByteBuffer}
     * views into the fetched data (Kafka's {@link ByteBufferDeserializer} copies nothing), keys
     * are byte arrays.
     */
    public KafkaConsumer<byte[], ByteBuffer> consumer(String groupId, String clientId, int maxPollRecords) {
        return consumer(groupId, clientId, maxPollRecords, Map.of());
    }

    /** As {@link #consumer(String, String, int)}, with further consumer settings (fetch sizes). */
    public KafkaConsumer<byte[], ByteBuffer> consumer(String groupId, String clientId, int maxPollRecords,
            Map<String, Object> extra) {
        Map<String, Object> config = common();
        config.putAll(extra);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteBufferDeserializer());
    }

    /** An idempotent producer that waits for all in-sync replicas. */
    public KafkaProducer<byte[], byte[]> producer(String clientId) {
        Map<String, Object> config = common();
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
