package io.tendon.learner.record;

/** Why a record on the transitions topic was refused. Written to the dead-letter header. */
public enum DeadLetterReason {
    /** The bytes are not a protobuf Transition. */
    UNPARSEABLE,
    /** layout_version differs from the learner's. */
    LAYOUT_VERSION,
    /** An array's length does not match the layout. */
    DIMENSION,
    /** A NaN or infinity in any number. */
    NON_FINITE,
    /** A required field is absent. */
    MISSING_FIELD,
    /** An id is malformed (robot id, episode id, record key). */
    BAD_ID,
    /** A timestamp is absent, before 2000 or too far in the future. */
    BAD_TIMESTAMP
}
