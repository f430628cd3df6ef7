package io.tendon.edge.grpc;

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
import io.tendon.edge.bridge.GrpcRobotLink;
import io.tendon.edge.control.RobotSample;
import io.tendon.edge.control.SafetyTrips;
import io.tendon.edge.control.TargetBuffer;
import io.tendon.edge.control.Targets;
import io.tendon.edge.runtime.ControlService;
import io.tendon.edge.sim.PegInHoleSim;
import io.tendon.edge.sim.SimSettings;
import io.tendon.schemas.v1.Ack;
import io.tendon.schemas.v1.EdgeStatus;
import io.tendon.schemas.v1.EdgeStatusRequest;
import io.tendon.schemas.v1.EdgeStatusService;
import io.tendon.schemas.v1.PreemptRequest;
import io.tendon.schemas.v1.RobotCommand;
import io.tendon.schemas.v1.SessionKind;
import io.tendon.schemas.v1.Sessions;
import io.tendon.testing.KafkaBrokerResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The gRPC robot bridge end to end: a Java driver wrapping the simulator's physics drives the
 * robot-clocked loop through the RobotBridge stream on the bridge's own listener.
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
            return Map.of("tendon.edge.bridge", "grpc", "tendon.safety.watchdog.state-timeout", "0.4",
                    "tendon.edge.bridge-server.driver-lease-ms", "1500");
        }
    }

    @Inject
    ControlService control;

    @Inject
    BridgeServer bridgeServer;

    @GrpcClient("edge")
    EdgeStatusService status;

    @GrpcClient("edge")
    Sessions sessions;

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
        SimulatedRobotDriver driver = new SimulatedRobotDriver(sim, control.settings().dt, bridgeServer.port());
        RobotSample start = driver.measured();
        start.pose.toVector(target, 0);
        target[0] += 0.02; // 2 cm along x
        publishTargets();

        driver.connect();
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
        try (SimulatedRobotDriver second = new SimulatedRobotDriver(sim, control.settings().dt, bridgeServer.port())) {
            second.connect();
            second.send(driver.state(1, 1));
            Object refused = second.in.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertInstanceOf(StatusRuntimeException.class, refused);
            assertEquals(Status.Code.FAILED_PRECONDITION, ((StatusRuntimeException) refused).getStatus().getCode());
        }

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
        driver.connect();
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
        assertEquals(SimulatedRobotDriver.COMPLETED, driver.in.poll(5, java.util.concurrent.TimeUnit.SECONDS),
                "a half-close is answered with the end of the command stream");
        driver.close();
    }

    /** A driver of a simulated arm held at 0.1 m (episode {@code seed}), connected once the bridge is free. */
    private SimulatedRobotDriver connectedDriver(long seed) {
        PegInHoleSim sim = new PegInHoleSim(SimSettings.with(Map.of("tendon.sim.start-height", "0.1")), control.settings().dt);
        sim.reset(seed);
        SimulatedRobotDriver driver = new SimulatedRobotDriver(sim, control.settings().dt, bridgeServer.port());
        await().atMost(Duration.ofSeconds(5)).until(() -> !control.robotLink().robotConnected());
        driver.connect();
        return driver;
    }

    @Test
    void everyStateOfABurstGetsExactlyOneCommandSupersededOnesTheNewest() throws Exception {
        GrpcRobotLink link = control.robotLink();
        long unanswered = link.statesUnanswered.get();
        try (SimulatedRobotDriver driver = connectedDriver(3)) {
            long superseded = link.commandsSuperseded.get();
            // 800 states (within the 1024 the answer queue holds) as fast as the driver can write them:
            // far faster than the loop ticks.
            int n = 800;
            for (int i = 1; i <= n; i++) {
                driver.send(driver.state(i, System.nanoTime()));
            }
            Set<Long> answered = new HashSet<>();
            long last = 0;
            int supersededSeen = 0;
            for (int i = 0; i < n; i++) {
                RobotCommand c = driver.next();
                assertTrue(answered.add(c.getStateSequence()), "one command per state: " + c.getStateSequence());
                assertTrue(c.getStateSequence() > last, "in order");
                last = c.getStateSequence();
                supersededSeen += c.getSuperseded() ? 1 : 0;
            }
            assertEquals(n, answered.size());
            assertEquals(unanswered, link.statesUnanswered.get());
            assertTrue(supersededSeen > 0, "a burst supersedes states");
            assertEquals(supersededSeen, link.commandsSuperseded.get() - superseded);
            driver.disconnect();
        }
    }

    @Test
    void aDriverThatHalfClosesRightAfterABurstGetsACommandForEveryState() throws Exception {
        GrpcRobotLink link = control.robotLink();
        long unanswered = link.statesUnanswered.get();
        try (SimulatedRobotDriver driver = connectedDriver(5)) {
            int n = 300;
            for (int i = 1; i <= n; i++) {
                driver.send(driver.state(i, System.nanoTime()));
            }
            // The driver is done: its last states are still waiting for their ticks.
            driver.disconnect();
            Set<Long> answered = new HashSet<>();
            Object o;
            while ((o = driver.in.poll(5, java.util.concurrent.TimeUnit.SECONDS)) instanceof RobotCommand c) {
                assertTrue(answered.add(c.getStateSequence()), "one command per state: " + c.getStateSequence());
            }
            assertEquals(SimulatedRobotDriver.COMPLETED, o, "then the end of the command stream");
            assertEquals(n, answered.size(), "every state up to the last one answered");
            assertEquals(unanswered, link.statesUnanswered.get());
        }
    }

    @Test
    void aSilentDriverLosesItsLeaseAndAnOperatorPreemptsAnother() throws Exception {
        GrpcRobotLink link = control.robotLink();
        PegInHoleSim sim = new PegInHoleSim(SimSettings.with(Map.of()), control.settings().dt);
        sim.reset(4);
        try (SimulatedRobotDriver silent = new SimulatedRobotDriver(sim, control.settings().dt, bridgeServer.port());
                SimulatedRobotDriver next = new SimulatedRobotDriver(sim, control.settings().dt, bridgeServer.port())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> !link.robotConnected());
            long expired = link.sessionsEnded(GrpcRobotLink.End.LEASE_EXPIRED);
            silent.connect();
            silent.exchange();
            // The driver stalls (its process hangs, its network blackholes): the 1.5 s lease ends it.
            Object end = silent.in.poll(5, java.util.concurrent.TimeUnit.SECONDS);
            assertInstanceOf(StatusRuntimeException.class, end);
            assertEquals(Status.Code.ABORTED, ((StatusRuntimeException) end).getStatus().getCode());
            assertTrue(((StatusRuntimeException) end).getStatus().getDescription().contains("lease expired"));
            assertEquals(expired + 1, link.sessionsEnded(GrpcRobotLink.End.LEASE_EXPIRED));

            next.connect();
            next.exchange();
            EdgeStatus s = status();
            assertEquals(1, s.getSessionsCount());
            assertEquals(SessionKind.ROBOT_DRIVER, s.getSessions(0).getKind());
            assertEquals("test-driver", s.getSessions(0).getPrincipal());
            Ack ack = sessions.preempt(PreemptRequest.newBuilder().setKind(SessionKind.ROBOT_DRIVER)
                    .setReason("driver hung").build()).await().atMost(Duration.ofSeconds(10));
            assertTrue(ack.getAccepted(), ack.getReason());
            Object preempted = next.in.poll(5, java.util.concurrent.TimeUnit.SECONDS);
            assertInstanceOf(StatusRuntimeException.class, preempted);
            assertEquals(Status.Code.ABORTED, ((StatusRuntimeException) preempted).getStatus().getCode());
            assertTrue(((StatusRuntimeException) preempted).getStatus().getDescription()
                    .contains("pre-empted by operator test-operator: driver hung"));
            assertFalse(link.robotConnected());
            assertFalse(sessions.preempt(PreemptRequest.newBuilder().setKind(SessionKind.ROBOT_DRIVER).build())
                    .await().atMost(Duration.ofSeconds(10)).getAccepted(), "nothing left to pre-empt");
        }
    }
}
