package io.tendon.schemas.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local run's one call: tokens per role, only their hashes in the services' properties, reused across runs. */
class LocalCredentialsTest {

    @TempDir
    Path dir;

    @Test
    void generatesOnceAndConfiguresBothServicesWithHashesOnly() throws Exception {
        LocalCredentials local = LocalCredentials.generate(dir.resolve("credentials"));
        Map<String, String> edge = local.edgeProperties();
        Map<String, String> learner = local.learnerProperties();
        for (Role r : Role.values()) {
            String token = local.token(r);
            assertEquals(token, Files.readString(local.tokenFile(r)).trim());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(local.tokenFile(r))));
            assertEquals(TokenHash.sha256Hex(token), edge.get("tendon.edge.auth.tokens.dev-" + r.configName() + ".sha256"));
            assertEquals(r.configName(), edge.get("tendon.edge.auth.tokens.dev-" + r.configName() + ".role"));
            assertEquals(TokenHash.sha256Hex(token), learner.get("tendon.auth.tokens.dev-" + r.configName() + ".sha256"));
            for (String v : edge.values()) {
                assertFalse(v.contains(token), "no token in the edge's properties");
            }
            for (String v : learner.values()) {
                assertFalse(v.contains(token), "no token in the learner's properties");
            }
        }
        assertFalse(edge.containsKey("quarkus.tls.key-store.p12.path"), "plain by default");
        assertTrue(local.edgeJvmArgs().contains("-Dtendon.edge.auth.tokens.dev-driver.role=driver"));

        LocalCredentials again = LocalCredentials.generate(dir.resolve("credentials"));
        assertEquals(local.token(Role.OPERATOR), again.token(Role.OPERATOR), "a second run reuses them");

        LocalCredentials tls = again.withTls(18443, 18493);
        assertEquals("18443", tls.edgeProperties().get("quarkus.http.ssl-port"));
        assertEquals("18493", tls.learnerProperties().get("quarkus.http.ssl-port"));
        assertTrue(Files.exists(Path.of(tls.learnerProperties().get("quarkus.tls.key-store.p12.path"))));
        assertEquals("request", tls.edgeProperties().get("quarkus.http.ssl.client-auth"));
    }
}
