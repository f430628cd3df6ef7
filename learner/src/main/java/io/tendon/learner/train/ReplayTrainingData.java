package io.tendon.learner.train;

import io.tendon.learner.ingest.IngestService;
import io.tendon.learner.replay.ReplayBuffer;
import io.tendon.schemas.v1.Source;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The replay buffer as the trainer's data: mixed batches through the samples-per-insert rate
 * limiter for critic and residual updates, demonstrations (DEMO and INTERVENTION rows, no
 * limiter) for BC warm-up, and the ingest's committed offsets for training checkpoints.
 */
@ApplicationScoped
public class ReplayTrainingData implements TrainingData {

    /** Fixed, so a learner restarted on the same data draws the same batches. */
    private static final long SEED = 0x7e4d0L;

    @Inject
    ReplayBuffer replay;

    @Inject
    IngestService ingest;

    // Each source is used by the trainer thread only: one generator each.
    private final SplittableRandom mixedRng = new SplittableRandom(SEED);
    private final SplittableRandom demoRng = new SplittableRandom(SEED + 1);

    @Override
    public BatchSource replay() {
        return into -> replay.sample(into, mixedRng);
    }

    @Override
    public BatchSource demonstrations() {
        return into -> replay.sampleDemonstrations(into, demoRng);
    }

    @Override
    public long size(Source source) {
        return replay.size(source);
    }

    @Override
    public Map<String, Long> consumerOffsets() {
        return ingest.committedOffsets();
    }
}
