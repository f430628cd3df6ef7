package io.tendon.learner.publish;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The learner's Ed25519 signing key (JDK {@code java.security}). Its key id is the first 16
 * hex characters of the SHA-256 of the public key's X.509 encoding, as policy.proto says.
 * Only this package signs.
 */
public final class SigningKey {

    private static final String ALGORITHM = "Ed25519";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;
    private final String source;

    private SigningKey(PrivateKey privateKey, PublicKey publicKey, String source) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.keyId = keyId(publicKey);
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
        byte[] der = pemBody(pem, "PRIVATE KEY", source);
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

    /** Reads an X.509 PEM public key ("BEGIN PUBLIC KEY"). */
    public static PublicKey readPublicPem(String pem, String source) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(pemBody(pem, "PUBLIC KEY", source)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(source + " does not hold an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    public static String keyId(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    /** Verifies an Ed25519 signature. */
    public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
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
        return pem("PRIVATE KEY", privateKey.getEncoded());
    }

    public String publicPem() {
        return pem("PUBLIC KEY", publicKey.getEncoded());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static byte[] pemBody(String pem, String type, String source) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = pem.indexOf(begin);
        int e = pem.indexOf(end);
        if (b < 0 || e < b) {
            throw new IllegalArgumentException(source + " is not a PEM '" + type + "'");
        }
        try {
            return Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(source + " has a damaged PEM body", ex);
        }
    }

    @Override
    public String toString() {
        return "SigningKey[" + keyId + " from " + source + "]";
    }
}
