package io.tendon.edge.policy.service;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tendon.edge.control.Targets;
import io.tendon.edge.policy.Observation;
import io.tendon.edge.policy.ObservationBuffer;
import io.tendon.edge.policy.ServiceFixtures;
import io.tendon.testing.KafkaBrokerResource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The edge service with a bundle configured: the policy thread runs at the policy rate on
 * observations the robot side publishes, the control side reads interpolated targets, and the
 * policy's meters are on /q/metrics.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@TestProfile(PolicyServiceTest.WithBundle.class)
class PolicyServiceTest {

    public static class WithBundle implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                var dir = ServiceFixtures.twoRateBundle(Files.createTempDirectory("tendon-bundle"));
                // The test is the robot side and writes the observations itself: a gRPC bridge with
                // no driver connected leaves it the only writer. A driver would send the bundle's
                // 32 features as the layout's latent.
                return Map.of("tendon.policy.bundle-dir", dir.toString(),
                        "tendon.edge.bridge", "grpc",
                        "tendon.layout.latent-dim", "32",
                        "tendon.policy.noise-seed", "5",
                        "tendon.policy.max-observation-age-ms", "200");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Inject
    PolicyService policy;

    @Test
    void thePolicyThreadTurnsObservationsIntoTargetsAndReportsItsMeters() throws Exception {
        assertTrue(policy.running(), "autostart with a bundle configured");
        assertEquals("reference-two-rate", policy.runtime().orElseThrow().bundle().policyId());
        ObservationBuffer observations = policy.observations();
        assertEquals(32, observations.featureDim(), "sized by the bundle");
        AtomicBoolean stop = new AtomicBoolean();
        Thread robot = new Thread(() -> {
            long n = 0;
            while (!stop.get()) {
                Observation o = observations.beginWrite();
                ServiceFixtures.observe(o, n++, System.nanoTime());
                observations.publish();
                LockSupport.parkNanos(2_000_000L);
            }
        });
        robot.start();
        Targets t = new Targets();
        int fresh = 0;
        long end = System.nanoTime() + 1_500_000_000L;
        while (System.nanoTime() < end) {
            if (policy.targets().targetsAt(System.nanoTime(), t)) {
                fresh++;
            }
            LockSupport.parkNanos(1_000_000L);
        }
        stop.set(true);
        robot.join();
        assertTrue(fresh > 100, "fresh targets for the control tick: " + fresh);
        assertTrue(Double.isFinite(t.pose[0]) && Double.isFinite(t.stiffnessAlongTarget));

        String metrics = given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("tendon_edge_policy_bundle_info{") && metrics.contains("policy_id=\"reference-two-rate\""),
                metrics);
        assertTrue(metrics.contains("tendon_edge_policy_active 1.0"), metrics);
        assertTrue(value(metrics, "tendon_edge_policy_graph_latency_seconds_count\\{graph=\"fast\"\\}") > 20, metrics);
        assertTrue(value(metrics, "tendon_edge_policy_graph_latency_seconds_count\\{graph=\"slow\"\\}") > 2, metrics);
        assertTrue(value(metrics, "tendon_edge_policy_rate_hertz") > 15, "about 30 Hz: " + metrics);
        assertTrue(value(metrics, "tendon_edge_policy_plans_published_total") > 20, metrics);
        assertTrue(metrics.contains("tendon_edge_policy_deadline_misses_total"), metrics);
        assertTrue(metrics.contains("tendon_edge_policy_actions_nonfinite_total"), metrics);
        assertTrue(value(metrics, "tendon_edge_policy_inference_delay_control_steps") >= 0, metrics);
        assertEquals(3.0, value(metrics, "tendon_edge_policy_bundle_version\\{policy_id=\"reference-two-rate\"\\}"));
    }

    private static double value(String metrics, String series) {
        // The text format may end a label set with a comma: {graph="fast",}.
        Matcher m = Pattern.compile("(?m)^" + series.replace("\\}", ",?\\}") + " ([0-9.eE+-]+)$").matcher(metrics);
        assertTrue(m.find(), "no series " + series + " in:\n" + metrics.lines()
                .filter(l -> l.startsWith("tendon_edge_policy")).collect(java.util.stream.Collectors.joining("\n")));
        return Double.parseDouble(m.group(1));
    }
}
