package io.tendon.schemas.update;

import io.tendon.schemas.v1.Provenance;

/**
 * A policy update whose every part arrived, whose bytes hash to its SHA-256 and whose signature
 * verifies with a trusted key. Made only by {@link UpdateAssembler}; what the robot checks next
 * (version, graph, shadow run) is the receiver's.
 */
public final class VerifiedUpdate {

    private final String policyId;
    private final long version;
    private final String graph;
    private final byte[] bytes;
    private final byte[] sha256;
    private final byte[] signature;
    private final String keyId;
    private final int partCount;
    private final Provenance provenance;

    VerifiedUpdate(String policyId, long version, String graph, byte[] bytes, byte[] sha256, byte[] signature,
            String keyId, int partCount, Provenance provenance) {
        this.policyId = policyId;
        this.version = version;
        this.graph = graph;
        this.bytes = bytes;
        this.sha256 = sha256;
        this.signature = signature;
        this.keyId = keyId;
        this.partCount = partCount;
        this.provenance = provenance;
    }

    public String policyId() {
        return policyId;
    }

    public long version() {
        return version;
    }

    /** The graph role it replaces, as the manifest spells it in lower case ("head", "residual"). */
    public String graph() {
        return graph;
    }

    /** The ONNX model bytes (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    public int size() {
        return bytes.length;
    }

    public byte[] sha256() {
        return sha256.clone();
    }

    public byte[] signature() {
        return signature.clone();
    }

    public String keyId() {
        return keyId;
    }

    public int partCount() {
        return partCount;
    }

    public Provenance provenance() {
        return provenance;
    }

    /** "peg-insert v7 residual", for logs. */
    public String name() {
        return UpdateAssembler.name(policyId, version, graph);
    }

    @Override
    public String toString() {
        return name() + " (" + bytes.length + " bytes, key " + keyId + ")";
    }
}
