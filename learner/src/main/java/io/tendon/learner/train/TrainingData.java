package io.tendon.learner.train;

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

    /** Next offset to consume per "topic-partition", checkpointed with the networks (empty if unknown). */
    default Map<String, Long> consumerOffsets() {
        return Map.of();
    }
}
