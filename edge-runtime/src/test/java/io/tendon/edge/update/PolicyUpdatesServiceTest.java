package io.tendon.edge.update;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tendon.edge.policy.service.PolicyService;
import io.tendon.edge.runtime.ControlService;
import io.tendon.edge.update.service.UpdateService;
import io.tendon.schemas.v1.PolicyUpdate;
import io.tendon.schemas.v1.PolicyVersionControl;
import io.tendon.schemas.v1.PolicyVersionRequest;
import io.tendon.schemas.v1.PolicyVersions;
import io.tendon.schemas.v1.PolicyVersionsRequest;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;
import io.tendon.testing.KafkaBroker;
import io.tendon.testing.KafkaBrokerResource;
import io.tendon.testing.UpdateSigner;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Policy updates through the real broker into the running edge (the simulator on the simulated
 * clock, the policy in lockstep): the scripted expert demonstrates until the first verified head
 * arrives, then the head acts and the transitions carry its version; garbage and tampered updates
 * are refused with their reasons; a second trusted key is accepted once it is added to the
 * trusted directory and the first key's updates are refused once it is removed; an operator rolls
 * back and pins over gRPC.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@TestProfile(PolicyUpdatesServiceTest.Profile.class)
class PolicyUpdatesServiceTest {

    static final UpdateSigner FIRST = new UpdateSigner();
    static final UpdateSigner SECOND = new UpdateSigner();
    static Path trusted;
    static final String UPDATES = "tendon.policy-updates.service-test";
    static final String TRANSITIONS = "tendon.transitions.service-test";

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path root = Files.createTempDirectory("tendon-updates");
                Path bundle = UpdateGraphs.bundle(root.resolve("bundle"));
                trusted = root.resolve("trusted");
                FIRST.writePublicKey(trusted.resolve("first.pem"));
                KafkaBroker.shared().createTopics(1, List.of(UPDATES, TRANSITIONS));
                Map<String, String> m = new HashMap<>();
                m.put("tendon.policy.bundle-dir", bundle.toString());
                m.put("tendon.edge.clock", "simulated");
                m.put("tendon.edge.robot-id", "arm-updates");
                m.put("tendon.edge.topics.policy-updates", UPDATES);
                m.put("tendon.edge.topics.transitions", TRANSITIONS);
                m.put("tendon.edge.updates.trusted-keys", trusted.toString());
                m.put("tendon.edge.updates.trusted-keys-reload-seconds", "1");
                m.put("tendon.edge.updates.cache-dir", root.resolve("cache").toString());
                return m;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Inject
    UpdateService updates;

    @Inject
    PolicyService policy;

    @Inject
    ControlService control;

    @GrpcClient("edge")
    PolicyVersionControl versions;

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void publish(List<PolicyUpdate> parts) {
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            for (PolicyUpdate part : parts) {
                p.send(new ProducerRecord<>(UPDATES, UpdateGraphs.POLICY.getBytes(StandardCharsets.UTF_8),
                        part.toByteArray()));
            }
            p.flush();
        }
    }

    /** The value of metric {@code name} on the sample whose labels contain {@code labels} (0 if none). */
    private static double metric(String name, String labels) {
        String body = given().header("Accept", "text/plain; version=0.0.4").get("/q/metrics").then().statusCode(200)
                .extract().asString();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(body);
        while (m.find()) {
            if (labels.isEmpty() || m.group(1) != null && m.group(1).contains(labels)) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }

    private static double metric(String name) {
        return metric(name, "");
    }

    private static double rejected(String reason) {
        return metric("tendon_edge_policy_updates_rejected_total", "reason=\"" + reason + "\"");
    }

    private long activeVersion() {
        return policy.runtime().map(r -> r.version()).orElse(0L);
    }

    @Test
    void updatesArriveAreVerifiedAndRunAndBadOnesAreRefused() throws Exception {
        assertEquals(0, activeVersion(), "no head yet: the scripted expert demonstrates");

        // The first head: verified, checked (finiteness and bounds: nothing ran before it), swapped in.
        publish(FIRST.parts(UpdateGraphs.POLICY, 1, "head", UpdateGraphs.head(UpdateGraphs.HOLD), 64 * 1024));
        await().atMost(Duration.ofSeconds(30)).until(() -> activeVersion() == 1);
        assertEquals(1.0, metric("tendon_edge_policy_updates_applied_total"));
        // From now on the robot's transitions are the head's rollouts.
        assertTrue(awaitRolloutOf(1), "a ROLLOUT transition with policy_version 1 reached the broker");

        // Garbage bytes and a tampered update: refused, the head keeps running.
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            p.send(new ProducerRecord<>(UPDATES, UpdateGraphs.POLICY.getBytes(StandardCharsets.UTF_8),
                    new byte[] {(byte) 0xff, 0x13, 0x37})).get();
        }
        List<PolicyUpdate> tampered = new ArrayList<>(FIRST.parts(UpdateGraphs.POLICY, 2, "head",
                UpdateGraphs.head(UpdateGraphs.moved(0.001f)), 64 * 1024));
        byte[] payload = tampered.get(0).getPayload().toByteArray();
        payload[payload.length / 2] ^= 1;
        tampered.set(0, tampered.get(0).toBuilder().setPayload(com.google.protobuf.ByteString.copyFrom(payload)).build());
        publish(tampered);
        await().atMost(Duration.ofSeconds(30)).until(() -> rejected("malformed") >= 1 && rejected("hash_mismatch") >= 1);
        assertEquals(1, activeVersion());

        // Key rotation: the second key is not trusted yet, then it is; then the first is removed.
        publish(SECOND.parts(UpdateGraphs.POLICY, 3, "head", UpdateGraphs.head(UpdateGraphs.moved(0.001f)), 64 * 1024));
        await().atMost(Duration.ofSeconds(30)).until(() -> rejected("unknown_key") >= 1);
        assertEquals(1, activeVersion());
        SECOND.writePublicKey(trusted.resolve("second.pem"));
        Thread.sleep(2_500); // the trusted directory is read again every second
        publish(SECOND.parts(UpdateGraphs.POLICY, 4, "head", UpdateGraphs.head(UpdateGraphs.moved(0.001f)), 64 * 1024));
        await().atMost(Duration.ofSeconds(30)).until(() -> activeVersion() == 4);
        Files.delete(trusted.resolve("first.pem"));
        Thread.sleep(2_500);
        publish(FIRST.parts(UpdateGraphs.POLICY, 5, "head", UpdateGraphs.head(UpdateGraphs.moved(0.002f)), 64 * 1024));
        await().atMost(Duration.ofSeconds(30)).until(() -> rejected("unknown_key") >= 2);
        assertEquals(4, activeVersion(), "an update signed with the removed key does not run");

        // An operator's view, rollback and pin.
        publish(SECOND.parts(UpdateGraphs.POLICY, 6, "head", UpdateGraphs.head(UpdateGraphs.moved(0.002f)), 64 * 1024));
        await().atMost(Duration.ofSeconds(30)).until(() -> activeVersion() == 6);
        PolicyVersions listed = versions.list(PolicyVersionsRequest.getDefaultInstance()).await().atMost(Duration.ofSeconds(10));
        assertEquals(6, listed.getActiveVersion());
        assertEquals(6, listed.getHighWaterMark(), "v3 and v5 were not authentic here (untrusted keys)");
        assertEquals(List.of(1L, 4L, 6L), listed.getVersionsList().stream().map(v -> v.getVersion()).toList());
        var refused = versions.rollback(PolicyVersionRequest.newBuilder().setVersion(1).build())
                .await().atMost(Duration.ofSeconds(30));
        assertTrue(!refused.getAccepted() && refused.getReason().contains("no longer trusted"),
                "the cached v1 was signed with the removed key: " + refused.getReason());
        assertEquals(6, activeVersion());
        assertTrue(versions.rollback(PolicyVersionRequest.newBuilder().setVersion(4).build())
                .await().atMost(Duration.ofSeconds(30)).getAccepted());
        assertEquals(4, activeVersion());
        assertTrue(versions.pin(PolicyVersionRequest.newBuilder().setVersion(4).build())
                .await().atMost(Duration.ofSeconds(30)).getAccepted());
        publish(SECOND.parts(UpdateGraphs.POLICY, 7, "head", UpdateGraphs.head(UpdateGraphs.moved(0.001f)), 64 * 1024));
        await().atMost(Duration.ofSeconds(30)).until(() -> versions.list(PolicyVersionsRequest.getDefaultInstance())
                .await().atMost(Duration.ofSeconds(10)).getHighWaterMark() == 7);
        assertEquals(4, activeVersion(), "pinned: v7 is cached, not applied");
        assertTrue(metric("tendon_edge_policy_updates_rolled_back_total") >= 1);
        assertEquals(0, control.metrics().deadlineMisses.get(), "the simulated clock misses no tick");
    }

    /** Reads the transitions topic until a ROLLOUT of {@code version} appears (or 30 s pass). */
    private static boolean awaitRolloutOf(long version) {
        Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "updates-test-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(TRANSITIONS));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    Transition t = Transition.parseFrom(r.value());
                    if (t.getSource() == Source.ROLLOUT && t.getPolicyVersion() == version) {
                        return true;
                    }
                }
            }
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        return false;
    }
}
