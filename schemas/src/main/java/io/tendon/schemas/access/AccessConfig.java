package io.tendon.schemas.access;

import io.smallrye.config.WithDefault;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import java.util.Map;

/**
 * Who may call the service's gRPC methods: one configuration group, declared once for both
 * services ({@code tendon.edge.auth.*} on the edge, {@code tendon.auth.*} on the learner) and
 * validated at start-up.
 *
 * <p>A caller proves who it is with a bearer token (gRPC metadata {@code authorization: Bearer
 * TOKEN}), or with a client certificate when the server runs TLS with client authentication
 * (Quarkus TLS registry, {@code quarkus.http.ssl.client-auth=request}); either is enough, a token
 * wins when both are present. Tokens are kept only as SHA-256 hashes.
 */
public interface AccessConfig {

    /**
     * Check credentials on every gRPC call. {@code false} lets anyone who reaches the port do
     * everything (logged as a warning at start-up); only for a closed bench.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * Bearer tokens by a name of your choice (the name appears in logs, never the token):
     * {@code tokens.NAME.role} and {@code tokens.NAME.sha256}.
     */
    Map<String, @Valid Token> tokens();

    /**
     * Client certificates by subject common name (CN): {@code certificate-roles."CN"=ROLE}. The
     * certificate must chain to the server's trust store (TLS registry); its CN picks the role.
     */
    Map<String, @Pattern(regexp = "driver|operator|observer", message = "must be driver, operator or observer") String>
            certificateRoles();

    /** One bearer token. */
    interface Token {
        /** driver, operator or observer. */
        @Pattern(regexp = "driver|operator|observer", message = "must be driver, operator or observer")
        String role();

        /** SHA-256 of the token's UTF-8 bytes, 64 lowercase hex digits ({@code printf %s "$TOKEN" | sha256sum}). */
        @Pattern(regexp = "[0-9a-f]{64}", message = "must be 64 lowercase hex digits (the SHA-256 of the token)")
        String sha256();
    }
}
