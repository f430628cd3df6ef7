package io.tendon.learner.ingest;

import static io.tendon.learner.ingest.IngestHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tendon.learner.LearnerTestConfig;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.replay.Fixtures;
import io.tendon.learner.replay.ReplayAssertions;
import io.tendon.schemas.v1.EpisodeEvent;
import io.tendon.schemas.v1.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * A fleet: 8 robots, each its own producer, publishing concurrently into one 4-partition topic
 * (key = robot id) plus outcome events; one learner. Every robot's episodes arrive complete and
 * in order, and every episode is scored once.
 */
class FleetIngestTest {

    private static final int ROBOTS = 8;
    private static final int EPISODES = 5;
    private static final int STEPS = 20;

    @Test
    void eachRobotsEpisodesStayIntact() throws Exception {
        String topic = "fleet-" + UUID.randomUUID();
        String events = topic + ".events";
        IngestHarness.createTopics(4, topic, events, topic + ".dlq");
        // One thread here (the other tests use the default pipelined loop), so both paths run.
        LearnerConfig config = LearnerTestConfig.of("tendon.quality.failure-weight", "0.5", "tendon.ingest.pipelined",
                "false");
        try (IngestHarness learner = new IngestHarness(config, topic, events, "fleet-" + UUID.randomUUID(), null,
                false)) {
            ExecutorService robots = Executors.newFixedThreadPool(ROBOTS);
            List<Future<?>> done = new ArrayList<>();
            for (int r = 0; r < ROBOTS; r++) {
                int robot = r;
                done.add(robots.submit(() -> {
                    try (KafkaProducer<byte[], byte[]> producer = IngestHarness.producer()) {
                        for (int e = 0; e < EPISODES; e++) {
                            for (int s = 0; s < STEPS; s++) {
                                IngestHarness.send(producer, topic, "robot-" + robot, Fixtures.transition(robot, e, s,
                                        Source.ROLLOUT).setTerminated(s == STEPS - 1).setRewards(15, 1f).build()
                                        .toByteArray());
                            }
                            // Robots with an odd number report their odd episodes as failed.
                            EpisodeEvent.Kind kind = robot % 2 == 1 && e % 2 == 1 ? EpisodeEvent.Kind.FAILURE
                                    : EpisodeEvent.Kind.SUCCESS;
                            IngestHarness.send(producer, events, "robot-" + robot, EpisodeEvent.newBuilder()
                                    .setRobotId("robot-" + robot).setEpisodeId("ep-" + e).setKind(kind)
                                    .setTimeUnixNanos(System.currentTimeMillis() * 1_000_000L).build().toByteArray());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            robots.shutdown();
            await("every transition and event", 60, () -> learner.replay.totalSize() == ROBOTS * EPISODES * STEPS
                    && learner.registry.get("tendon.learner.episode.events").counter().count() == ROBOTS * EPISODES);

            Map<String, List<Long>> order = ReplayAssertions.stepsInInsertOrder(learner.replay, Source.ROLLOUT);
            assertEquals(ROBOTS * EPISODES, order.size());
            List<Long> expected = LongStream.range(0, STEPS).boxed().toList();
            for (Map.Entry<String, List<Long>> episode : order.entrySet()) {
                assertEquals(expected, episode.getValue(), episode.getKey() + ": complete and in order");
            }
            double scored = learner.registry.get("tendon.learner.quality.episodes").counters().stream()
                    .mapToDouble(c -> c.count()).sum();
            assertEquals(ROBOTS * EPISODES, scored, "each episode scored once when it ended");
            for (int r = 0; r < ROBOTS; r++) {
                for (int e = 0; e < EPISODES; e++) {
                    float expectedWeight = r % 2 == 1 && e % 2 == 1 ? 0.5f : 1f;
                    assertEquals(expectedWeight, learner.replay.episodeWeight("robot-" + r, "ep-" + e),
                            "robot " + r + " episode " + e);
                }
            }
        }
    }
}
