/**
 * The replay buffer: per-source FIFO tables in preallocated primitive arrays, mixed and
 * prioritised sampling into a reused {@link io.tendon.learner.replay.Batch}, the samples-per-insert
 * rate limiter, de-duplication and per-episode quality weights, and its checkpoint format.
 * No Kafka here; the ingest package feeds it.
 */
package io.tendon.learner.replay;
