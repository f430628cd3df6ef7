/**
 * Ingest from Kafka: the consumer thread, batch processing, dead letters, rate-limiter pauses,
 * start positions and replay checkpoints (contents + offsets), wired at start-up.
 * May import record, replay, demo, kafka, checkpoint and config; never train or grpc.
 */
package io.tendon.learner.ingest;
