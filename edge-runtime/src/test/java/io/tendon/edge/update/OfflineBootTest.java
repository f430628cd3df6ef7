package io.tendon.edge.update;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tendon.edge.policy.service.PolicyService;
import io.tendon.schemas.update.TrustedKeys;
import io.tendon.schemas.update.UpdateAssembler;
import io.tendon.testing.UpdateSigner;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A robot that boots with no broker at all: the edge runs the newest version in its update cache
 * whose signature still verifies, and refuses (and reports) a cache entry that was tampered with.
 */
@QuarkusTest
@TestProfile(OfflineBootTest.Profile.class)
class OfflineBootTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path root = Files.createTempDirectory("tendon-offline");
                Path bundle = UpdateGraphs.bundle(root.resolve("bundle"));
                UpdateSigner key = new UpdateSigner();
                Path trusted = key.writePublicKey(root.resolve("trusted/key.pem"));
                // What an earlier run of this robot verified and cached: v3, and v4 damaged on disk since.
                UpdateCache cache = new UpdateCache(root.resolve("cache"), UpdateGraphs.POLICY);
                TrustedKeys keys = TrustedKeys.of(key.publicKey());
                cache.store(UpdateAssembler.assemble(key.parts(UpdateGraphs.POLICY, 3, "head",
                        UpdateGraphs.head(UpdateGraphs.HOLD), 1 << 20), keys));
                cache.store(UpdateAssembler.assemble(key.parts(UpdateGraphs.POLICY, 4, "head",
                        UpdateGraphs.head(UpdateGraphs.moved(0.001f)), 1 << 20), keys));
                Path v4 = cache.directory().resolve("v4-head.onnx");
                byte[] bytes = Files.readAllBytes(v4);
                bytes[bytes.length / 3] ^= 0x40;
                Files.write(v4, bytes);
                Map<String, String> m = new HashMap<>();
                m.put("kafka.bootstrap.servers", "127.0.0.1:9"); // nothing listens: no broker
                m.put("tendon.policy.bundle-dir", bundle.toString());
                m.put("tendon.edge.clock", "simulated");
                m.put("tendon.edge.updates.trusted-keys", trusted.toString());
                m.put("tendon.edge.updates.cache-dir", root.resolve("cache").toString());
                return m;
            } catch (IOException | io.tendon.schemas.update.UpdateRefusedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Inject
    PolicyService policy;

    @Test
    void withoutABrokerTheNewestGoodCachedVersionRunsAndATamperedOneIsRefused() {
        assertEquals(3L, policy.runtime().orElseThrow().version(), "v4 failed its check; v3 runs");
        String metrics = given().header("Accept", "text/plain; version=0.0.4").get("/q/metrics").then().statusCode(200)
                .extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("tendon_edge_policy_updates_rejected_total{reason=\"hash_mismatch\"")
                && !l.endsWith(" 0.0")), "the tampered cache entry is counted");
        assertTrue(metrics.contains("tendon_edge_policy_active_version{policy_id=\"peg-insert\"} 3.0")
                || metrics.contains("tendon_edge_policy_active_version{policy_id=\"peg-insert\",} 3.0"), metrics.lines()
                .filter(l -> l.contains("active_version")).toList().toString());
    }
}
