/**
 * The replay buffer: per-source FIFO tables in preallocated primitive arrays, mixed and
 * prioritised sampling into a reused {@link io.tendon.learner.replay.Batch}, the samples-per-insert
 * rate limiter, de-duplication and per-episode quality weights, and its checkpoint format.
 * May import record, quality and config; no Kafka here: the ingest package feeds it, and the
 * train package reads it.
 */
package io.tendon.learner.replay;
