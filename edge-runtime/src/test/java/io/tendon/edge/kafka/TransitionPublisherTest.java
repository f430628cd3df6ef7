package io.tendon.edge.kafka;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tendon.schemas.v1.Ack;
import io.tendon.schemas.v1.EpisodeEvent;
import io.tendon.schemas.v1.Episodes;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;
import io.tendon.testing.KafkaBroker;
import io.tendon.testing.KafkaBrokerResource;
import io.tendon.testing.Protoc;
import io.tendon.testing.Transitions;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/** The edge's Kafka output against the real broker, decoded by protoc. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class TransitionPublisherTest {

    @Inject
    TransitionPublisher publisher;

    @GrpcClient("edge")
    Episodes episodes;

    @Test
    void publishedTransitionIsOnTheTopicKeyedByRobotAndDecodesWithProtoc() {
        String episode = "ep-" + UUID.randomUUID();
        Transition t = Transitions.valid("robot-0", episode, 7).setSource(Source.INTERVENTION).build();
        assertTrue(publisher.offer(t));

        ConsumerRecord<byte[], byte[]> record = readOne("tendon.transitions", episode);
        assertEquals("robot-0", new String(record.key(), StandardCharsets.UTF_8));

        String text = Protoc.decode("tendon.v1.Transition", "tendon/v1/transition.proto", record.value());
        assertTrue(text.contains("episode_id: \"" + episode + "\""), text);
        assertTrue(text.contains("step: 7"), text);
        assertTrue(text.contains("source: INTERVENTION"), text);
        assertTrue(text.contains("layout_version: 1"), text);
        assertTrue(text.contains("publish_time_unix_nanos: "), "the publisher stamps the hand-off time");
        assertEquals(Transitions.HORIZON * Transitions.ACTION_DIM,
                text.split("executed_chunk \\{")[1].split("}")[0].split("values:").length - 1);

        String metrics = given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("tendon_edge_transitions_delivered_total"), metrics);
    }

    @Test
    void episodeMarkIsForwardedToKafka() {
        String episode = "ep-" + UUID.randomUUID();
        Ack ack = episodes.mark(EpisodeEvent.newBuilder().setEpisodeId(episode)
                .setKind(EpisodeEvent.Kind.SUCCESS).setReason("peg seated").build())
                .await().atMost(Duration.ofSeconds(30));
        assertTrue(ack.getAccepted(), ack.getReason());

        ConsumerRecord<byte[], byte[]> record = readOne("tendon.episode-events", episode);
        String text = Protoc.decode("tendon.v1.EpisodeEvent", "tendon/v1/events.proto", record.value());
        assertTrue(text.contains("kind: SUCCESS"), text);
        assertTrue(text.contains("robot_id: \"robot-0\""), text);
    }

    @Test
    void episodeMarkWithoutKindIsRefusedWithAReason() {
        Ack ack = episodes.mark(EpisodeEvent.newBuilder().setEpisodeId("ep-x").build())
                .await().atMost(Duration.ofSeconds(10));
        assertEquals(false, ack.getAccepted());
        assertEquals("kind is missing", ack.getReason());
    }

    /** Reads the topic from the start until a record whose bytes contain {@code marker}. */
    private static ConsumerRecord<byte[], byte[]> readOne(String topic, String marker) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (new String(r.value(), StandardCharsets.ISO_8859_1).contains(marker)) {
                        return r;
                    }
                }
            }
        }
        throw new AssertionError("no record with " + marker + " on " + topic);
    }
}
