package io.tendon.learner.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tendon.learner.replay.ReplayBuffer;
import io.tendon.testing.KafkaBroker;
import io.tendon.testing.SaslKafkaBrokerResource;
import io.tendon.testing.Transitions;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The learner against a broker that requires authentication (SASL/SCRAM-SHA-512, the Kafka test kit's
 * SASL listener with its authorizer), configured only through {@code kafka.security.protocol},
 * {@code kafka.sasl.mechanism} and {@code kafka.sasl.jaas.config}: what an authenticated edge sends
 * reaches the replay; an unauthenticated producer gets nothing from the broker and one with a wrong
 * password is refused.
 */
@QuarkusTest
@QuarkusTestResource(value = SaslKafkaBrokerResource.class, restrictToAnnotatedClass = true)
class KafkaAuthenticationTest {

    @Inject
    ReplayBuffer replay;

    // Read in the test, not injected: every test class is a bean of the one test application, and
    // an injected property that only this class's resource sets would fail the other classes' start.
    private static String protocol() {
        return org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("kafka.security.protocol", String.class);
    }

    private static Throwable send(Map<String, Object> security, byte[] key, byte[] value) {
        Map<String, Object> p = new HashMap<>(security);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SaslKafkaBrokerResource.broker().bootstrapServers());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("tendon.transitions", key, value)).get(10, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }

    @Test
    void authenticatedTransitionsReachTheReplayAndOthersAreRefused() {
        assertEquals("SASL_PLAINTEXT", protocol());
        assertEquals("SCRAM-SHA-512", org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("kafka.sasl.mechanism", String.class));
        String robot = "robot-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] key = robot.getBytes(StandardCharsets.UTF_8);
        Map<String, Object> user = KafkaBroker.saslScram(KafkaBroker.SCRAM_USER, KafkaBroker.SCRAM_PASSWORD);
        assertEquals(null, send(user, key, Transitions.valid(robot, "ep-auth", 0).build().toByteArray()));
        await().atMost(Duration.ofSeconds(60)).until(() -> replay.contains(robot, "ep-auth", 0));

        Throwable anonymous = send(Map.of(), key, Transitions.valid(robot, "ep-auth", 1).build().toByteArray());
        assertTrue(anonymous instanceof org.apache.kafka.common.errors.TimeoutException, String.valueOf(anonymous));
        Throwable wrong = send(KafkaBroker.saslScram(KafkaBroker.SCRAM_USER, "not-the-password"), key,
                Transitions.valid(robot, "ep-auth", 2).build().toByteArray());
        assertTrue(wrong instanceof AuthenticationException, String.valueOf(wrong));
        assertTrue(!replay.contains(robot, "ep-auth", 1) && !replay.contains(robot, "ep-auth", 2));
    }
}
