package io.tendon.edge.spool;

/**
 * One transition in the spool: its spool sequence (strictly increasing over the spool's life, also
 * across restarts), its {@code Source} number (transition.proto) and its encoded bytes.
 */
public record SpoolRecord(long sequence, int source, byte[] payload) {
}
