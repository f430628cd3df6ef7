package io.tendon.testing;

import io.tendon.schemas.update.PolicySigning;
import io.tendon.schemas.update.UpdateParts;
import io.tendon.schemas.v1.PolicyUpdate;
import io.tendon.schemas.v1.Provenance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.util.List;

/**
 * A signing key for tests and benchmarks that publish policy updates the way a learner does
 * ({@link UpdateParts}): a fresh Ed25519 key pair, its key id, and its public PEM to trust.
 */
public final class UpdateSigner {

    private final KeyPair pair;
    private final String keyId;

    public UpdateSigner() {
        try {
            pair = KeyPairGenerator.getInstance(PolicySigning.ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        keyId = PolicySigning.keyId(pair.getPublic());
    }

    public String keyId() {
        return keyId;
    }

    public PublicKey publicKey() {
        return pair.getPublic();
    }

    /** Writes the public key as X.509 PEM to {@code file} (what an edge's trusted-keys setting reads). */
    public Path writePublicKey(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, PolicySigning.publicPem(pair.getPublic()), StandardCharsets.US_ASCII);
        return file;
    }

    public byte[] sign(byte[] message) {
        try {
            Signature s = Signature.getInstance(PolicySigning.ALGORITHM);
            s.initSign(pair.getPrivate());
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The signed parts of one update, cut for a topic limit of {@code maxMessageBytes}. */
    public List<PolicyUpdate> parts(String policyId, long version, String graph, byte[] model, int maxMessageBytes) {
        Provenance provenance = Provenance.newBuilder().setLearnerId("test-signer")
                .setCreatedUnixNanos(System.currentTimeMillis() * 1_000_000L).build();
        return UpdateParts.sign(policyId, version, graph, model, provenance, keyId, this::sign, maxMessageBytes);
    }
}
