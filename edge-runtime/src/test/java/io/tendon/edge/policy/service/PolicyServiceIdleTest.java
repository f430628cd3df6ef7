package io.tendon.edge.policy.service;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tendon.edge.control.Targets;
import io.tendon.testing.KafkaBrokerResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The edge service without a bundle (the default): it starts, and the policy side stays idle. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class PolicyServiceIdleTest {

    @Inject
    PolicyService policy;

    @Test
    void withoutABundleTheServiceRunsAndThePolicyIsIdle() {
        assertFalse(policy.running());
        assertTrue(policy.runtime().isEmpty());
        assertFalse(policy.targets().targetsAt(System.nanoTime(), new Targets()));
        String metrics = given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("tendon_edge_policy_active 0.0"), metrics);
    }
}
