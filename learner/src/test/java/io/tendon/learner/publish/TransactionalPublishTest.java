package io.tendon.learner.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.export.TestExports;
import io.tendon.schemas.update.TrustedKeys;
import io.tendon.schemas.update.UpdateAssembler;
import io.tendon.schemas.v1.PolicyUpdate;
import io.tendon.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learner's side of the update contract, on the real broker: every part of an update in one
 * transaction (a read_committed reader sees all of them or none), a second learner with the same
 * transactional id fences the first, and a learner whose version file is lost continues above the
 * newest version on the topic.
 */
class TransactionalPublishTest {

    private static final int MAX_MESSAGE = 32 * 1024;

    @TempDir
    Path dir;

    private static KafkaProducer<byte[], byte[]> transactional(String id) {
        KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_MESSAGE, ProducerConfig.TRANSACTIONAL_ID_CONFIG, id),
                new ByteArraySerializer(), new ByteArraySerializer());
        p.initTransactions();
        return p;
    }

    private SigningKey key() throws Exception {
        return SigningKeys.load(Optional.empty(), Optional.empty(), "ed25519.pem", true, dir.resolve("keys"),
                dir.resolve("trusted/policy-signing.pub.pem"));
    }

    /** Every committed record of the topic, as a read_committed receiver sees it. */
    private static List<PolicyUpdate> committed(String topic) throws Exception {
        Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<PolicyUpdate> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline
                    && partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(PolicyUpdate.parseFrom(r.value()));
                }
            }
        }
        return out;
    }

    @Test
    void anUpdateIsOneTransactionAndASecondLearnerWithTheSameIdFencesTheFirst() throws Exception {
        String topic = "policy-updates-tx-" + UUID.randomUUID();
        KafkaBroker.shared().createTopics(1, List.of(topic));
        SigningKey key = key();
        KafkaProducer<byte[], byte[]> first = transactional("learner-x");
        PolicyPublisher publisher = new PolicyPublisher("policy-x", topic, key, new VersionStore(dir.resolve("v1")), first,
                MAX_MESSAGE, Duration.ofSeconds(30), true);
        long v1 = publisher.reserveVersion();
        SignedPolicyUpdate sent = publisher.publish(TestExports.residual("policy-x", v1, List.of(64, 64), 1));
        assertTrue(sent.parts().size() > 3);

        // A learner that dies in the middle of an update: its parts never become visible.
        long v2 = publisher.reserveVersion();
        SignedPolicyUpdate half = publisher.sign(TestExports.residual("policy-x", v2, List.of(64, 64), 2));
        first.beginTransaction();
        for (PolicyUpdate part : half.parts().subList(0, half.parts().size() / 2)) {
            first.send(new ProducerRecord<>(topic, "policy-x".getBytes(StandardCharsets.UTF_8), part.toByteArray())).get();
        }
        first.abortTransaction();

        // A second learner with the same transactional id takes over; the first is fenced.
        KafkaProducer<byte[], byte[]> second = transactional("learner-x");
        long v3 = publisher.reserveVersion();
        PublishException fenced = assertThrows(PublishException.class,
                () -> publisher.publish(TestExports.residual("policy-x", v3, List.of(16), 3)));
        assertTrue(fenced.getMessage().contains("transactional id"), fenced.getMessage());
        first.close(Duration.ZERO);

        PolicyPublisher successor = new PolicyPublisher("policy-x", topic, key, new VersionStore(dir.resolve("v2")), second,
                MAX_MESSAGE, Duration.ofSeconds(30), true);
        successor.versions().atLeast(v3);
        long v4 = successor.reserveVersion();
        successor.publish(TestExports.residual("policy-x", v4, List.of(16), 4));
        second.close();

        List<PolicyUpdate> seen = committed(topic);
        assertEquals(List.of(v1, v4), seen.stream().map(PolicyUpdate::getVersion).distinct().toList(),
                "the aborted half of v" + v2 + " and the fenced v" + v3 + " never reach a read_committed reader");
        TrustedKeys trusted = TrustedKeys.of(key.publicKey());
        for (long v : List.of(v1, v4)) {
            UpdateAssembler.assemble(seen.stream().filter(p -> p.getVersion() == v).toList(), trusted);
        }
    }

    @Test
    void aLearnerWithoutItsVersionFileContinuesAboveTheTopicsNewestVersion() throws Exception {
        String topic = "policy-updates-versions-" + UUID.randomUUID();
        KafkaBroker.shared().createTopics(1, List.of(topic));
        try (KafkaProducer<byte[], byte[]> p = transactional("learner-y")) {
            PolicyPublisher publisher = new PolicyPublisher("policy-y", topic, key(), new VersionStore(dir.resolve("lost")),
                    p, MAX_MESSAGE, Duration.ofSeconds(30), true);
            for (int i = 0; i < 3; i++) {
                long v = publisher.reserveVersion();
                publisher.publish(TestExports.residual("policy-y", v, List.of(8), i));
            }
        }
        Map<String, Object> kafka = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
        assertEquals(3, TopicVersions.highest(kafka, topic, "policy-y", Duration.ofSeconds(30)));
        assertEquals(0, TopicVersions.highest(kafka, topic, "other-policy", Duration.ofSeconds(30)));
        VersionStore fresh = new VersionStore(dir.resolve("new-volume/version"));
        fresh.atLeast(TopicVersions.highest(kafka, topic, "policy-y", Duration.ofSeconds(30)));
        assertEquals(4, fresh.reserve(), "a new volume's first version is above the topic's");
    }
}
