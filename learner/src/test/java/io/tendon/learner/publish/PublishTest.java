package io.tendon.learner.publish;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.tendon.learner.export.TestExports;
import io.tendon.learner.export.VerifiedExport;
import io.tendon.schemas.update.PolicySigning;
import io.tendon.schemas.update.TrustedKeys;
import io.tendon.schemas.update.UpdateAssembler;
import io.tendon.schemas.update.UpdateRefusal;
import io.tendon.schemas.update.UpdateRefusedException;
import io.tendon.schemas.v1.PolicyUpdate;
import io.tendon.testing.KafkaBroker;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signed publishing against the real in-process broker, read back and verified as a robot would. */
class PublishTest {

    private static final int MAX_MESSAGE = 32 * 1024;

    @TempDir
    Path dir;

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_MESSAGE);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            // assign, not subscribe: no group rebalance to wait for.
            List<org.apache.kafka.common.TopicPartition> partitions = new ArrayList<>();
            c.partitionsFor(topic).forEach(info -> partitions.add(
                    new org.apache.kafka.common.TopicPartition(topic, info.partition())));
            c.assign(partitions);
            c.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private SigningKey devKey() throws Exception {
        return SigningKeys.load(Optional.empty(), Optional.empty(), "ed25519.pem", true, dir.resolve("keys"),
                dir.resolve("trusted/policy-signing.pub.pem"));
    }

    private TrustedKeys trusted() throws Exception {
        return TrustedKeys.load(List.of(dir.resolve("trusted/policy-signing.pub.pem")));
    }

    private static List<PolicyUpdate> parse(List<ConsumerRecord<byte[], byte[]>> records, long version) throws Exception {
        List<PolicyUpdate> parts = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            PolicyUpdate u = PolicyUpdate.parseFrom(r.value());
            if (u.getVersion() == version) {
                parts.add(u);
            }
        }
        return parts;
    }

    @Test
    void partsReassembleAndVerifyWithThePublicKeyAndVersionsIncreaseAcrossARestart() throws Exception {
        String topic = "policy-updates-" + UUID.randomUUID();
        SigningKey key = devKey();
        long v1;
        long v2;
        VerifiedExport first;
        int partsSent = 0;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            PolicyPublisher publisher = new PolicyPublisher("policy-a", topic, key,
                    new VersionStore(dir.resolve("state/version")), producer, MAX_MESSAGE, Duration.ofSeconds(30));
            v1 = publisher.reserveVersion();
            first = TestExports.residual("policy-a", v1, List.of(64, 64), 1);
            SignedPolicyUpdate sent = publisher.publish(first);
            assertTrue(sent.parts().size() > 3, "a " + first.size() + "-byte model needs several " + MAX_MESSAGE + "-byte parts");
            partsSent += sent.parts().size();
            v2 = publisher.reserveVersion();
            partsSent += publisher.publish(TestExports.residual("policy-a", v2, List.of(32), 2)).parts().size();
            assertEquals(v2, publisher.lastPublishedVersion());
            assertTrue(v2 > v1);
        }
        // A new learner process: same files, new store, new publisher.
        long v3;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            PolicyPublisher restarted = new PolicyPublisher("policy-a", topic, devKey(),
                    new VersionStore(dir.resolve("state/version")), producer, MAX_MESSAGE, Duration.ofSeconds(30));
            assertEquals(v2, restarted.lastPublishedVersion());
            v3 = restarted.reserveVersion();
            assertTrue(v3 > v2, "versions keep increasing after a restart");
            partsSent += restarted.publish(TestExports.residual("policy-a", v3, List.of(16), 3)).parts().size();
        }
        List<ConsumerRecord<byte[], byte[]>> records = readAll(topic, partsSent);
        assertEquals(partsSent, records.size());
        for (ConsumerRecord<byte[], byte[]> r : records) {
            assertEquals("policy-a", new String(r.key(), StandardCharsets.UTF_8));
            assertTrue(r.serializedValueSize() + r.serializedKeySize() <= MAX_MESSAGE);
        }
        byte[] model = UpdateAssembler.assemble(parse(records, v1), trusted()).bytes();
        assertArrayEquals(first.bytes(), model);
        assertEquals(64, parse(records, v1).get(0).getSignature().size());
        UpdateAssembler.assemble(parse(records, v2), trusted());
        UpdateAssembler.assemble(parse(records, v3), trusted());
        assertEquals(key.keyId(), parse(records, v3).get(0).getKeyId(), "the development key was reused after the restart");
        assertEquals("learner-test", parse(records, v1).get(0).getProvenance().getLearnerId());
    }

    @Test
    void tamperedOrForeignUpdatesAreRejectedByTheVerification() throws Exception {
        SigningKey key = devKey();
        VersionStore versions = new VersionStore(dir.resolve("v"));
        PolicyPublisher publisher = new PolicyPublisher("policy-b", "unused", key, versions, null, MAX_MESSAGE,
                Duration.ofSeconds(1));
        long v = publisher.reserveVersion();
        SignedPolicyUpdate update = publisher.sign(TestExports.residual("policy-b", v, List.of(32), 4));
        List<PolicyUpdate> parts = update.parts();
        UpdateAssembler.assemble(parts, trusted());

        // One flipped payload byte: the hash no longer matches.
        List<PolicyUpdate> flipped = new ArrayList<>(parts);
        byte[] payload = parts.get(0).getPayload().toByteArray();
        payload[10] ^= 1;
        flipped.set(0, parts.get(0).toBuilder().setPayload(ByteString.copyFrom(payload)).build());
        assertRejected(flipped, UpdateRefusal.HASH_MISMATCH);

        // A consistent forgery (new bytes and their hash) fails the signature.
        List<PolicyUpdate> forged = new ArrayList<>();
        byte[] model = UpdateAssembler.assemble(parts, trusted()).bytes();
        model[model.length - 1] ^= 1;
        byte[] sha = PolicySigning.sha256(model);
        for (PolicyUpdate p : flipped) {
            forged.add(p.toBuilder().setSha256(ByteString.copyFrom(sha)).build());
        }
        int offset = 0;
        for (int i = 0; i < forged.size(); i++) {
            int n = forged.get(i).getPayload().size();
            forged.set(i, forged.get(i).toBuilder().setPayload(ByteString.copyFrom(model, offset, n)).build());
            offset += n;
        }
        assertRejected(forged, UpdateRefusal.BAD_SIGNATURE);

        // Unsigned, a missing part, a raised version, a key nobody trusts.
        List<PolicyUpdate> unsigned = new ArrayList<>();
        parts.forEach(p -> unsigned.add(p.toBuilder().clearSignature().build()));
        assertRejected(unsigned, UpdateRefusal.NO_SIGNATURE);
        assertTrue(parts.size() > 1, "the update is split");
        assertRejected(parts.subList(1, parts.size()), UpdateRefusal.INCOMPLETE);
        List<PolicyUpdate> bumped = new ArrayList<>();
        parts.forEach(p -> bumped.add(p.toBuilder().setVersion(p.getVersion() + 1).build()));
        assertRejected(bumped, UpdateRefusal.BAD_SIGNATURE);
        UpdateRefusedException e = assertThrows(UpdateRefusedException.class,
                () -> UpdateAssembler.assemble(parts, TrustedKeys.of()));
        assertEquals(UpdateRefusal.UNKNOWN_KEY, e.reason());
    }

    private void assertRejected(List<PolicyUpdate> parts, UpdateRefusal reason) {
        UpdateRefusedException e = assertThrows(UpdateRefusedException.class,
                () -> UpdateAssembler.assemble(parts, trusted()));
        assertEquals(reason, e.reason(), e.getMessage());
    }

    @Test
    void nothingUnverifiedOrUnsignedCanBeMadeThroughThePublishersApi() throws Exception {
        // The only ways in: VerifiedExport comes from ExportVerifier, SignedPolicyUpdate from sign().
        for (Class<?> type : new Class<?>[] {VerifiedExport.class, SignedPolicyUpdate.class}) {
            assertTrue(Modifier.isFinal(type.getModifiers()), type + " is final");
            for (Constructor<?> c : type.getDeclaredConstructors()) {
                assertFalse(Modifier.isPublic(c.getModifiers()) || Modifier.isProtected(c.getModifiers()),
                        type.getSimpleName() + " has an accessible constructor");
            }
        }
        SigningKey key = devKey();
        PolicyPublisher publisher = new PolicyPublisher("policy-c", "unused", key, new VersionStore(dir.resolve("v")), null,
                MAX_MESSAGE, Duration.ofSeconds(1));
        // An export for a version never reserved (or already passed) is not signed.
        VerifiedExport unreserved = TestExports.residual("policy-c", 5, List.of(16), 5);
        assertThrows(IllegalArgumentException.class, () -> publisher.sign(unreserved));
        // Nor an export made for another policy.
        long v = publisher.reserveVersion();
        VerifiedExport other = TestExports.residual("policy-other", v, List.of(16), 5);
        assertThrows(IllegalArgumentException.class, () -> publisher.sign(other));
    }

    @Test
    void signingKeysComeFromAFileASecretMountOrAPersistedDevelopmentKey() throws Exception {
        SigningKey dev = devKey();
        assertEquals(dev.keyId(), devKey().keyId(), "the development key is generated once and reused");
        assertTrue(Files.readString(dir.resolve("trusted/policy-signing.pub.pem")).contains("BEGIN PUBLIC KEY"));

        SigningKey generated = SigningKey.generate("test");
        Path file = dir.resolve("prod.pem");
        Files.writeString(file, generated.privatePem());
        SigningKey fromFile = SigningKeys.load(Optional.of(file.toString()), Optional.empty(), "x", false, dir.resolve("k"),
                dir.resolve("pub1.pem"));
        assertEquals(generated.keyId(), fromFile.keyId(), "the public half is derived from the private key");

        Path secret = Files.createDirectories(dir.resolve("secret"));
        Files.writeString(secret.resolve("ed25519.pem"), generated.privatePem());
        SigningKey fromSecret = SigningKeys.load(Optional.empty(), Optional.of(secret.toString()), "ed25519.pem", false,
                dir.resolve("k"), dir.resolve("pub2.pem"));
        assertEquals(generated.keyId(), fromSecret.keyId());
        byte[] message = "m".getBytes(StandardCharsets.UTF_8);
        assertTrue(PolicySigning.verify(generated.publicKey(), message, fromSecret.sign(message)));

        Exception missing = assertThrows(java.io.IOException.class, () -> SigningKeys.load(Optional.empty(), Optional.empty(),
                "x", false, dir.resolve("k"), dir.resolve("pub3.pem")));
        assertTrue(missing.getMessage().contains("tendon.publish.key-file"), missing.getMessage());
        Files.writeString(dir.resolve("bad.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertThrows(IllegalArgumentException.class, () -> SigningKeys.load(Optional.of(dir.resolve("bad.pem").toString()),
                Optional.empty(), "x", false, dir.resolve("k"), dir.resolve("pub4.pem")));
    }
}
