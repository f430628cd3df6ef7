package io.tendon.testing;

import io.grpc.CallCredentials;
import io.tendon.schemas.access.BearerToken;
import io.tendon.schemas.access.Role;

/**
 * Fixed bearer tokens of the test profile (never used anywhere else): the services' %test
 * configuration holds their SHA-256 hashes, one token per role.
 */
public final class TestTokens {

    private TestTokens() {
    }

    public static String token(Role role) {
        return "test-" + role.configName() + "-token-not-a-secret-0123456789abcdef";
    }

    public static CallCredentials credentials(Role role) {
        return new BearerToken(token(role));
    }
}
