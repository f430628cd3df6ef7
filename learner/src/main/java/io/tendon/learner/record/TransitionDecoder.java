package io.tendon.learner.record;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes Transition wire bytes (schemas/.../transition.proto) into a {@link DecodedTransition}
 * without building protobuf objects: on the ingest path that parse is most of the cost, and
 * the replay wants flat floats anyway. It follows protobuf's parsing rules, so it accepts what
 * {@code Transition.parseFrom} accepts and refuses what it refuses: fields in any order, the
 * last value of a scalar wins, a repeated embedded message field appearing twice is merged,
 * repeated scalars packed or not, unknown fields (and known numbers with another wire type)
 * skipped, strings that are not UTF-8 refused. The equivalence is tested against protobuf-java.
 */
public final class TransitionDecoder {

    private static final int VARINT = 0;
    private static final int I64 = 1;
    private static final int LEN = 2;
    private static final int SGROUP = 3;
    private static final int EGROUP = 4;
    private static final int I32 = 5;
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    /** protobuf-java's default recursion limit. */
    private static final int MAX_DEPTH = 100;

    private byte[] buf;
    /**
     * A little-endian view of {@link #viewArray} for bulk float copies. Kept between calls: the
     * values of one fetch share one array, so this is made once per fetch, not per record.
     */
    private ByteBuffer view;
    private byte[] viewArray;
    /** For values that are not backed by an accessible array (direct or read-only buffers). */
    private byte[] copy = new byte[0];
    private int pos;

    /** Thrown for bytes that are not a Transition; the message says where. No stack trace: it is data, not a bug. */
    public static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Decodes {@code bytes} into {@code out} (cleared first).
     *
     * @throws MalformedException when the bytes are not a well-formed Transition
     */
    public void decode(byte[] bytes, DecodedTransition out) throws MalformedException {
        decode(bytes, 0, bytes.length, out);
    }

    /**
     * Decodes the remaining bytes of {@code value} into {@code out} (cleared first) without
     * moving its position; a null value decodes as an empty message. A heap buffer (what the
     * Kafka consumer hands out) is read in place.
     */
    public void decode(ByteBuffer value, DecodedTransition out) throws MalformedException {
        if (value == null) {
            decode(copy, 0, 0, out);
        } else if (value.hasArray()) {
            decode(value.array(), value.arrayOffset() + value.position(), value.remaining(), out);
        } else {
            int n = value.remaining();
            if (copy.length < n) {
                copy = new byte[Math.max(n, 2 * copy.length)];
            }
            value.get(value.position(), copy, 0, n);
            decode(copy, 0, n, out);
        }
    }

    /** Decodes {@code bytes[offset, offset + length)} into {@code out} (cleared first). */
    public void decode(byte[] bytes, int offset, int length, DecodedTransition out) throws MalformedException {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IllegalArgumentException("range outside the array");
        }
        out.clear();
        buf = bytes;
        if (bytes != viewArray) {
            viewArray = bytes;
            view = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }
        pos = offset;
        try {
            transition(offset + length, out);
        } finally {
            buf = null;
        }
    }

    private void transition(int limit, DecodedTransition t) throws MalformedException {
        while (pos < limit) {
            int tag = readTag(limit);
            switch (tag) {
                case (1 << 3) | VARINT -> t.layoutVersion = (int) readVarint(limit);
                case (2 << 3) | LEN -> t.robotIdLength = readId(limit, t.robotId, t);
                case (3 << 3) | LEN -> t.episodeIdLength = readId(limit, t.episodeId, t);
                case (4 << 3) | VARINT -> t.step = readVarint(limit);
                case (5 << 3) | VARINT -> t.source = (int) readVarint(limit);
                case (6 << 3) | VARINT -> t.policyVersion = readVarint(limit);
                case (7 << 3) | LEN -> {
                    t.hasObservation = true;
                    observation(readLengthLimit(limit), t, false);
                }
                case (8 << 3) | LEN -> {
                    t.hasExecutedChunk = true;
                    chunk(readLengthLimit(limit), t, 0);
                }
                case (9 << 3) | LEN -> {
                    t.hasPolicyChunk = true;
                    chunk(readLengthLimit(limit), t, 1);
                }
                case (10 << 3) | LEN -> t.rewardsCount = packedFloats(readLengthLimit(limit), t.rewards, 0, t.rewards.length,
                        t.rewardsCount);
                case (10 << 3) | I32 -> t.rewardsCount = oneFloat(limit, t.rewards, 0, t.rewards.length, t.rewardsCount);
                case (11 << 3) | LEN -> t.validMaskCount = packedBools(readLengthLimit(limit), t.validMask, t.horizon,
                        t.validMaskCount);
                case (11 << 3) | VARINT -> t.validMaskCount = oneBool(limit, t.validMask, t.horizon, t.validMaskCount);
                case (12 << 3) | LEN -> t.interventionMaskCount = packedBools(readLengthLimit(limit), t.interventionMask,
                        t.horizon, t.interventionMaskCount);
                case (12 << 3) | VARINT -> t.interventionMaskCount = oneBool(limit, t.interventionMask, t.horizon,
                        t.interventionMaskCount);
                case (13 << 3) | LEN -> {
                    t.hasNextObservation = true;
                    observation(readLengthLimit(limit), t, true);
                }
                case (14 << 3) | VARINT -> t.terminated = readVarint(limit) != 0;
                case (15 << 3) | VARINT -> t.truncated = readVarint(limit) != 0;
                case (17 << 3) | VARINT -> t.startTimeUnixNanos = readVarint(limit);
                case (18 << 3) | VARINT -> t.publishTimeUnixNanos = readVarint(limit);
                case (20 << 3) | VARINT -> t.stride = (int) Math.min(Integer.MAX_VALUE, readVarint(limit));
                case (19 << 3) | LEN -> {
                    t.startBaseSample();
                    baseSample(readLengthLimit(limit), t, t.baseSamplesCount - 1);
                }
                default -> skipField(tag, limit, 0);
            }
        }
    }

    private void observation(int limit, DecodedTransition t, boolean next) throws MalformedException {
        float[] s = next ? t.nextState : t.state;
        int proprioAt = t.latentDim;
        int wrenchAt = t.latentDim + t.proprioDim;
        while (pos < limit) {
            int tag = readTag(limit);
            switch (tag) {
                case (1 << 3) | LEN -> {
                    int n = packedFloats(readLengthLimit(limit), s, 0, t.latentDim, next ? t.nextLatentCount : t.latentCount);
                    if (next) {
                        t.nextLatentCount = n;
                    } else {
                        t.latentCount = n;
                    }
                }
                case (1 << 3) | I32 -> {
                    int n = oneFloat(limit, s, 0, t.latentDim, next ? t.nextLatentCount : t.latentCount);
                    if (next) {
                        t.nextLatentCount = n;
                    } else {
                        t.latentCount = n;
                    }
                }
                case (2 << 3) | LEN -> {
                    int n = packedFloats(readLengthLimit(limit), s, proprioAt, t.proprioDim,
                            next ? t.nextProprioCount : t.proprioCount);
                    if (next) {
                        t.nextProprioCount = n;
                    } else {
                        t.proprioCount = n;
                    }
                }
                case (2 << 3) | I32 -> {
                    int n = oneFloat(limit, s, proprioAt, t.proprioDim, next ? t.nextProprioCount : t.proprioCount);
                    if (next) {
                        t.nextProprioCount = n;
                    } else {
                        t.proprioCount = n;
                    }
                }
                case (3 << 3) | LEN -> {
                    int n = packedFloats(readLengthLimit(limit), s, wrenchAt, t.wrenchDim,
                            next ? t.nextWrenchCount : t.wrenchCount);
                    if (next) {
                        t.nextWrenchCount = n;
                    } else {
                        t.wrenchCount = n;
                    }
                }
                case (3 << 3) | I32 -> {
                    int n = oneFloat(limit, s, wrenchAt, t.wrenchDim, next ? t.nextWrenchCount : t.wrenchCount);
                    if (next) {
                        t.nextWrenchCount = n;
                    } else {
                        t.wrenchCount = n;
                    }
                }
                default -> skipField(tag, limit, 1);
            }
        }
    }

    /** which: 0 executed chunk, 1 policy chunk. */
    private void chunk(int limit, DecodedTransition t, int which) throws MalformedException {
        float[] values = which == 0 ? t.action : t.policyAction;
        while (pos < limit) {
            int tag = readTag(limit);
            switch (tag) {
                case (1 << 3) | VARINT -> {
                    int h = (int) readVarint(limit);
                    if (which == 0) {
                        t.actionHorizon = h;
                    } else {
                        t.policyHorizon = h;
                    }
                }
                case (2 << 3) | VARINT -> {
                    int a = (int) readVarint(limit);
                    if (which == 0) {
                        t.actionActionDim = a;
                    } else {
                        t.policyActionDim = a;
                    }
                }
                case (3 << 3) | LEN -> {
                    int n = packedFloats(readLengthLimit(limit), values, 0, values.length,
                            which == 0 ? t.actionCount : t.policyCount);
                    if (which == 0) {
                        t.actionCount = n;
                    } else {
                        t.policyCount = n;
                    }
                }
                case (3 << 3) | I32 -> {
                    int n = oneFloat(limit, values, 0, values.length, which == 0 ? t.actionCount : t.policyCount);
                    if (which == 0) {
                        t.actionCount = n;
                    } else {
                        t.policyCount = n;
                    }
                }
                default -> skipField(tag, limit, 1);
            }
        }
    }

    private void baseSample(int limit, DecodedTransition t, int i) throws MalformedException {
        while (pos < limit) {
            int tag = readTag(limit);
            switch (tag) {
                case (1 << 3) | VARINT -> t.baseHorizon[i] = (int) readVarint(limit);
                case (2 << 3) | VARINT -> t.baseActionDim[i] = (int) readVarint(limit);
                case (3 << 3) | LEN -> {
                    int end = readLengthLimit(limit);
                    if (((end - pos) & 3) != 0) {
                        throw new MalformedException("packed float field length " + (end - pos) + " is not a multiple of 4");
                    }
                    while (pos < end) {
                        checkBaseValue(t, i, Float.intBitsToFloat(readFixed32()));
                    }
                }
                case (3 << 3) | I32 -> {
                    require(4, limit);
                    checkBaseValue(t, i, Float.intBitsToFloat(readFixed32()));
                }
                default -> skipField(tag, limit, 1);
            }
        }
    }

    private static void checkBaseValue(DecodedTransition t, int i, float v) {
        int n = t.baseValueCount[i];
        if (!Float.isFinite(v) && t.baseFirstNonFinite[i] < 0) {
            t.baseFirstNonFinite[i] = n;
        }
        if (i < t.baseChunksStored && n < t.chunkSize) {
            t.baseValues[i * t.chunkSize + n] = v;
        }
        t.baseValueCount[i] = n + 1;
    }

    /** Reads a packed float run ending at {@code end} into dst[at + count ...] up to dim values; returns the new count. */
    private int packedFloats(int end, float[] dst, int at, int dim, int count) throws MalformedException {
        int bytes = end - pos;
        if ((bytes & 3) != 0) {
            throw new MalformedException("packed float field length " + bytes + " is not a multiple of 4");
        }
        int n = bytes >>> 2;
        int store = Math.max(0, Math.min(n, dim - count));
        if (store > 0) {
            // A bulk copy (memcpy on little-endian hosts): measured faster than a load per float.
            view.position(pos);
            view.asFloatBuffer().get(dst, at + count, store);
        }
        pos = end;
        return count + n;
    }

    private int oneFloat(int limit, float[] dst, int at, int dim, int count) throws MalformedException {
        require(4, limit);
        float v = Float.intBitsToFloat(readFixed32());
        if (count < dim) {
            dst[at + count] = v;
        }
        return count + 1;
    }

    private int packedBools(int end, long[] bits, int dim, int count) throws MalformedException {
        byte[] b = buf;
        int p = pos;
        while (p < end) {
            byte x = b[p];
            if (x < 0) {
                // A multi-byte varint (legal for a bool, never written by protobuf): the slow path.
                pos = p;
                count = storeBool(bits, dim, count, readVarint(end) != 0);
                p = pos;
                continue;
            }
            if (x != 0 && count < dim) {
                bits[count >>> 6] |= 1L << count;
            }
            count++;
            p++;
        }
        pos = p;
        return count;
    }

    private int oneBool(int limit, long[] bits, int dim, int count) throws MalformedException {
        return storeBool(bits, dim, count, readVarint(limit) != 0);
    }

    private static int storeBool(long[] bits, int dim, int count, boolean value) {
        if (value && count < dim) {
            bits[count >>> 6] |= 1L << count;
        }
        return count + 1;
    }

    private int readId(int limit, byte[] dst, DecodedTransition t) throws MalformedException {
        int end = readLengthLimit(limit);
        int length = end - pos;
        boolean ascii = true;
        for (int i = pos; i < end; i++) {
            if (buf[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (!ascii && !validUtf8(buf, pos, end - pos)) {
            throw new MalformedException("a string field holds invalid UTF-8");
        }
        System.arraycopy(buf, pos, dst, 0, Math.min(length, dst.length));
        pos = end;
        return length;
    }

    /** Only for the rare non-ASCII id, so the decoder may allocate. */
    private static boolean validUtf8(byte[] bytes, int offset, int length) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, offset, length));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    // The readers below are kept tiny so the JIT inlines them at every call site; the rare
    // paths (multi-byte varints, errors and their messages) live in separate methods.

    private int readTag(int limit) throws MalformedException {
        // Like protobuf-java: a tag is the low 32 bits of its varint; field number 0 is invalid.
        int tag = (int) readVarint(limit);
        if ((tag >>> 3) == 0) {
            throw malformed("invalid tag (field number 0)");
        }
        return tag;
    }

    /** Reads a length prefix (the low 32 bits of its varint) and returns the end of the delimited bytes. */
    private int readLengthLimit(int limit) throws MalformedException {
        int length = (int) readVarint(limit);
        if (length < 0 || length > limit - pos) {
            throw malformed("length " + length + " runs past the end of its message");
        }
        return pos + length;
    }

    private long readVarint(int limit) throws MalformedException {
        int p = pos;
        if (p < limit) {
            byte b = buf[p];
            if (b >= 0) {
                // Tags, lengths, small numbers and bools: one byte.
                pos = p + 1;
                return b;
            }
        }
        return readVarintSlow(limit);
    }

    private long readVarintSlow(int limit) throws MalformedException {
        byte[] b = buf;
        int p = pos;
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= limit) {
                throw malformed("truncated varint");
            }
            byte x = b[p++];
            result |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                pos = p;
                return result;
            }
        }
        throw malformed("malformed varint (more than 10 bytes)");
    }

    private MalformedException malformed(String what) {
        return new MalformedException(what + " at byte " + pos);
    }

    private int readFixed32() {
        int v = (int) INT_LE.get(buf, pos);
        pos += 4;
        return v;
    }

    private void require(int bytes, int limit) throws MalformedException {
        if (limit - pos < bytes) {
            throw malformed("truncated fixed-width field");
        }
    }

    private void skipField(int tag, int limit, int depth) throws MalformedException {
        switch (tag & 7) {
            case VARINT -> readVarint(limit);
            case I64 -> {
                require(8, limit);
                pos += 8;
            }
            case LEN -> pos = readLengthLimit(limit);
            case I32 -> {
                require(4, limit);
                pos += 4;
            }
            case SGROUP -> skipGroup(tag >>> 3, limit, depth + 1);
            case EGROUP -> throw new MalformedException("end-group tag without a start at byte " + pos);
            default -> throw new MalformedException("invalid wire type " + (tag & 7) + " at byte " + pos);
        }
    }

    private void skipGroup(int field, int limit, int depth) throws MalformedException {
        if (depth > MAX_DEPTH) {
            throw new MalformedException("groups nested deeper than " + MAX_DEPTH);
        }
        while (true) {
            if (pos >= limit) {
                throw new MalformedException("unterminated group " + field);
            }
            int tag = readTag(limit);
            if ((tag & 7) == EGROUP) {
                if ((tag >>> 3) != field) {
                    throw new MalformedException("group " + field + " closed by end-group " + (tag >>> 3));
                }
                return;
            }
            skipField(tag, limit, depth);
        }
    }
}
