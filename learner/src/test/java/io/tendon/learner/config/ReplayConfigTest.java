package io.tendon.learner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tendon.learner.LearnerTestConfig;
import io.tendon.learner.replay.ReplayBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every replay, quality and ingest key added for issue 5 refuses out-of-bounds values by name. */
class ReplayConfigTest {

    @ParameterizedTest
    @CsvSource({
        "tendon.replay.capacity.demo, 0",
        "tendon.replay.capacity.demo, 100000001",
        "tendon.replay.capacity.intervention, 0",
        "tendon.replay.capacity.rollout, -5",
        "tendon.replay.mix.demo, -0.1",
        "tendon.replay.mix.intervention, 1.5",
        "tendon.replay.mix.rollout, 2",
        "tendon.replay.priority.alpha, 1.1",
        "tendon.replay.priority.beta, -1",
        "tendon.replay.priority.epsilon, 0",
        "tendon.replay.rate-limit.samples-per-insert, 0",
        "tendon.replay.rate-limit.samples-per-insert, 1e7",
        "tendon.replay.rate-limit.min-size-to-sample, 0",
        "tendon.replay.rate-limit.error-buffer, 0.5",
        "tendon.replay.rate-limit.sample-timeout-ms, -1",
        "tendon.replay.checkpoint.interval-seconds, 0",
        "tendon.replay.checkpoint.keep, 0",
        "tendon.replay.checkpoint.keep, 101",
        "tendon.quality.pending-weight, 1.5",
        "tendon.quality.failure-weight, -0.5",
        "tendon.quality.violation-weight, 2",
        "tendon.quality.min-weight, -1",
        "tendon.quality.max-duration-s, 0",
        "tendon.quality.max-jerk-m-per-s3, 0",
        "tendon.quality.max-peak-force-n, -3",
        "tendon.quality.max-intervention-share, 1.01",
        "tendon.quality.success-reward, 1e7",
        "tendon.quality.action-period-ms, 0",
        "tendon.quality.max-orphan-events, 0",
        "tendon.ingest.max-partition-fetch-bytes, 1024",
        "tendon.ingest.receive-buffer-bytes, 100000000",
        "tendon.ingest.max-episode-steps, 0",
        "tendon.ingest.commit-interval-ms, -1",
        "tendon.ingest.commit-interval-ms, 60001",
        "tendon.ingest.latency-samples-per-second, -1",
        "tendon.ingest.latency-samples-per-second, 1000001",
    })
    void anOutOfBoundsValueIsRefusedNamingItsKey(String key, String value) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> LearnerTestConfig.build(Map.of(key, value)));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
        "tendon.replay.rebuild-from, SOMETIMES",
        "tendon.replay.capacity.rollout, lots",
    })
    void aMalformedValueIsRefusedNamingItsKey(String key, String value) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> LearnerTestConfig.build(Map.of(key, value)));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    @Test
    void theDefaultsAreValidAndRlpdStyle() {
        LearnerConfig c = LearnerTestConfig.build(Map.of());
        assertEquals(0.25, c.replay().mix().demo());
        assertEquals(0.25, c.replay().mix().intervention());
        assertEquals(0.5, c.replay().mix().rollout());
        assertEquals(RebuildFrom.RETENTION_START, c.replay().rebuildFrom());
        assertTrue(c.demo().files().isEmpty());
    }

    @Test
    void aTableTooLargeForOneArrayIsRefusedNamingItsKey() {
        LearnerConfig c = LearnerTestConfig.of("tendon.replay.capacity.rollout", "20000000");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ReplayBuffer(c, new SimpleMeterRegistry()));
        assertTrue(e.getMessage().contains("tendon.replay.capacity.rollout"), e.getMessage());
    }
}
