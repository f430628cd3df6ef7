/**
 * The edge's on-disk spool of transitions ({@link io.tendon.edge.spool.TransitionSpool}): an
 * append-only log in segments, a CRC per record, an fsync policy, a size cap whose overflow drops
 * ROLLOUT data first. Plain Java file I/O: no Kafka, no framework; the publisher thread (never the
 * control thread) is its only user, the fsync thread its only other caller. Imports nothing of the edge.
 */
package io.tendon.edge.spool;
