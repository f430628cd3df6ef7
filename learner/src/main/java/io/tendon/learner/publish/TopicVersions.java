package io.tendon.learner.publish;

import io.tendon.schemas.v1.PolicyUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The newest version of a policy already on the updates topic: a learner whose version file is
 * lost (a new volume) reads it back and continues above it, so versions never go backwards and
 * robots, which refuse anything not above their high-water mark, keep taking its updates.
 */
public final class TopicVersions {

    private TopicVersions() {
    }

    /**
     * Reads every committed record of {@code topic} keyed {@code policyId} and returns the highest
     * version (0 when none), within {@code timeout}.
     */
    public static long highest(Map<String, Object> kafka, String topic, String policyId, Duration timeout) {
        Map<String, Object> c = new HashMap<>(kafka);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "tendon-learner-versions-" + policyId);
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
        long deadline = System.nanoTime() + timeout.toNanos();
        long highest = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic, timeout)) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            byte[] key = policyId.getBytes(StandardCharsets.UTF_8);
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && java.util.Arrays.equals(r.key(), key)) {
                        try {
                            long v = PolicyUpdate.parseFrom(r.value()).getVersion();
                            if (Long.compareUnsigned(v, highest) > 0) {
                                highest = v;
                            }
                        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                            // Not a PolicyUpdate: it carries no version.
                        }
                    }
                }
            }
        }
        return highest;
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
