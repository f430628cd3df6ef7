package io.tendon.schemas.update;

import java.util.Locale;

/**
 * Why a policy update was not applied, one reason per check, in the order a receiver makes them.
 * The first group is decided by the reassembler and verifier ({@link UpdateAssembler}); the rest
 * by the robot that would run the graph. {@link #label()} is the metric label value.
 */
public enum UpdateRefusal {
    /** The record is not a PolicyUpdate, or its header is unusable (no policy id, graph, or a part index out of range). */
    MALFORMED,
    /** part_count is above the receiver's limit. */
    TOO_MANY_PARTS,
    /** total_size_bytes is above the receiver's limit. */
    TOO_LARGE,
    /** Holding this update's parts would exceed the bytes the receiver holds for incomplete updates. */
    MEMORY_LIMIT,
    /** A part disagrees with the update's other parts on its header (count, size, hash, signature, key). */
    HEADER_MISMATCH,
    /** A part arrived twice with different bytes. */
    CONFLICTING_PART,
    /** Not every part arrived within the receiver's timeout. */
    INCOMPLETE,
    /** The parts hold another number of bytes than total_size_bytes. */
    SIZE_MISMATCH,
    /** The SHA-256 of the reassembled graph is not the update's. */
    HASH_MISMATCH,
    /** The update carries no signature. */
    NO_SIGNATURE,
    /** The key id is not among the trusted keys. */
    UNKNOWN_KEY,
    /** The signature does not verify with the named key over the update's signing string. */
    BAD_SIGNATURE,

    /** The version is not above the newest one this receiver ever accepted (a replay). */
    STALE_VERSION,
    /** The graph is not one the loaded bundle has or takes by update. */
    UNKNOWN_GRAPH,
    /** The graph's inputs or outputs do not match what the manifest declares for its role. */
    GRAPH_MISMATCH,
    /** ONNX Runtime could not load or run the graph. */
    LOAD_FAILED,
    /** The graph produced a NaN or an infinity on recent observations. */
    NON_FINITE,
    /** The graph's actions left the bundle's action bounds on recent observations. */
    OUT_OF_BOUNDS,
    /** The graph's actions deviate from the running policy's by more than the configured limits. */
    SHADOW_DEVIATION,
    /** This version was rolled back on this robot earlier and is marked bad. */
    MARKED_BAD;

    /** The metric label value: the name in lower case. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
