package io.tendon.learner.train;

import io.tendon.learner.replay.Batch;

/** Where the trainer's batches come from. Called from the trainer thread only. */
@FunctionalInterface
public interface BatchSource {

    /**
     * Fills {@code into} with up to {@code into.capacity} sampled rows and sets {@code into.size}.
     * Returns false, leaving {@code into} as it was, when nothing can be sampled yet (empty
     * tables, or a samples-per-insert rate limiter that says wait); the trainer then idles.
     */
    boolean sample(Batch into);
}
