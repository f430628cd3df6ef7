package io.tendon.edge.runtime;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.tendon.edge.step.EpisodeOutcome;
import io.tendon.edge.step.PolicyStep;
import io.tendon.schemas.v1.EdgeStatus;
import io.tendon.schemas.v1.EdgeStatusRequest;
import io.tendon.schemas.v1.EdgeStatusService;
import io.tendon.schemas.v1.InterventionCommand;
import io.tendon.schemas.v1.InterventionSummary;
import io.tendon.schemas.v1.Pose;
import io.tendon.schemas.v1.Quaternion;
import io.tendon.schemas.v1.RobotBridge;
import io.tendon.schemas.v1.RobotState;
import io.tendon.schemas.v1.Teleop;
import io.tendon.schemas.v1.Vector3;
import io.tendon.testing.KafkaBrokerResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The running service with the default configuration: the control loop drives the simulator
 * on the wall clock, the scripted expert runs episodes, steps reach CDI listeners, status,
 * metrics and the teleop override work.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class SimServiceTest {

    @Inject
    ControlService control;

    @Inject
    RecordingStepListener steps;

    @GrpcClient("edge")
    EdgeStatusService status;

    @GrpcClient("edge")
    Teleop teleop;

    @GrpcClient("edge")
    RobotBridge robotBridge;

    @Inject
    io.tendon.edge.grpc.BridgeServer bridgeServer;

    private EdgeStatus status() {
        return status.getStatus(EdgeStatusRequest.getDefaultInstance()).await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void loopRunsEpisodesInRealTimeAndReportsStatusAndMetrics() {
        assertEquals("sim", control.bridgeName());
        assertEquals("wall", control.clock());
        await().atMost(Duration.ofSeconds(60)).until(() -> steps.snapshot().stream()
                .anyMatch(s -> s.outcome == EpisodeOutcome.SUCCESS));
        List<PolicyStep> seen = steps.snapshot();
        assertTrue(seen.stream().allMatch(s -> Double.isFinite(s.reward)));

        await().atMost(Duration.ofSeconds(5)).until(() -> control.rateHz() > 0);
        EdgeStatus s = status();
        assertEquals("sim", s.getBridge());
        assertTrue(s.getRobotConnected());
        assertTrue(s.getTicks() > 1000, "ticks " + s.getTicks());
        assertTrue(s.getControlRateHz() > 500 && s.getControlRateHz() < 1100, "rate " + s.getControlRateHz());
        assertEquals(8, s.getSafetyTripsCount());
        // The id transitions, markers and people's rewards use for the running episode.
        assertTrue(s.getEpisodeId().startsWith("ep-"), s.getEpisodeId());

        String metrics = given().header("Accept", "text/plain; version=0.0.4").get("/q/metrics").then().statusCode(200)
                .extract().asString();
        for (String name : new String[] {"tendon_edge_control_ticks_total", "tendon_edge_control_deadline_misses_total",
                "tendon_edge_control_tick_compute_seconds_count", "tendon_edge_control_tick_compute_seconds_bucket{le=\"5.0E-5\"",
                "tendon_edge_control_tick_jitter_seconds_bucket{le=\"+Inf\"", "tendon_edge_control_safety_trips_total{reason=\"WATCHDOG\"",
                "tendon_edge_control_watchdog_holding", "tendon_edge_sim_episodes_total{outcome=\"success\""}) {
            assertTrue(metrics.contains(name), name + " missing in\n" + metrics);
        }
    }

    private static Pose pose(double x, double y, double z) {
        return Pose.newBuilder().setPosition(Vector3.newBuilder().setX(x).setY(y).setZ(z))
                .setOrientation(Quaternion.newBuilder().setW(1)).build();
    }

    private static InterventionCommand sample(long seq, boolean engaged, Pose pose) {
        InterventionCommand.Builder b = InterventionCommand.newBuilder().setSequence(seq).setEngaged(engaged)
                .setTimeUnixNanos(System.currentTimeMillis() * 1_000_000L);
        if (pose != null) {
            b.setPose(pose).setVirtualTarget(pose);
        }
        return b.build();
    }

    @Test
    void engagedTeleopOverridesThePolicyAndBadSamplesAreDropped() throws Exception {
        UnicastProcessor<InterventionCommand> device = UnicastProcessor.create();
        CompletableFuture<InterventionSummary> summary = teleop.intervene(device).subscribeAsCompletionStage();

        // Hold the arm 3 cm above the nominal hole, in the person's hands, for about a second.
        Pose hover = pose(0.5, 0.0, 0.03);
        steps.clear();
        long seq = 1;
        for (int i = 0; i < 20; i++) {
            device.onNext(sample(seq++, true, hover));
            Thread.sleep(50);
        }
        device.onNext(sample(seq - 5, true, hover)); // stale sequence
        device.onNext(sample(seq++, true, pose(Double.NaN, 0, 0.03))); // NaN
        device.onNext(sample(seq++, true, Pose.newBuilder(hover)
                .setOrientation(Quaternion.newBuilder().setW(0.5)).build())); // not a unit quaternion
        await().atMost(Duration.ofSeconds(10)).until(() -> status().getInterventionEngaged());
        // A second operator at the same time is refused.
        StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> teleop.intervene(Multi.createFrom().empty()).await().atMost(Duration.ofSeconds(10)));
        assertTrue(refused.getStatus().getDescription().contains("one at a time"), refused.toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> steps.snapshot().stream()
                .filter(s -> s.human).count() >= 5);
        PolicyStep last = steps.snapshot().stream().filter(s -> s.human).reduce((a, b) -> b).orElseThrow();
        assertEquals(0.03, last.executed.virtualTarget[2], 1e-12, "the person's targets were executed");
        assertTrue(last.executed.human);
        assertEquals(0.03, last.nextObservation.tcpPose[2], 0.002, "and the arm went there");

        // Hand back: the expert's demonstration continues.
        device.onNext(sample(seq++, false, null));
        device.onComplete();
        InterventionSummary result = summary.get(10, TimeUnit.SECONDS);
        assertEquals(21, result.getSamplesAccepted());
        assertEquals(3, result.getSamplesDropped());
        assertTrue(result.getTicksEngaged() > 500, "ticks engaged " + result.getTicksEngaged());
        await().atMost(Duration.ofSeconds(10)).until(() -> !status().getInterventionEngaged());
        steps.clear();
        await().atMost(Duration.ofSeconds(10)).until(() -> steps.snapshot().size() >= 3);
        assertFalse(steps.snapshot().get(2).human);
    }

    @Test
    void noRobotBridgeWhileTheSimulatorIsTheRobot() {
        // The bridge has a listener of its own, started only with tendon.edge.bridge=grpc; the HTTP
        // port never serves it.
        StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> robotBridge.connect(Multi.createFrom().item(RobotState.newBuilder().setSequence(1).build()))
                        .collect().asList().await().atMost(Duration.ofSeconds(10)));
        assertEquals(io.grpc.Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
        assertEquals(-1, bridgeServer.port());
    }
}
