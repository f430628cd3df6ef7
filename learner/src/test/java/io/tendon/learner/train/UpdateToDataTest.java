package io.tendon.learner.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.config.TestConfigs;
import io.tendon.learner.export.ExportVerifier;
import io.tendon.learner.nn.NetTesting;
import io.tendon.learner.publish.VersionStore;
import io.tendon.learner.replay.Batch;
import io.tendon.schemas.v1.Source;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status reports the achieved update-to-data ratio over the last 10 s: rows sampled per
 * row inserted, and critic updates per row inserted.
 */
class UpdateToDataTest {

    @TempDir
    Path dir;

    /** Synthetic batches; one row "arrives" for every batch drawn. */
    private static final class OneInsertPerBatch implements TrainingData {
        private final SyntheticData batches = new SyntheticData(5, Map.of());
        final AtomicLong inserted = new AtomicLong();
        final AtomicLong sampled = new AtomicLong();

        private boolean sample(Batch b) {
            batches.replay().sample(b);
            sampled.addAndGet(b.size);
            inserted.incrementAndGet();
            return true;
        }

        @Override
        public BatchSource replay() {
            return this::sample;
        }

        @Override
        public BatchSource demonstrations() {
            return this::sample;
        }

        @Override
        public long size(Source source) {
            return batches.size(source);
        }

        @Override
        public long rowsInserted() {
            return inserted.get();
        }

        @Override
        public long rowsSampled() {
            return sampled.get();
        }
    }

    @Test
    void theAchievedSamplesAndUpdatesPerInsertAreInTheStatus() throws Exception {
        Map<String, String> v = TrainerTest.small();
        v.put("tendon.train.stages", "OFFLINE_CRITIC");
        v.put("tendon.train.offline-critic-steps", "1000000");
        LearnerConfig config = TestConfigs.learner(v);
        TrainingRun run = new TrainingRun(config, NetTesting.cpu(), Optional.empty());
        OneInsertPerBatch data = new OneInsertPerBatch();
        Trainer trainer = new Trainer(run, data, TrainerTest.settings(config, Optional.empty()),
                new VersionStore(dir.resolve("v")), Optional.empty(), new ExportVerifier(1e-5, 1e-5, 1), Optional.empty());
        trainer.start();
        try {
            long until = System.nanoTime() + 20_000_000_000L;
            while (trainer.status().insertsPerSecond() == 0 && System.nanoTime() < until) {
                Thread.sleep(100);
            }
            Thread.sleep(1200);
            TrainingStatus status = trainer.status();
            assertTrue(status.insertsPerSecond() > 0, "inserts per second " + status.insertsPerSecond());
            assertEquals(16.0, status.samplesPerInsert(), 0.5, "batch 16, one insert per batch");
            assertEquals(1.0, status.updatesPerInsert(), 0.05, "one critic update per batch");
        } finally {
            trainer.stop();
            run.close();
        }
    }
}
