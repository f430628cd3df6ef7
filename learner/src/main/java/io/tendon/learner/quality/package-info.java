/**
 * Episode quality (ALGORITHMS.md section 7): per-episode statistics gathered as transitions
 * arrive, and the scorer that turns them into a training weight. May import record and config
 * only; no Kafka, no CDI, no I/O.
 */
package io.tendon.learner.quality;
