package io.tendon.learner.train;

import io.tendon.learner.algo.Units;
import io.tendon.learner.policy.StateLayout;
import io.tendon.learner.replay.Batch;
import io.tendon.schemas.v1.Normalisation;
import io.tendon.schemas.v1.Source;
import java.util.Map;

/**
 * The replay as the trainer sees it. The replay buffer implements this (a CDI bean); tests use
 * synthetic implementations.
 */
public interface TrainingData {

    /** Rows drawn from every source with the configured mixing: critic and residual updates. */
    BatchSource replay();

    /** Demonstration rows only (Source.DEMO): BC warm-up. */
    BatchSource demonstrations();

    /** Transitions held from {@code source}, for provenance. */
    long size(Source source);

    /** Transitions of {@code source} that can be sampled (quality weight above 0); all of them by default. */
    default long sampleable(Source source) {
        return size(source);
    }

    /**
     * Why a sample call just returned false ({@code mixed}: the mixed replay, else the
     * demonstrations), as "label: detail" for the trainer's status.
     */
    default String whyNoBatch(boolean mixed) {
        return "no batch: the data source has nothing to sample";
    }

    /**
     * The training units from this data: per-dimension statistics of the DEMO table
     * ({@code fromDemos}) or of every table, with the manifest's normalisation where it has one.
     * This default estimates them from up to 64 sampled batches.
     */
    default Units units(boolean fromDemos, StateLayout layout, int horizon, int actionDim, Normalisation manifest) {
        Units.Moments state = new Units.Moments(layout.stateDim());
        Units.Moments action = new Units.Moments(actionDim);
        Batch b = new Batch(256, layout.stateDim(), horizon, actionDim);
        BatchSource source = fromDemos ? demonstrations() : replay();
        for (int i = 0; i < 64 && source.sample(b); i++) {
            Units.accumulate(b, state, action);
        }
        return Units.from(state, action, manifest, layout, horizon);
    }

    /**
     * Prioritised replay: the rows of {@code batch} (as sampled) get the priorities of these TD
     * errors ({@code tdErrors[i]} for row i). Ignored by data without priorities.
     */
    default void updatePriorities(Batch batch, float[] tdErrors) {
    }

    /** Rows inserted into the replay since start, for the achieved samples per insert (0 if unknown). */
    default long rowsInserted() {
        return 0;
    }

    /** Rows sampled for training since start (0 if unknown). */
    default long rowsSampled() {
        return 0;
    }

    /** Next offset to consume per "topic-partition", checkpointed with the networks (empty if unknown). */
    default Map<String, Long> consumerOffsets() {
        return Map.of();
    }
}
