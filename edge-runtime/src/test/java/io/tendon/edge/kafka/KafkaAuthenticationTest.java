package io.tendon.edge.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tendon.schemas.v1.Transition;
import io.tendon.testing.KafkaBroker;
import io.tendon.testing.SaslKafkaBrokerResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The edge against a broker that requires authentication (SASL/SCRAM-SHA-512 over the test kit's
 * SASL_PLAINTEXT listener), configured only through {@code kafka.security.protocol},
 * {@code kafka.sasl.mechanism} and {@code kafka.sasl.jaas.config}: its transitions reach the topic.
 * A producer without credentials gets nothing from the broker (no metadata, its send times out) and
 * one with a wrong password is refused with an authentication error.
 */
@QuarkusTest
@QuarkusTestResource(value = SaslKafkaBrokerResource.class, restrictToAnnotatedClass = true)
class KafkaAuthenticationTest {

    @Inject
    TransitionPublisher publisher;

    // Read in the test, not injected: every test class is a bean of the one test application, and
    // an injected property that only this class's resource sets would fail the other classes' start.
    private static String protocol() {
        return org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("kafka.security.protocol", String.class);
    }

    private static Map<String, Object> producerConfig(Map<String, Object> security) {
        Map<String, Object> p = new HashMap<>(security);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SaslKafkaBrokerResource.broker().bootstrapServers());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        return p;
    }

    private static Throwable send(Map<String, Object> security) {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerConfig(security), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            p.send(new ProducerRecord<>("tendon.transitions", new byte[] {1})).get(10, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }

    @Test
    void authenticatedEdgePublishesAndOthersAreRefused() throws Exception {
        assertEquals("SASL_PLAINTEXT", protocol());
        assertEquals("SCRAM-SHA-512", org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("kafka.sasl.mechanism", String.class));
        KafkaBroker broker = SaslKafkaBrokerResource.broker();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (publisher.delivered() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(publisher.delivered() >= 3, "the edge delivered over SASL: " + publisher.delivered());
        assertEquals(0, publisher.producerFailures(), "its producer never failed authentication");

        // What it delivered is on the topic, read by an authenticated consumer.
        Map<String, Object> c = new HashMap<>(KafkaBroker.saslScram(KafkaBroker.SCRAM_USER, KafkaBroker.SCRAM_PASSWORD));
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "auth-reader-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        int read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("tendon.transitions"));
            long until = System.currentTimeMillis() + 20_000;
            while (read < 3 && System.currentTimeMillis() < until) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    Transition.parseFrom(r.value());
                    read++;
                }
            }
        }
        assertTrue(read >= 3, "read " + read);

        // No credentials: the SASL listener answers nothing, the send times out.
        Throwable anonymous = send(Map.of());
        assertTrue(anonymous instanceof org.apache.kafka.common.errors.TimeoutException, String.valueOf(anonymous));
        // A wrong password: refused as such.
        Throwable wrong = send(KafkaBroker.saslScram(KafkaBroker.SCRAM_USER, "not-the-password"));
        assertTrue(wrong instanceof AuthenticationException, String.valueOf(wrong));
        // The right one works.
        assertEquals(null, send(KafkaBroker.saslScram(KafkaBroker.SCRAM_USER, KafkaBroker.SCRAM_PASSWORD)));
    }
}
