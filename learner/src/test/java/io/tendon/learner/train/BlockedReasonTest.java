package io.tendon.learner.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tendon.learner.LearnerTestConfig;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.config.Stage;
import io.tendon.learner.export.ExportVerifier;
import io.tendon.learner.nn.NetTesting;
import io.tendon.learner.publish.VersionStore;
import io.tendon.learner.replay.Fixtures;
import io.tendon.learner.replay.ReplayBuffer;
import io.tendon.schemas.v1.Source;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the trainer cannot take a step it says why, in its status and per reason in a count,
 * instead of waiting silently: on the real replay buffer, too few demonstrations ("waiting for
 * data"), every row filtered by quality ("quality"), the samples-per-insert limiter ("rate
 * limiter"), and it trains again as soon as the cause goes away.
 */
class BlockedReasonTest {

    @TempDir
    Path dir;

    private final Map<String, String> values = new HashMap<>(TrainerTest.small());

    private LearnerConfig config(String... more) {
        values.put("tendon.train.stages", "BC_WARMUP,OFFLINE_CRITIC");
        values.put("tendon.train.bc-steps", "1000");
        values.put("tendon.bc.min-transitions", "10");
        for (int i = 0; i < more.length; i += 2) {
            values.put(more[i], more[i + 1]);
        }
        return LearnerTestConfig.of(values);
    }

    private static ReplayTrainingData data(LearnerConfig config, ReplayBuffer replay) {
        ReplayTrainingData data = new ReplayTrainingData();
        data.replay = replay;
        data.config = config;
        data.seed();
        return data;
    }

    private Trainer trainer(LearnerConfig config, TrainingData data) throws Exception {
        TrainingRun run = new TrainingRun(config, NetTesting.cpu(), Optional.empty());
        return new Trainer(run, data, TrainerTest.settings(config, Optional.empty()), new VersionStore(dir.resolve("v")),
                Optional.empty(), new ExportVerifier(1e-5, 1e-5, 1), Optional.empty());
    }

    private static void insert(LearnerConfig config, ReplayBuffer replay, int episode, int rows, Source source) {
        for (int step = 0; step < rows; step++) {
            replay.insert(Fixtures.decode(Fixtures.transition(1, episode, step, source).build(), config.layout()), false);
        }
    }

    private static void assertBlocked(Trainer trainer, String label) {
        assertFalse(trainer.step(), "no step can be taken");
        TrainingStatus status = trainer.status();
        assertTrue(status.waitingForData());
        assertEquals(label, Trainer.reasonKey(status.blockedReason()), status.blockedReason());
        assertTrue(status.blockedCounts().getOrDefault(label, 0L) >= 1, status.blockedCounts().toString());
    }

    @Test
    void bcWaitsForDataAndSaysSoThenTrains() throws Exception {
        LearnerConfig config = config();
        ReplayBuffer replay = new ReplayBuffer(config, new SimpleMeterRegistry());
        Trainer trainer = trainer(config, data(config, replay));
        assertBlocked(trainer, "waiting for data");
        assertTrue(trainer.status().blockedReason().contains("0 DEMO transitions held"), trainer.status().blockedReason());
        insert(config, replay, 1, 9, Source.DEMO);
        assertBlocked(trainer, "waiting for data");
        insert(config, replay, 2, 1, Source.DEMO);
        assertTrue(trainer.step(), trainer.status().blockedReason());
        assertFalse(trainer.status().waitingForData());
        assertEquals("", trainer.status().blockedReason());
        assertEquals(1L, trainer.status().steps().get("bc"));
    }

    @Test
    void rowsThatQualityFilteredOutAreNamedAsTheReason() throws Exception {
        // Episodes that have not ended carry the pending weight: 0 here, so nothing can be trained on.
        LearnerConfig config = config("tendon.quality.pending-weight", "0");
        ReplayBuffer replay = new ReplayBuffer(config, new SimpleMeterRegistry());
        insert(config, replay, 1, 20, Source.DEMO);
        assertEquals(0, replay.sampleable(Source.DEMO));
        Trainer trainer = trainer(config, data(config, replay));
        assertBlocked(trainer, "quality");
        assertTrue(trainer.status().blockedReason().contains("0 of 20 DEMO"), trainer.status().blockedReason());
        assertFalse(trainer.trainingRun().unitsFrozen(), "no statistics from rows that cannot be trained on");
    }

    @Test
    void qualityAlsoStopsSamplingOnceTheUnitsAreFrozen() throws Exception {
        LearnerConfig config = config("tendon.quality.pending-weight", "0");
        ReplayBuffer replay = new ReplayBuffer(config, new SimpleMeterRegistry());
        insert(config, replay, 1, 20, Source.DEMO);
        Trainer trainer = trainer(config, data(config, replay));
        trainer.trainingRun().freezeUnits(io.tendon.learner.algo.Units.identity(64, 16, 13));
        assertBlocked(trainer, "quality");
        assertTrue(trainer.status().blockedReason().contains("quality weight is 0"), trainer.status().blockedReason());
    }

    @Test
    void theLimiterBoundsBcAndTheStatusSaysSo() throws Exception {
        // 1 sampled row per inserted row, error buffer 20 (minDiff -10, maxDiff 30): 30 demonstrations
        // allow two batches of 16 (credit 30, 14, -2), then the trainer waits for more data.
        LearnerConfig config = config("tendon.replay.rate-limit.enabled", "true",
                "tendon.replay.rate-limit.samples-per-insert", "1", "tendon.replay.rate-limit.min-size-to-sample", "10",
                "tendon.replay.rate-limit.error-buffer", "20");
        ReplayBuffer replay = new ReplayBuffer(config, new SimpleMeterRegistry());
        insert(config, replay, 1, 30, Source.DEMO);
        Trainer trainer = trainer(config, data(config, replay));
        assertTrue(trainer.step());
        assertTrue(trainer.step());
        assertBlocked(trainer, "rate limiter");
        assertEquals(2L, trainer.status().steps().get("bc"));
        assertEquals(Stage.BC_WARMUP, trainer.status().stage());
        insert(config, replay, 2, 16, Source.DEMO);
        assertTrue(trainer.step(), "16 more rows buy one more batch of 16");
        assertBlocked(trainer, "rate limiter");
    }
}
