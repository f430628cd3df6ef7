package io.tendon.schemas.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How bearer tokens are kept in configuration: the SHA-256 of the token's UTF-8 bytes, lowercase
 * hex. Tokens are random secrets of at least 128 bits (the generator makes 256), so a fast hash is
 * what fits: a salted slow hash protects guessable passwords, which these are not.
 */
public final class TokenHash {

    private TokenHash() {
    }

    public static String sha256Hex(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
