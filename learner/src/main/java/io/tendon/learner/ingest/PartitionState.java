package io.tendon.learner.ingest;

/**
 * What ingest knows about one assigned partition. The consumer thread creates it at assignment
 * and alone sets {@code paused}; the processor thread advances {@code position} while it
 * processes the partition's records, which the consumer thread reads only once that batch is
 * settled (at most one batch is in flight).
 */
final class PartitionState {

    /** A transitions partition; false: episode events. */
    final boolean transitions;
    /** The partition's end offset at assignment: records before it are catch-up (bulk) inserts. */
    long catchUpEnd;
    /** The next offset to process. */
    long position = -1;
    /** Paused by the rate limiter ({@link IngestThrottle}). */
    boolean paused;

    PartitionState(boolean transitions) {
        this.transitions = transitions;
    }
}
