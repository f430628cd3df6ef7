package io.tendon.schemas.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who is let through, by token and by client certificate, over a real TLS handshake. */
class AccessControlTest {

    static final String OPERATOR_TOKEN = "operator-token-0123456789abcdef0123456789abcdef";
    static final String OBSERVER_TOKEN = "observer-token-0123456789abcdef0123456789abcdef";

    static AccessConfig config(boolean enabled, Map<String, AccessConfig.Token> tokens, Map<String, String> certs) {
        return new AccessConfig() {
            @Override
            public boolean enabled() {
                return enabled;
            }

            @Override
            public Map<String, Token> tokens() {
                return tokens;
            }

            @Override
            public Map<String, String> certificateRoles() {
                return certs;
            }
        };
    }

    static AccessConfig.Token token(String role, String secret) {
        return new AccessConfig.Token() {
            @Override
            public String role() {
                return role;
            }

            @Override
            public String sha256() {
                return TokenHash.sha256Hex(secret);
            }
        };
    }

    private final AccessRules rules = new AccessRules()
            .service("tendon.v1.Teleop", Role.OPERATOR)
            .service("tendon.v1.PolicyVersionControl", Role.OPERATOR)
            .method("tendon.v1.PolicyVersionControl/List", Role.OPERATOR, Role.OBSERVER)
            .reflection(Role.OBSERVER, Role.OPERATOR);

    private final AccessControl access = new AccessControl(config(true,
            Map.of("alice", token("operator", OPERATOR_TOKEN), "board", token("observer", OBSERVER_TOKEN)),
            Map.of("tendon-dev-driver", "driver")), rules);

    @Test
    void tokensRolesAndRefusals() {
        var d = access.decide("tendon.v1.Teleop/Intervene", "Bearer " + OPERATOR_TOKEN, null);
        assertEquals(AccessControl.Verdict.ALLOWED, d.verdict());
        assertEquals(new Principal("alice", Role.OPERATOR, "token"), d.principal());
        assertEquals(AccessControl.Verdict.PERMISSION_DENIED,
                access.decide("tendon.v1.Teleop/Intervene", "Bearer " + OBSERVER_TOKEN, null).verdict());
        assertEquals(AccessControl.Verdict.ALLOWED,
                access.decide("tendon.v1.PolicyVersionControl/List", "bearer " + OBSERVER_TOKEN, null).verdict(),
                "a method rule wins over its service's; the scheme is case-insensitive");
        assertEquals(AccessControl.Verdict.PERMISSION_DENIED,
                access.decide("tendon.v1.PolicyVersionControl/Pin", "Bearer " + OBSERVER_TOKEN, null).verdict());
        assertEquals(AccessControl.Verdict.UNAUTHENTICATED,
                access.decide("tendon.v1.Teleop/Intervene", null, null).verdict());
        assertEquals(AccessControl.Verdict.UNAUTHENTICATED,
                access.decide("tendon.v1.Teleop/Intervene", "Bearer wrong", null).verdict());
        assertEquals(AccessControl.Verdict.UNAUTHENTICATED,
                access.decide("tendon.v1.Teleop/Intervene", "Basic abc", null).verdict());
        var unknown = access.decide("tendon.v1.Unlisted/Call", "Bearer " + OPERATOR_TOKEN, null);
        assertEquals(AccessControl.Verdict.PERMISSION_DENIED, unknown.verdict(), "a method no rule names admits nobody");
        assertTrue(unknown.reason().contains("no role may"), unknown.reason());
        assertEquals(AccessControl.Verdict.ALLOWED,
                access.decide("grpc.reflection.v1.ServerReflection/ServerReflectionInfo", "Bearer " + OBSERVER_TOKEN, null)
                        .verdict());
        assertTrue(!access.decide("tendon.v1.Teleop/Intervene", "Bearer wrong", null).reason().contains("wrong"),
                "a refusal never repeats the token");
    }

    @Test
    void disabledChecksLetEveryoneThrough() {
        AccessControl open = new AccessControl(config(false, Map.of(), Map.of()), rules);
        assertEquals(AccessControl.Verdict.ALLOWED, open.decide("tendon.v1.Teleop/Intervene", null, null).verdict());
    }

    @Test
    void commonNames() {
        assertEquals("arm-7", AccessControl.commonName("CN=arm-7,O=Lab,C=DE"));
        assertEquals("a,b", AccessControl.commonName("O=x,CN=a\\,b"));
        assertNull(AccessControl.commonName("O=no-cn"));
    }

    @Test
    void devCredentialsAuthenticateAClientCertificateOverTls(@TempDir Path dir) throws Exception {
        DevCredentials creds = DevCredentials.ensure(dir.resolve("cred"));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("cred/tokens/operator.token"))));
        assertEquals(64, creds.token(Role.DRIVER).length());
        DevCredentials again = DevCredentials.ensure(dir.resolve("cred"));
        assertEquals(creds.token(Role.DRIVER), again.token(Role.DRIVER), "generated once, then reused");

        SSLContext server = context(creds.serverKeyStore(), creds);
        SSLContext client = context(creds.clientKeyStore(Role.DRIVER), creds);
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0)) {
            listener.setWantClientAuth(true);
            CompletableFuture<String> cn = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    InputStream in = s.getInputStream();
                    in.read();
                    var d = access.decide("tendon.v1.RobotBridge/Connect", null, s.getSession());
                    s.getOutputStream().write(1);
                    return d.principal() == null ? d.reason() : d.principal().toString();
                } catch (Exception e) {
                    return e.toString();
                }
            });
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("localhost", listener.getLocalPort())) {
                var params = s.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS"); // the server certificate names localhost
                s.setSSLParameters(params);
                OutputStream out = s.getOutputStream();
                out.write(1);
                out.flush();
                s.getInputStream().read();
            }
            // The rules above name no RobotBridge method: the driver is known (not UNAUTHENTICATED) but denied.
            assertEquals("tendon-dev-driver (driver, certificate)", cn.get());
        }
    }

    private static SSLContext context(Path keyStore, DevCredentials creds) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, creds.password().toCharArray());
        }
        KeyStore ts = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(creds.trustStore())) {
            ts.load(in, creds.password().toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, creds.password().toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return c;
    }
}
