package io.tendon.learner.ingest;

import io.tendon.schemas.v1.Transition;

/**
 * Where validated transitions go. Called on the ingest thread only; offsets are committed
 * after it returns, so an implementation must have stored the transition by then, and must
 * ignore a transition it already holds (a batch is re-delivered after a failure).
 */
public interface TransitionSink {

    /** Stores {@code t}; returns false when it was already stored (same robot, episode and step). */
    boolean insert(Transition t, int partition, long offset);
}
