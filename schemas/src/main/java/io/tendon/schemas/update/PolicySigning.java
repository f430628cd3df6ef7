package io.tendon.schemas.update;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * What signer (the learner) and verifier (the edge) must agree on for policy.proto's
 * PolicyUpdate, in one place: the signing string, SHA-256, the key id, Ed25519 verification
 * with the JDK's {@code Signature("Ed25519")}, and the PEM form of public keys.
 */
public final class PolicySigning {

    public static final String DOMAIN = "tendon.policy-update.v1";
    public static final String ALGORITHM = "Ed25519";

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

    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    /** The key id of policy.proto: the first 16 hex characters of the SHA-256 of the key's X.509 encoding. */
    public static String keyId(PublicKey key) {
        return HexFormat.of().formatHex(sha256(key.getEncoded())).substring(0, 16);
    }

    /** True when {@code signature} is {@code key}'s Ed25519 signature of {@code message}. */
    public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Reads an X.509 PEM Ed25519 public key ("BEGIN PUBLIC KEY"); {@code source} names it in errors. */
    public static PublicKey readPublicPem(String pem, String source) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(pemBody(pem, "PUBLIC KEY",
                    source)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(source + " does not hold an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /** The X.509 PEM of a public key. */
    public static String publicPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    /** A PEM block of {@code type} around {@code der}. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    /** The DER bytes inside a PEM block of {@code type}. */
    public static byte[] pemBody(String pem, String type, String source) {
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
}
