package io.tendon.edge.policy.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tendon.edge.control.Targets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's start-up decisions without booting Quarkus: no bundle is fine, a broken bundle
 * or a rate the bundle cannot take stops start-up with an error naming the key.
 */
class PolicyServiceLoadTest {

    @TempDir
    Path dir;

    static PolicyService service(Map<String, String> properties) {
        PolicyService s = new PolicyService();
        s.config = PolicyConfigTest.config(properties).getConfigMapping(PolicyConfig.class);
        s.registry = new SimpleMeterRegistry();
        return s;
    }

    @Test
    void withoutABundleTheServiceStartsIdle() {
        PolicyService s = service(Map.of());
        s.onStart(null);
        assertFalse(s.running());
        assertTrue(s.runtime().isEmpty());
        assertFalse(s.targets().targetsAt(System.nanoTime(), new Targets()), "nothing to execute");
        assertEquals(0, s.observations().featureDim());
        assertEquals(0.0, s.registry.get("tendon.edge.policy.active").gauge().value());
        s.onStop(null);
    }

    @Test
    void aBrokenBundleStopsStartUpNamingTheKeyAndTheProblem() throws Exception {
        Files.writeString(dir.resolve("manifest.json"), "{\"manifestVersion\": 1, \"colour\": \"red\"}",
                StandardCharsets.UTF_8);
        PolicyService s = service(Map.of("tendon.policy.bundle-dir", dir.toString()));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.onStart(null));
        assertTrue(e.getMessage().startsWith("tendon.policy.bundle-dir=" + dir), e.getMessage());
        assertTrue(e.getMessage().contains("colour"), e.getMessage());
    }

    @Test
    void aPolicyRateAboveTheBundlesControlRateStopsStartUp() {
        Path bundle = io.tendon.edge.policy.ServiceFixtures.chunkBundle(dir);
        PolicyService s = service(Map.of("tendon.policy.bundle-dir", bundle.toString(),
                "tendon.policy.policy-rate-hz", "1500"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.onStart(null));
        assertTrue(e.getMessage().contains("tendon.policy.policy-rate-hz=1500.0 Hz exceeds the control rate"),
                e.getMessage());
    }
}
