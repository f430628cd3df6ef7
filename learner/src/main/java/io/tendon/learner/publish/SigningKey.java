package io.tendon.learner.publish;

import io.tendon.schemas.update.PolicySigning;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;

/**
 * The learner's Ed25519 signing key (JDK {@code java.security}). Its key id, signing string and
 * PEM forms are the contract's ({@link PolicySigning}, shared with the edge that verifies).
 * Only this package signs.
 */
public final class SigningKey {

    private static final String ALGORITHM = PolicySigning.ALGORITHM;

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;
    private final String source;

    private SigningKey(PrivateKey privateKey, PublicKey publicKey, String source) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.keyId = PolicySigning.keyId(publicKey);
        this.source = source;
    }

    /** A new random key pair. */
    public static SigningKey generate(String source) {
        try {
            KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            return new SigningKey(pair.getPrivate(), pair.getPublic(), source);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks Ed25519", e);
        }
    }

    /** The key in a PKCS#8 PEM ("BEGIN PRIVATE KEY"); the public half is derived from it. */
    public static SigningKey fromPem(String pem, String source) {
        byte[] der = PolicySigning.pemBody(pem, "PRIVATE KEY", source);
        try {
            PrivateKey key = KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
            return new SigningKey(key, derivePublic((EdECPrivateKey) key), source);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException(source + " does not hold an Ed25519 private key: " + e.getMessage(), e);
        }
    }

    /**
     * The JDK has no call that derives an Ed25519 public key, but its key-pair generator turns
     * 32 random bytes into (private, public): feed it the private key's own bytes.
     */
    private static PublicKey derivePublic(EdECPrivateKey key) throws GeneralSecurityException {
        byte[] seed = key.getBytes().orElseThrow(() -> new GeneralSecurityException("private key bytes unavailable"));
        KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
        generator.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
            }
        });
        KeyPair pair = generator.generateKeyPair();
        byte[] derived = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
        if (!Arrays.equals(derived, seed)) {
            throw new GeneralSecurityException("could not derive the public key");
        }
        return pair.getPublic();
    }

    byte[] sign(byte[] message) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(privateKey);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public String keyId() {
        return keyId;
    }

    /** Where the key came from, for logs: never the key itself. */
    public String source() {
        return source;
    }

    String privatePem() {
        return PolicySigning.pem("PRIVATE KEY", privateKey.getEncoded());
    }

    public String publicPem() {
        return PolicySigning.publicPem(publicKey);
    }

    @Override
    public String toString() {
        return "SigningKey[" + keyId + " from " + source + "]";
    }
}
