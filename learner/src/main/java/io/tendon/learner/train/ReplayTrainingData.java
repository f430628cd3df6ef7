package io.tendon.learner.train;

import io.tendon.learner.algo.Units;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.ingest.IngestService;
import io.tendon.learner.policy.StateLayout;
import io.tendon.learner.replay.Batch;
import io.tendon.learner.replay.ReplayBuffer;
import io.tendon.schemas.v1.Normalisation;
import io.tendon.schemas.v1.Source;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The replay buffer as the trainer's data: mixed batches through the samples-per-insert rate
 * limiter for critic, head and residual updates, demonstrations (DEMO and INTERVENTION rows,
 * also through the limiter) for BC warm-up, exact statistics for the training units, why no
 * batch could be had, and the ingest's committed offsets for training checkpoints.
 */
@ApplicationScoped
public class ReplayTrainingData implements TrainingData {

    @Inject
    ReplayBuffer replay;

    @Inject
    IngestService ingest;

    @Inject
    LearnerConfig config;

    // Each source is used by the trainer thread only: one generator each, seeded from
    // tendon.train.seed, so a learner restarted on the same data draws the same batches.
    private SplittableRandom mixedRng;
    private SplittableRandom demoRng;

    @PostConstruct
    void seed() {
        long seed = config.train().seed();
        mixedRng = new SplittableRandom(seed ^ 0x7e4d0L);
        demoRng = new SplittableRandom((seed ^ 0x7e4d0L) + 1);
    }

    @Override
    public BatchSource replay() {
        return into -> replay.sample(into, mixedRng);
    }

    /** DEMO and INTERVENTION rows, through the rate limiter (BC warm-up). */
    @Override
    public BatchSource demonstrations() {
        return into -> replay.sampleDemonstrations(into, demoRng, true);
    }

    @Override
    public String whyNoBatch(boolean mixed) {
        String why = replay.whyNoSample(mixed, config.train().batchSize());
        return why.isEmpty() ? "timed out: no batch within tendon.replay.rate-limit.sample-timeout-ms" : why;
    }

    /** Exact statistics over every sampleable row of the DEMO table, or of every table. */
    @Override
    public Units units(boolean fromDemos, StateLayout layout, int horizon, int actionDim, Normalisation manifest) {
        Units.Moments state = new Units.Moments(layout.stateDim());
        Units.Moments action = new Units.Moments(actionDim);
        Batch b = replay.newBatch(1024);
        for (Source source : fromDemos ? new Source[] {Source.DEMO} : ReplayBuffer.SOURCES) {
            replay.scan(source, b, batch -> Units.accumulate(batch, state, action));
        }
        return Units.from(state, action, manifest, layout, horizon);
    }

    @Override
    public long size(Source source) {
        return replay.size(source);
    }

    /** New priorities from a critic step's TD errors (no effect unless tendon.replay.priority.enabled). */
    @Override
    public void updatePriorities(Batch batch, float[] tdErrors) {
        replay.updatePriorities(batch, tdErrors);
    }

    @Override
    public long rowsInserted() {
        return replay.insertsTotal();
    }

    @Override
    public long rowsSampled() {
        return replay.trainingSamples();
    }

    @Override
    public long sampleable(Source source) {
        return replay.sampleable(source);
    }

    @Override
    public Map<String, Long> consumerOffsets() {
        return ingest.committedOffsets();
    }
}
