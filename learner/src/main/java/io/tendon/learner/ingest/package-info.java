/**
 * Ingest from Kafka: the consumer thread, the wire decoder and validator of transitions, dead
 * letters, start positions, rate-limiter pauses and replay checkpoints (contents + offsets).
 */
package io.tendon.learner.ingest;
