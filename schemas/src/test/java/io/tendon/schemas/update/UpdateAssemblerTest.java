package io.tendon.schemas.update;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.tendon.schemas.v1.PolicyUpdate;
import io.tendon.testing.UpdateSigner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Reassembly and verification of signed updates, part by part, the way a receiver meets them on
 * the topic: in any order, repeated, interleaved with other versions, bounded in memory; and every
 * way an update can be wrong refused with its own reason.
 */
class UpdateAssemblerTest {

    private static final int LIMIT = 16 * 1024;
    private final UpdateSigner key = new UpdateSigner();
    private final UpdateSigner other = new UpdateSigner();
    private final TrustedKeys trusted = TrustedKeys.of(key.publicKey());

    private static byte[] model(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private UpdateAssembler assembler() {
        return new UpdateAssembler(new UpdateAssembler.Limits(64, 1 << 20, 1 << 20, 1_000_000_000L), trusted);
    }

    /** Offers the parts in order; returns the first refusal, or else the last result. */
    private static UpdateAssembler.Result offerAll(UpdateAssembler a, List<PolicyUpdate> parts) {
        UpdateAssembler.Result last = null;
        for (PolicyUpdate p : parts) {
            last = a.offer(p.toByteArray(), 0);
            if (last.kind() == UpdateAssembler.Kind.REFUSED) {
                return last;
            }
        }
        return last;
    }

    private void assertRefused(UpdateRefusal reason, List<PolicyUpdate> parts) {
        UpdateAssembler.Result r = offerAll(assembler(), parts);
        assertEquals(UpdateAssembler.Kind.REFUSED, r.kind(), r.describe());
        assertEquals(reason, r.reason(), r.describe());
    }

    @Test
    void partsInAnyOrderWithDuplicatesAndOtherVersionsInterleavedMakeTheUpdate() {
        byte[] m1 = model(100_000, 1);
        byte[] m2 = model(70_000, 2);
        List<PolicyUpdate> v1 = new ArrayList<>(key.parts("peg", 1, "residual", m1, LIMIT));
        List<PolicyUpdate> v2 = new ArrayList<>(key.parts("peg", 2, "head", m2, LIMIT));
        assertTrue(v1.size() > 5 && v2.size() > 4, "both split");
        Collections.shuffle(v1, new Random(3));
        Collections.shuffle(v2, new Random(4));
        List<PolicyUpdate> stream = new ArrayList<>();
        for (int i = 0; i < Math.max(v1.size(), v2.size()); i++) {
            if (i < v1.size()) {
                stream.add(v1.get(i));
                stream.add(v1.get(i)); // a duplicate with the same bytes is harmless
            }
            if (i < v2.size()) {
                stream.add(v2.get(i));
            }
        }
        UpdateAssembler a = assembler();
        List<VerifiedUpdate> verified = new ArrayList<>();
        for (PolicyUpdate p : stream) {
            UpdateAssembler.Result r = a.offer(p.toByteArray(), 0);
            assertTrue(r.kind() != UpdateAssembler.Kind.REFUSED, r.describe());
            if (r.kind() == UpdateAssembler.Kind.VERIFIED) {
                verified.add(r.update());
            }
        }
        assertEquals(2, verified.size());
        VerifiedUpdate u1 = verified.stream().filter(u -> u.version() == 1).findFirst().orElseThrow();
        assertArrayEquals(m1, u1.bytes());
        assertEquals("residual", u1.graph());
        assertEquals(key.keyId(), u1.keyId());
        assertEquals(0, a.heldBytes(), "nothing held once both are complete");
        assertEquals(UpdateAssembler.Kind.IGNORED, a.offer(v1.get(0).toByteArray(), 0).kind(),
                "a late part of a settled update is ignored");
    }

    @Test
    void everyWayAnUpdateCanBeWrongHasItsOwnReason() {
        byte[] m = model(50_000, 5);
        List<PolicyUpdate> parts = key.parts("peg", 7, "residual", m, LIMIT);

        // A flipped payload byte: the hash no longer matches.
        List<PolicyUpdate> flipped = new ArrayList<>(parts);
        byte[] payload = parts.get(1).getPayload().toByteArray();
        payload[3] ^= 1;
        flipped.set(1, parts.get(1).toBuilder().setPayload(ByteString.copyFrom(payload)).build());
        assertRefused(UpdateRefusal.HASH_MISMATCH, flipped);

        // A duplicate part with different bytes.
        List<PolicyUpdate> conflicting = new ArrayList<>(parts.subList(0, 2));
        conflicting.add(flipped.get(1));
        assertRefused(UpdateRefusal.CONFLICTING_PART, conflicting);

        // Signed with a key nobody trusts, but claiming a trusted key id: the signature fails.
        List<PolicyUpdate> wrongKey = new ArrayList<>();
        for (PolicyUpdate p : other.parts("peg", 7, "residual", m, LIMIT)) {
            wrongKey.add(p.toBuilder().setKeyId(key.keyId()).build());
        }
        assertRefused(UpdateRefusal.BAD_SIGNATURE, wrongKey);

        // A key id that is not trusted at all.
        assertRefused(UpdateRefusal.UNKNOWN_KEY, other.parts("peg", 7, "residual", m, LIMIT));

        // No signature.
        List<PolicyUpdate> unsigned = new ArrayList<>();
        parts.forEach(p -> unsigned.add(p.toBuilder().clearSignature().build()));
        assertRefused(UpdateRefusal.NO_SIGNATURE, unsigned);

        // The signature of another version (the signing string names the version).
        ByteString v8Signature = key.parts("peg", 8, "residual", m, LIMIT).get(0).getSignature();
        List<PolicyUpdate> borrowed = new ArrayList<>();
        parts.forEach(p -> borrowed.add(p.toBuilder().setSignature(v8Signature).build()));
        assertRefused(UpdateRefusal.BAD_SIGNATURE, borrowed);

        // Garbage bytes on the topic.
        UpdateAssembler.Result garbage = assembler().offer(new byte[] {(byte) 0xff, 0x01, 0x02, 0x03}, 0);
        assertEquals(UpdateRefusal.MALFORMED, garbage.reason(), garbage.describe());

        // A part that disagrees with the others on its header.
        List<PolicyUpdate> mixed = new ArrayList<>(parts);
        mixed.set(2, parts.get(2).toBuilder().setTotalSizeBytes(m.length + 1).build());
        assertRefused(UpdateRefusal.HEADER_MISMATCH, mixed);
    }

    @Test
    void limitsBoundWhatIsHeldAndIncompleteUpdatesExpire() {
        byte[] m = model(50_000, 6);
        List<PolicyUpdate> parts = key.parts("peg", 3, "residual", m, LIMIT);
        // part_count and total_size_bytes beyond the receiver's caps are refused at the first part.
        UpdateAssembler few = new UpdateAssembler(new UpdateAssembler.Limits(2, 1 << 20, 1 << 20, 1_000_000_000L), trusted);
        assertEquals(UpdateRefusal.TOO_MANY_PARTS, few.offer(parts.get(0).toByteArray(), 0).reason());
        UpdateAssembler small = new UpdateAssembler(new UpdateAssembler.Limits(64, 10_000, 1 << 20, 1_000_000_000L), trusted);
        assertEquals(UpdateRefusal.TOO_LARGE, small.offer(parts.get(0).toByteArray(), 0).reason());
        assertEquals(0, small.heldBytes());

        // The bytes held for incomplete updates are bounded: the update that would pass the cap is refused.
        UpdateAssembler tight = new UpdateAssembler(new UpdateAssembler.Limits(64, 1 << 20, 20_000, 1_000_000_000L),
                trusted);
        UpdateAssembler.Result r = null;
        for (PolicyUpdate p : parts) {
            r = tight.offer(p.toByteArray(), 0);
            if (r.kind() == UpdateAssembler.Kind.REFUSED) {
                break;
            }
        }
        assertEquals(UpdateRefusal.MEMORY_LIMIT, r.reason(), r.describe());
        assertEquals(0, tight.heldBytes(), "a refused update releases what it held");

        // A missing part: the update never completes and is discarded after the timeout.
        UpdateAssembler a = assembler();
        for (PolicyUpdate p : parts.subList(1, parts.size())) {
            assertEquals(UpdateAssembler.Kind.PENDING, a.offer(p.toByteArray(), 0).kind());
        }
        assertTrue(a.heldBytes() > 0);
        assertTrue(a.expire(500_000_000L).isEmpty(), "not yet");
        List<UpdateAssembler.Result> expired = a.expire(2_000_000_000L);
        assertEquals(1, expired.size());
        assertEquals(UpdateRefusal.INCOMPLETE, expired.get(0).reason());
        assertEquals(0, a.heldBytes());
        assertEquals(UpdateAssembler.Kind.IGNORED, a.offer(parts.get(0).toByteArray(), 3_000_000_000L).kind(),
                "the missing part arriving late does not revive it");
    }

    @Test
    void keyRotationTrustsANewKeyAndStopsTrustingTheOld() {
        byte[] m = model(5_000, 7);
        UpdateAssembler a = new UpdateAssembler(UpdateAssembler.Limits.unbounded(),
                TrustedKeys.of(key.publicKey(), other.publicKey()));
        assertEquals(UpdateAssembler.Kind.VERIFIED, offerAll(a, other.parts("peg", 1, "head", m, LIMIT)).kind());
        a.trust(TrustedKeys.of(other.publicKey()));
        UpdateAssembler.Result r = offerAll(a, key.parts("peg", 2, "head", m, LIMIT));
        assertEquals(UpdateRefusal.UNKNOWN_KEY, r.reason(), "the old key was removed from the set");
        assertNull(r.update());
    }
}
