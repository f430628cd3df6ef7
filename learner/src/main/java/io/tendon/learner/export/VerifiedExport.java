package io.tendon.learner.export;

import io.tendon.schemas.v1.Provenance;
import java.util.HexFormat;

/**
 * An ONNX graph that ONNX Runtime has been shown to compute like the LibTorch network it came
 * from. Only {@link ExportVerifier} makes one, and its bytes cannot be changed afterwards
 * (copied in, copied out), so whatever is signed and published is what was verified.
 */
public final class VerifiedExport {

    private final String policyId;
    private final String graph;
    private final long version;
    private final byte[] bytes;
    private final byte[] sha256;
    private final Provenance provenance;
    private final double maxAbsError;
    private final int probeRows;

    VerifiedExport(String policyId, String graph, long version, byte[] bytes, byte[] sha256, Provenance provenance,
            double maxAbsError, int probeRows) {
        this.policyId = policyId;
        this.graph = graph;
        this.version = version;
        this.bytes = bytes.clone();
        this.sha256 = sha256.clone();
        this.provenance = provenance;
        this.maxAbsError = maxAbsError;
        this.probeRows = probeRows;
    }

    public String policyId() {
        return policyId;
    }

    /** The bundle graph it replaces: "residual" or "head". */
    public String graph() {
        return graph;
    }

    public long version() {
        return version;
    }

    /** A copy of the ONNX model bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public int size() {
        return bytes.length;
    }

    /** A copy of the SHA-256 of the bytes. */
    public byte[] sha256() {
        return sha256.clone();
    }

    public String sha256Hex() {
        return HexFormat.of().formatHex(sha256);
    }

    public Provenance provenance() {
        return provenance;
    }

    /** max |ONNX Runtime - LibTorch| over the probe batch. */
    public double maxAbsError() {
        return maxAbsError;
    }

    public int probeRows() {
        return probeRows;
    }
}
