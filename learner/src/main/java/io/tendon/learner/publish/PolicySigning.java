package io.tendon.learner.publish;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** The signing string of policy.proto's PolicyUpdate, in one place for signer and verifier. */
public final class PolicySigning {

    public static final String DOMAIN = "tendon.policy-update.v1";

    private PolicySigning() {
    }

    /**
     * UTF-8 bytes of {@code "tendon.policy-update.v1\n" + policy_id + "\n" + version + "\n" + graph
     * + "\n" + lowercase hex(sha256) + "\n" + total_size_bytes}, numbers in decimal.
     */
    public static byte[] signingString(String policyId, long version, String graph, byte[] sha256, long totalSize) {
        String s = DOMAIN + "\n" + policyId + "\n" + Long.toUnsignedString(version) + "\n" + graph + "\n"
                + HexFormat.of().formatHex(sha256) + "\n" + Long.toUnsignedString(totalSize);
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
