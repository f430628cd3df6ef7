package io.tendon.schemas.update;

import com.google.protobuf.ByteString;
import io.tendon.schemas.v1.PolicyUpdate;
import io.tendon.schemas.v1.Provenance;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Cuts a signed graph into PolicyUpdate parts, the one way a learner does it: every part carries
 * the header (policy, version, graph, sizes, SHA-256 of the whole, the Ed25519 signature over
 * the signing string, the key id, provenance), and each is small enough that the record, with its
 * key (the policy id) and Kafka's framing, stays within the topic's message limit.
 */
public final class UpdateParts {

    /** Room for the record and batch framing around a part (Kafka's is under 100 bytes). */
    static final int FRAMING_BYTES = 512;

    private UpdateParts() {
    }

    /**
     * @param signer          signs the signing string with the private key of {@code keyId}
     * @param maxMessageBytes the topic's max.message.bytes
     */
    public static List<PolicyUpdate> sign(String policyId, long version, String graph, byte[] bytes,
            Provenance provenance, String keyId, UnaryOperator<byte[]> signer, int maxMessageBytes) {
        byte[] sha = PolicySigning.sha256(bytes);
        byte[] signature = signer.apply(PolicySigning.signingString(policyId, version, graph, sha, bytes.length));
        PolicyUpdate header = PolicyUpdate.newBuilder()
                .setPolicyId(policyId)
                .setVersion(version)
                .setGraph(graph)
                .setTotalSizeBytes(bytes.length)
                .setSha256(ByteString.copyFrom(sha))
                .setSignature(ByteString.copyFrom(signature))
                .setKeyId(keyId)
                .setProvenance(provenance)
                .setPartIndex(Integer.MAX_VALUE)
                .setPartCount(Integer.MAX_VALUE)
                .build();
        int payload = payloadBytesPerPart(header, maxMessageBytes);
        int count = Math.max(1, (bytes.length + payload - 1) / payload);
        List<PolicyUpdate> parts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int from = i * payload;
            int to = Math.min(bytes.length, from + payload);
            parts.add(header.toBuilder().setPartIndex(i).setPartCount(count)
                    .setPayload(ByteString.copyFrom(bytes, from, to - from)).build());
        }
        return parts;
    }

    /** Payload bytes that fit one record next to the header fields, the key and Kafka's framing. */
    static int payloadBytesPerPart(PolicyUpdate header, int maxMessageBytes) {
        int keyBytes = header.getPolicyId().getBytes(StandardCharsets.UTF_8).length;
        // +6: the payload field's tag and length varint.
        int room = maxMessageBytes - header.getSerializedSize() - 6 - keyBytes - FRAMING_BYTES;
        if (room < 1024) {
            throw new IllegalArgumentException("a message limit of " + maxMessageBytes
                    + " bytes leaves no room for model bytes next to the update's header");
        }
        return room;
    }
}
