package io.tendon.schemas.update;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.tendon.schemas.v1.PolicyUpdate;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reassembles and verifies policy updates from their parts, as they come off the updates topic:
 * parts of one update in any order, duplicates (identical bytes) ignored, several updates and
 * versions interleaved. Incomplete updates are held in bounded memory ({@link Limits}): an
 * update asking for more parts or bytes than the limits allow is refused at its first part, a
 * part that would take the bytes held past the limit is refused with its update, and an update
 * not complete within the timeout is discarded ({@link #expire}). A complete update is checked
 * in this order: byte count, SHA-256, signature present, key trusted, Ed25519 signature over the
 * signing string ({@link PolicySigning}). Once an update is refused or verified, its late or
 * repeated parts are ignored.
 *
 * <p>Not thread-safe: one receiver thread feeds it.
 */
public final class UpdateAssembler {

    /**
     * What a receiver is willing to hold.
     *
     * @param maxParts               largest part_count accepted
     * @param maxTotalBytes          largest total_size_bytes accepted
     * @param maxHeldBytes           payload bytes held across all incomplete updates
     * @param incompleteTimeoutNanos an incomplete update older than this is discarded
     */
    public record Limits(int maxParts, long maxTotalBytes, long maxHeldBytes, long incompleteTimeoutNanos) {
        public Limits {
            if (maxParts < 1 || maxTotalBytes < 1 || maxHeldBytes < 1 || incompleteTimeoutNanos < 1) {
                throw new IllegalArgumentException("update limits must be positive: " + this);
            }
        }

        /** Limits that never bind (a test's reassembly of a whole list of parts). */
        public static Limits unbounded() {
            return new Limits(Integer.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);
        }
    }

    /** What one offered part came to. */
    public enum Kind {
        /** Held; the update is not complete yet. */
        PENDING,
        /** A part of an update already complete, refused or held with the same bytes: nothing to do. */
        IGNORED,
        /** The update is complete and verified. */
        VERIFIED,
        /** The update (or the record) is refused; see the reason. */
        REFUSED
    }

    /**
     * @param update what was verified (VERIFIED only)
     * @param name   "policy vN graph" of the update concerned, or a description of an unreadable record
     */
    public record Result(Kind kind, VerifiedUpdate update, UpdateRefusal reason, String name, String detail) {

        static Result pending(String name) {
            return new Result(Kind.PENDING, null, null, name, "");
        }

        static Result ignored(String name) {
            return new Result(Kind.IGNORED, null, null, name, "");
        }

        static Result refused(UpdateRefusal reason, String name, String detail) {
            return new Result(Kind.REFUSED, null, reason, name, detail);
        }

        /** "peg v7 residual refused (bad_signature): ...", for a log line. */
        public String describe() {
            return switch (kind) {
                case REFUSED -> "policy update " + name + " refused (" + reason.label() + "): " + detail;
                case VERIFIED -> "policy update " + update + " verified";
                default -> "policy update " + name + " " + kind.name().toLowerCase(java.util.Locale.ROOT);
            };
        }
    }

    /** Settled updates remembered so that their late parts are ignored, not held again. */
    private static final int SETTLED_MEMORY = 4096;

    private final Limits limits;
    private volatile TrustedKeys keys;
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private final Map<String, Boolean> settled = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > SETTLED_MEMORY;
        }
    };
    private long heldBytes;

    public UpdateAssembler(Limits limits, TrustedKeys keys) {
        this.limits = limits;
        this.keys = keys;
    }

    /** Replaces the trusted keys (a rotation); updates verified from now on use the new set. Any thread. */
    public void trust(TrustedKeys newKeys) {
        this.keys = newKeys;
    }

    public TrustedKeys trustedKeys() {
        return keys;
    }

    /** Payload bytes held for incomplete updates. */
    public long heldBytes() {
        return heldBytes;
    }

    /** Incomplete updates held. */
    public int pendingUpdates() {
        return pending.size();
    }

    /** Offers one record value from the updates topic. */
    public Result offer(byte[] recordValue, long nowNanos) {
        PolicyUpdate part;
        try {
            part = PolicyUpdate.parseFrom(recordValue == null ? new byte[0] : recordValue);
        } catch (InvalidProtocolBufferException e) {
            return Result.refused(UpdateRefusal.MALFORMED, "(unreadable record)", "not a PolicyUpdate: " + e.getMessage());
        }
        return offer(part, nowNanos);
    }

    /** Offers one part. */
    public Result offer(PolicyUpdate part, long nowNanos) {
        String name = name(part.getPolicyId(), part.getVersion(), part.getGraph());
        if (part.getPolicyId().isEmpty() || part.getGraph().isEmpty()) {
            return Result.refused(UpdateRefusal.MALFORMED, name, "policy_id and graph must be set");
        }
        String key = part.getPolicyId() + "\n" + part.getVersion() + "\n" + part.getGraph();
        if (settled.containsKey(key)) {
            return Result.ignored(name);
        }
        int count = part.getPartCount();
        if (count < 1 || part.getPartIndex() < 0 || part.getPartIndex() >= count) {
            return settle(key, null, Result.refused(UpdateRefusal.MALFORMED, name, "part " + part.getPartIndex()
                    + " of a part_count of " + count));
        }
        Pending p = pending.get(key);
        if (p == null) {
            if (count > limits.maxParts()) {
                return settle(key, null, Result.refused(UpdateRefusal.TOO_MANY_PARTS, name, "part_count " + count
                        + " is above the limit of " + limits.maxParts()));
            }
            if (part.getTotalSizeBytes() > limits.maxTotalBytes() || part.getTotalSizeBytes() < 0) {
                return settle(key, null, Result.refused(UpdateRefusal.TOO_LARGE, name, "total_size_bytes "
                        + part.getTotalSizeBytes() + " is above the limit of " + limits.maxTotalBytes()));
            }
            p = new Pending(part, nowNanos);
            pending.put(key, p);
        } else if (!p.sameHeader(part)) {
            return settle(key, p, Result.refused(UpdateRefusal.HEADER_MISMATCH, name, "part " + part.getPartIndex()
                    + " disagrees with the update's other parts on its header"));
        }
        ByteString payload = part.getPayload();
        ByteString held = p.parts[part.getPartIndex()];
        if (held != null) {
            if (held.equals(payload)) {
                return Result.ignored(name);
            }
            return settle(key, p, Result.refused(UpdateRefusal.CONFLICTING_PART, name, "part " + part.getPartIndex()
                    + " arrived twice with different bytes"));
        }
        if (heldBytes + payload.size() > limits.maxHeldBytes()) {
            return settle(key, p, Result.refused(UpdateRefusal.MEMORY_LIMIT, name, "holding " + payload.size()
                    + " more bytes would exceed the " + limits.maxHeldBytes() + " held for incomplete updates"));
        }
        p.parts[part.getPartIndex()] = payload;
        p.received++;
        p.bytes += payload.size();
        heldBytes += payload.size();
        if (p.received < p.parts.length) {
            return Result.pending(name);
        }
        return settle(key, p, verify(p, name));
    }

    /** Discards incomplete updates older than the timeout; returns one INCOMPLETE refusal for each. */
    public List<Result> expire(long nowNanos) {
        List<Result> expired = new java.util.ArrayList<>();
        Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Pending> e = it.next();
            Pending p = e.getValue();
            if (nowNanos - p.firstNanos > limits.incompleteTimeoutNanos()) {
                it.remove();
                heldBytes -= p.bytes;
                settled.put(e.getKey(), Boolean.TRUE);
                expired.add(Result.refused(UpdateRefusal.INCOMPLETE, name(p.header), p.received + " of "
                        + p.parts.length + " parts arrived within the timeout"));
            }
        }
        return expired;
    }

    private Result settle(String key, Pending p, Result result) {
        if (p != null && pending.remove(key) != null) {
            heldBytes -= p.bytes;
        }
        settled.put(key, Boolean.TRUE);
        return result;
    }

    private Result verify(Pending p, String name) {
        PolicyUpdate h = p.header;
        byte[] bytes = new byte[(int) Math.min(Integer.MAX_VALUE, p.bytes)];
        int at = 0;
        for (ByteString part : p.parts) {
            part.copyTo(bytes, at);
            at += part.size();
        }
        if (bytes.length != h.getTotalSizeBytes()) {
            return Result.refused(UpdateRefusal.SIZE_MISMATCH, name, "parts hold " + bytes.length
                    + " bytes, total_size_bytes says " + h.getTotalSizeBytes());
        }
        byte[] sha = PolicySigning.sha256(bytes);
        if (!Arrays.equals(sha, h.getSha256().toByteArray())) {
            return Result.refused(UpdateRefusal.HASH_MISMATCH, name, "the SHA-256 of the reassembled graph does not"
                    + " match the update's");
        }
        if (h.getSignature().isEmpty()) {
            return Result.refused(UpdateRefusal.NO_SIGNATURE, name, "the update carries no signature");
        }
        Optional<PublicKey> key = keys.key(h.getKeyId());
        if (key.isEmpty()) {
            return Result.refused(UpdateRefusal.UNKNOWN_KEY, name, "key id '" + h.getKeyId()
                    + "' is not among the trusted keys " + keys.ids());
        }
        byte[] message = PolicySigning.signingString(h.getPolicyId(), h.getVersion(), h.getGraph(), sha, bytes.length);
        if (!PolicySigning.verify(key.get(), message, h.getSignature().toByteArray())) {
            return Result.refused(UpdateRefusal.BAD_SIGNATURE, name, "the signature does not verify with key "
                    + h.getKeyId());
        }
        VerifiedUpdate update = new VerifiedUpdate(h.getPolicyId(), h.getVersion(), h.getGraph(), bytes, sha,
                h.getSignature().toByteArray(), h.getKeyId(), p.parts.length, h.getProvenance());
        return new Result(Kind.VERIFIED, update, null, name, "");
    }

    /** Verifies one update given as a complete list of parts (tests, a cache entry); throws with the reason. */
    public static VerifiedUpdate assemble(List<PolicyUpdate> parts, TrustedKeys keys) throws UpdateRefusedException {
        if (parts.isEmpty()) {
            throw new UpdateRefusedException(UpdateRefusal.MALFORMED, "no parts");
        }
        UpdateAssembler assembler = new UpdateAssembler(Limits.unbounded(), keys);
        Result last = null;
        for (PolicyUpdate p : parts) {
            last = assembler.offer(p, 0);
            if (last.kind() == Kind.REFUSED) {
                throw new UpdateRefusedException(last.reason(), last.detail());
            }
            if (last.kind() == Kind.VERIFIED) {
                break;
            }
        }
        if (last.kind() != Kind.VERIFIED) {
            throw new UpdateRefusedException(UpdateRefusal.INCOMPLETE, assembler.pending.values().iterator().next().received
                    + " of " + parts.get(0).getPartCount() + " parts");
        }
        return last.update();
    }

    static String name(String policyId, long version, String graph) {
        return policyId + " v" + Long.toUnsignedString(version) + " " + graph;
    }

    private static String name(PolicyUpdate h) {
        return name(h.getPolicyId(), h.getVersion(), h.getGraph());
    }

    /** One update whose parts are arriving. */
    private static final class Pending {
        final PolicyUpdate header;
        final ByteString[] parts;
        final long firstNanos;
        int received;
        long bytes;

        Pending(PolicyUpdate first, long nowNanos) {
            // The header without its payload: what every later part must agree with.
            this.header = first.toBuilder().clearPayload().clearPartIndex().build();
            this.parts = new ByteString[first.getPartCount()];
            this.firstNanos = nowNanos;
        }

        boolean sameHeader(PolicyUpdate p) {
            return p.getPartCount() == header.getPartCount() && p.getTotalSizeBytes() == header.getTotalSizeBytes()
                    && p.getSha256().equals(header.getSha256()) && p.getSignature().equals(header.getSignature())
                    && p.getKeyId().equals(header.getKeyId());
        }
    }
}
