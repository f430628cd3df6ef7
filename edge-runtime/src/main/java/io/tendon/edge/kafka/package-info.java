/**
 * The edge's Kafka clients, together: the transition publisher (its own thread, a bounded
 * hand-off queue, idempotent producer) and the episode-event emitter. Never on the control
 * thread. Imports {@code config} only.
 */
package io.tendon.edge.kafka;
