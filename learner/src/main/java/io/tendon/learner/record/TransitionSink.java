package io.tendon.learner.record;


/**
 * Where validated transitions go. Offsets are committed after {@link #insert} returns, so an
 * implementation must have stored the transition by then, and must ignore a transition it
 * already holds (a batch is re-delivered after a failure, a robot may re-send).
 */
public interface TransitionSink {

    /**
     * Stores {@code t}; returns false when it was already stored (same robot, episode and step).
     *
     * @param bulk true while rebuilding from the log or loading a file (not live data)
     */
    boolean insert(DecodedTransition t, boolean bulk);

    /** An episode's outcome event (SUCCESS, FAILURE, TIMEOUT or ABORT). */
    default void episodeEvent(String robotId, String episodeId, Outcome outcome) {
    }

    /** True when live ingest may insert another transition now (samples-per-insert rate limiter). */
    default boolean insertAllowed() {
        return true;
    }

    /**
     * How many live transitions may be inserted one after another from now, as far as this
     * sink can tell without knowing what happens meanwhile (it may only grow): 0 when
     * {@link #insertAllowed()} is false.
     */
    default long insertHeadroom() {
        return insertAllowed() ? 1 : 0;
    }

    /** Waits up to {@code timeoutNanos} until {@link #insertAllowed()}; returns whether it is. */
    default boolean awaitInsertAllowed(long timeoutNanos) {
        return true;
    }

    /** Live ingest was held back by the rate limiter for {@code nanos} (for metrics). */
    default void insertWaited(long nanos) {
    }
}
