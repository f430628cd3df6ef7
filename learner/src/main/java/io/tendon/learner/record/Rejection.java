package io.tendon.learner.record;

/** A refused record: the reason (for counting) and a detail for people. */
public record Rejection(DeadLetterReason reason, String detail) {
}
