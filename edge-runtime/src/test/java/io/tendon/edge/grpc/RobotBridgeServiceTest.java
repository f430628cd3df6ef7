package io.tendon.edge.grpc;

import io.tendon.edge.bridge.GrpcRobotLink;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tendon.edge.control.RobotSample;
import io.tendon.edge.control.SafetyTrips;
import io.tendon.edge.control.TargetBuffer;
import io.tendon.edge.control.Targets;
import io.tendon.edge.runtime.ControlService;
import io.tendon.edge.sim.PegInHoleSim;
import io.tendon.edge.sim.SimSettings;
import io.tendon.schemas.v1.EdgeStatus;
import io.tendon.schemas.v1.EdgeStatusRequest;
import io.tendon.schemas.v1.EdgeStatusService;
import io.tendon.schemas.v1.RobotBridge;
import io.tendon.schemas.v1.RobotCommand;
import io.tendon.testing.KafkaBrokerResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gRPC robot bridge end to end: a Java driver wrapping the simulator's physics drives the
 * robot-clocked loop through the RobotBridge stream.
 */
@QuarkusTest
@TestProfile(RobotBridgeServiceTest.GrpcBridge.class)
@QuarkusTestResource(KafkaBrokerResource.class)
class RobotBridgeServiceTest {

    public static class GrpcBridge implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // A state timeout long enough that a busy CI machine's scheduling delays do not make
            // the lock-step driver's states stale (a dropped state gets no command to wait for).
            return Map.of("tendon.edge.bridge", "grpc", "tendon.safety.watchdog.state-timeout", "0.4");
        }
    }

    @Inject
    ControlService control;

    @GrpcClient("edge")
    RobotBridge bridge;

    @GrpcClient("edge")
    RobotBridge secondDriver;

    @GrpcClient("edge")
    EdgeStatusService status;

    private final TargetBuffer policy = new TargetBuffer();
    private final double[] target = new double[6];

    private void publishTargets() {
        Targets t = policy.beginWrite();
        System.arraycopy(target, 0, t.virtualTarget, 0, 6);
        System.arraycopy(target, 0, t.pose, 0, 6);
        for (int i = 0; i < 6; i++) {
            t.stiffness[i] = i < 3 ? 1000 : 50;
        }
        t.scalarStiffness = false;
        t.createdNanos = System.nanoTime();
        policy.publish();
    }

    private EdgeStatus status() {
        return status.getStatus(EdgeStatusRequest.getDefaultInstance()).await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void driverStreamDrivesTheLoopAndSurvivesBadStatesAndReconnects() throws Exception {
        assertEquals("robot", control.clock());
        GrpcRobotLink link = control.robotLink();
        control.policyTargets().use(policy);
        SimSettings simSettings = SimSettings.with(Map.of("tendon.sim.start-height", "0.1"));
        PegInHoleSim sim = new PegInHoleSim(simSettings, control.settings().dt);
        sim.reset(21);
        SimulatedRobotDriver driver = new SimulatedRobotDriver(sim, control.settings().dt);
        RobotSample start = driver.measured();
        start.pose.toVector(target, 0);
        target[0] += 0.02; // 2 cm along x
        publishTargets();

        driver.connect(bridge);
        long ticksBefore = control.metrics().ticks.get();
        RobotCommand c = null;
        for (int i = 0; i < 2500; i++) {
            if (i % 100 == 0) {
                publishTargets();
            }
            c = driver.exchange(); // asserts the command answers the state just sent
        }
        assertFalse(c.getHolding());
        RobotSample arm = driver.measured();
        assertEquals(target[0], arm.pose.position[0], 0.001, "the simulated arm reached the target through the stream");
        assertEquals(target[2], arm.pose.position[2], 0.001);
        assertEquals(2500, control.metrics().ticks.get() - ticksBefore, "one tick per state");
        EdgeStatus s = status();
        assertTrue(s.getRobotConnected());
        assertEquals("grpc", s.getBridge());

        // A second driver is refused while this one is connected.
        StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> secondDriver.connect(io.smallrye.mutiny.Multi.createFrom().item(driver.state(1, 1)))
                        .collect().asList().await().atMost(Duration.ofSeconds(10)));
        assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());

        // Out of order: an old sequence gets no command and is counted; the next good state is answered.
        long outOfOrder = link.statesOutOfOrder.get();
        driver.send(driver.state(driver.sequence - 10, System.nanoTime()));
        driver.exchange();
        assertEquals(outOfOrder + 1, link.statesOutOfOrder.get());
        // Stale: measured now but delivered 1 s later, far behind the connection's best latency.
        long stale = link.statesStale.get();
        io.tendon.schemas.v1.RobotState late = driver.state(++driver.sequence, System.nanoTime());
        Thread.sleep(1000);
        driver.send(late);
        publishTargets(); // the pause aged the targets too
        driver.exchange();
        assertEquals(stale + 1, link.statesStale.get());
        for (int i = 0; i < 100; i++) {
            driver.exchange();
        }
        assertFalse(driver.exchange().getHolding());

        // Lost connection: the watchdog holds.
        long holds = control.metrics().holdsEntered.get();
        driver.disconnect();
        await().atMost(Duration.ofSeconds(10)).until(() -> !status().getRobotConnected());
        await().atMost(Duration.ofSeconds(10)).until(() -> status().getWatchdogHolding());
        assertTrue(control.metrics().holdsEntered.get() > holds);

        // Reconnect: commands flow again, holding first, then released once states and targets are fresh.
        target[1] += 0.01;
        publishTargets();
        driver.connect(bridge);
        RobotCommand first = driver.exchange();
        assertTrue(first.getHolding(), "holds on reconnect");
        assertTrue((first.getSafetyTrips() & SafetyTrips.WATCHDOG) != 0);
        boolean released = false;
        for (int i = 0; i < 2500; i++) {
            if (i % 100 == 0) {
                publishTargets();
            }
            released |= !driver.exchange().getHolding();
        }
        assertTrue(released);
        assertEquals(target[1], driver.measured().pose.position[1], 0.001, "and follows the new target");
        assertTrue(status().getRobotConnected());
        assertFalse(status().getWatchdogHolding());
        driver.disconnect();
        assertInstanceOf(Object.class, driver.in.poll(5, java.util.concurrent.TimeUnit.SECONDS));
    }
}
