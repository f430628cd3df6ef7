package io.tendon.learner.publish;

import io.tendon.schemas.v1.PolicyUpdate;
import java.io.ByteArrayOutputStream;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a receiver checks before it trusts an update (the edge does the same): every part of one
 * (policy, version) arrived exactly once with identical header fields, the bytes add up to
 * {@code total_size_bytes}, their SHA-256 equals {@code sha256}, and {@code signature} verifies
 * over the signing string with the trusted key named by {@code key_id}.
 */
public final class PolicyUpdateAssembler {

    private PolicyUpdateAssembler() {
    }

    /** A set of parts that must not be used, with the reason. */
    public static final class RejectedException extends Exception {
        public RejectedException(String reason) {
            super(reason);
        }
    }

    /** Reassembles and verifies; returns the model bytes. */
    public static byte[] assemble(List<PolicyUpdate> parts, Map<String, PublicKey> trustedKeys) throws RejectedException {
        if (parts.isEmpty()) {
            throw new RejectedException("no parts");
        }
        PolicyUpdate first = parts.get(0);
        int count = first.getPartCount();
        if (count < 1 || parts.size() != count) {
            throw new RejectedException(parts.size() + " parts for a part_count of " + count);
        }
        PolicyUpdate[] ordered = new PolicyUpdate[count];
        for (PolicyUpdate p : parts) {
            if (!p.getPolicyId().equals(first.getPolicyId()) || p.getVersion() != first.getVersion()
                    || !p.getGraph().equals(first.getGraph()) || p.getPartCount() != count
                    || !p.getSha256().equals(first.getSha256()) || !p.getSignature().equals(first.getSignature())
                    || p.getTotalSizeBytes() != first.getTotalSizeBytes() || !p.getKeyId().equals(first.getKeyId())) {
                throw new RejectedException("part " + p.getPartIndex() + " disagrees with part " + first.getPartIndex()
                        + " on its header");
            }
            int i = p.getPartIndex();
            if (i < 0 || i >= count || ordered[i] != null) {
                throw new RejectedException("part index " + i + " is out of range or repeated");
            }
            ordered[i] = p;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (PolicyUpdate p : ordered) {
            out.writeBytes(p.getPayload().toByteArray());
        }
        byte[] bytes = out.toByteArray();
        if (bytes.length != first.getTotalSizeBytes()) {
            throw new RejectedException("parts hold " + bytes.length + " bytes, total_size_bytes says "
                    + first.getTotalSizeBytes());
        }
        byte[] sha = PolicyPublisher.sha256(bytes);
        if (!Arrays.equals(sha, first.getSha256().toByteArray())) {
            throw new RejectedException("SHA-256 of the reassembled model does not match");
        }
        PublicKey key = trustedKeys.get(first.getKeyId());
        if (key == null) {
            throw new RejectedException("key id '" + first.getKeyId() + "' is not trusted");
        }
        byte[] message = PolicySigning.signingString(first.getPolicyId(), first.getVersion(), first.getGraph(), sha,
                bytes.length);
        if (first.getSignature().isEmpty() || !SigningKey.verify(key, message, first.getSignature().toByteArray())) {
            throw new RejectedException("the signature does not verify with key " + first.getKeyId());
        }
        return bytes;
    }
}
