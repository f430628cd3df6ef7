package io.tendon.edge.control;

import static io.tendon.edge.control.LoopRig.k;
import static io.tendon.edge.control.LoopRig.pose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each stage of the safety pipeline fires, changes the command as specified, and is counted. */
class SafetyPipelineTest {

    private static int index(int flag) {
        return Integer.numberOfTrailingZeros(flag);
    }

    /** Starts a rig whose ideal robot rests at (0.5, 0, 0.1) with fresh targets there. */
    private static LoopRig settled(Map<String, String> overrides) {
        LoopRig rig = new LoopRig(overrides);
        rig.externalForce(0, 0, 0);
        rig.policyTargets(pose(0.5, 0, 0.1), k(1000, 50));
        rig.ticks(5);
        assertFalse(rig.command.holding, "released once state and targets are fresh");
        return rig;
    }

    @Test
    void nonFiniteTargetsAreRejectedAndTheLastGoodOnesKept() {
        LoopRig rig = settled(Map.of());
        rig.policyTargets(pose(0.52, 0, 0.1), k(1000, 50));
        rig.ticks(200);
        double x = rig.command.pose.position[0];
        rig.policyTargets(pose(Double.NaN, 0, 0.1), k(1000, 50));
        int trips = rig.tick();
        assertTrue((trips & SafetyTrips.NON_FINITE) != 0);
        assertEquals(1, rig.metrics.trips(index(SafetyTrips.NON_FINITE)));
        rig.ticks(2000);
        assertEquals(0.52, rig.command.pose.position[0], 1e-4, "still heading for the last good target");
        assertTrue(Double.isFinite(x));
    }

    @Test
    void nonFiniteRobotStateIsRejected() {
        LoopRig rig = settled(Map.of());
        rig.robot.wrench[2] = Double.POSITIVE_INFINITY;
        int trips = rig.tick();
        assertTrue((trips & SafetyTrips.NON_FINITE) != 0);
        assertTrue(rig.command.pose.isFinite());
        assertEquals(1, rig.metrics.trips(index(SafetyTrips.NON_FINITE)));
        // A broken quaternion is non-finite input too.
        rig.robot.wrench[2] = 0;
        rig.robot.pose.orientation[0] = 3;
        assertTrue((rig.tick() & SafetyTrips.NON_FINITE) != 0);
    }

    @Test
    void stiffnessIsClampedToItsBounds() {
        LoopRig rig = settled(Map.of());
        rig.policyTargets(pose(0.5, 0, 0.1), new double[] {1e6, 5, 1000, 1e4, 50, 0.01});
        int trips = rig.tick();
        assertTrue((trips & SafetyTrips.STIFFNESS_CLAMPED) != 0);
        assertEquals(rig.settings.stiffnessMaxLinear, rig.command.stiffness[0]);
        assertEquals(rig.settings.stiffnessMinLinear, rig.command.stiffness[1]);
        assertEquals(1000, rig.command.stiffness[2]);
        assertEquals(rig.settings.stiffnessMaxAngular, rig.command.stiffness[3]);
        assertEquals(rig.settings.stiffnessMinAngular, rig.command.stiffness[5]);
        assertEquals(1, rig.metrics.trips(index(SafetyTrips.STIFFNESS_CLAMPED)));
    }

    @Test
    void commandIsTruncatedToTheWorkspaceBox() {
        LoopRig rig = settled(Map.of());
        rig.policyTargets(pose(0.9, 0, 0.1), k(1000, 50)); // x-max is 0.8
        int all = rig.ticks(5000);
        assertTrue((all & SafetyTrips.WORKSPACE) != 0);
        assertEquals(0.8, rig.command.pose.position[0], 1e-12);
        assertTrue(rig.metrics.trips(index(SafetyTrips.WORKSPACE)) > 0);
    }

    @Test
    void speedIsLimitedLinearAndAngular() {
        LoopRig rig = settled(Map.of());
        rig.policyTargets(new double[] {0.7, 0, 0.1, 0, 0, 1.0}, k(5000, 300));
        double maxSpeed = 0;
        double maxAngular = 0;
        int all = 0;
        for (int i = 0; i < 3000; i++) {
            all |= rig.tick();
            double[] v = rig.command.twist;
            maxSpeed = Math.max(maxSpeed, Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]));
            maxAngular = Math.max(maxAngular, Math.sqrt(v[3] * v[3] + v[4] * v[4] + v[5] * v[5]));
        }
        assertTrue((all & SafetyTrips.VELOCITY_LIMIT) != 0);
        assertEquals(rig.settings.maxLinearSpeed, maxSpeed, 1e-9, "reaches but never exceeds the speed limit");
        assertEquals(rig.settings.maxAngularSpeed, maxAngular, 1e-6);
        assertEquals(0.7, rig.command.pose.position[0], 1e-4, "still gets there");
    }

    @Test
    void accelerationIsLimited() {
        LoopRig rig = settled(Map.of());
        rig.policyTargets(pose(0.6, 0, 0.1), k(5000, 50));
        double maxChange = 0;
        double[] previous = new double[3];
        int all = 0;
        for (int i = 0; i < 500; i++) {
            all |= rig.tick();
            double[] v = rig.command.twist;
            double dx = v[0] - previous[0];
            double dy = v[1] - previous[1];
            double dz = v[2] - previous[2];
            maxChange = Math.max(maxChange, Math.sqrt(dx * dx + dy * dy + dz * dz));
            System.arraycopy(v, 0, previous, 0, 3);
        }
        assertTrue((all & SafetyTrips.ACCELERATION_LIMIT) != 0);
        assertEquals(rig.settings.maxLinearAcceleration * rig.settings.dt, maxChange, 1e-9);
    }

    @Test
    void stepPerTickIsLimited() {
        // A step limit tighter than speed * period makes the step stage the binding one.
        LoopRig rig = settled(Map.of("tendon.safety.max-linear-step", "0.0001"));
        rig.policyTargets(pose(0.6, 0, 0.1), k(5000, 50));
        double maxStep = 0;
        double x = rig.command.pose.position[0];
        int all = 0;
        for (int i = 0; i < 2000; i++) {
            all |= rig.tick();
            maxStep = Math.max(maxStep, Math.abs(rig.command.pose.position[0] - x));
            x = rig.command.pose.position[0];
        }
        assertTrue((all & SafetyTrips.STEP_LIMIT) != 0);
        assertEquals(0.0001, maxStep, 1e-12);
        assertTrue(rig.metrics.trips(index(SafetyTrips.STEP_LIMIT)) > 0);
    }

    @Test
    void contactForceAboveTheCapBacksOffAlongTheForce() {
        LoopRig rig = settled(Map.of());
        // The policy pushes down into something; the surface pushes back with 60 N (cap 40 N).
        rig.policyTargets(pose(0.5, 0, 0.05), k(1000, 50));
        rig.ticks(50);
        rig.externalForce(0, 0, 60);
        double z0 = rig.command.pose.position[2];
        int all = rig.ticks(200);
        assertTrue((all & SafetyTrips.FORCE_LIMIT) != 0);
        assertTrue(rig.command.pose.position[2] > z0 + 0.005, "moved up, along the force, away from the contact");
        assertTrue(rig.command.twist[2] > 0);
        assertEquals(200, rig.metrics.trips(index(SafetyTrips.FORCE_LIMIT)), 5);
    }

    @Test
    void watchdogHoldsWhenTargetsGoStaleEasesToTheMeasuredPoseAndReleases() {
        LoopRig rig = settled(Map.of());
        rig.policyTargets(pose(0.55, 0, 0.1), k(1000, 50));
        rig.keepTargetsFresh = false;
        rig.ticks(200);
        long holdsBefore = rig.metrics.holdsEntered.get();
        // No new targets: after the targets timeout (1 s) the watchdog holds.
        int ticksToTimeout = (int) (rig.settings.targetsTimeoutNanos / rig.settings.periodNanos);
        rig.ticks(ticksToTimeout - 200);
        assertFalse(rig.command.holding);
        rig.robotFollows = false;
        rig.robot.pose.position[0] += 0.01; // someone pushed the arm 1 cm while we stopped listening
        int trips = rig.ticks(5);
        assertTrue((trips & SafetyTrips.WATCHDOG) != 0);
        assertTrue(rig.command.holding);
        assertEquals(holdsBefore + 1, rig.metrics.holdsEntered.get());
        assertTrue(rig.metrics.holding());
        // Easing toward the measured pose, never more than one step per tick.
        double before = rig.command.pose.position[0];
        rig.ticks(2000);
        assertEquals(rig.robot.pose.position[0], rig.command.pose.position[0], 1e-4);
        assertTrue(rig.command.pose.position[0] > before);
        // Fresh targets again: released at the measured pose, motion resumes from there.
        rig.robotFollows = true;
        rig.policyTargets(pose(0.5, 0, 0.1), k(1000, 50));
        rig.ticks(3);
        assertFalse(rig.command.holding);
        assertFalse(rig.metrics.holding());
        rig.ticks(3000);
        assertEquals(0.5, rig.command.pose.position[0], 1e-4);
    }

    @Test
    void watchdogHoldsWhenTheRobotStateStopsAndWhenTheConnectionIsLost() {
        LoopRig rig = settled(Map.of());
        // The state keeps its old receive time: stale after the state timeout.
        long stale = rig.robot.receivedNanos;
        int trips = 0;
        for (int i = 0; i < 50; i++) {
            rig.now += rig.settings.periodNanos;
            rig.robot.receivedNanos = stale;
            rig.loop.tick(rig.now, rig.robot, rig.command);
            trips |= rig.command.safetyTrips;
        }
        assertTrue((trips & SafetyTrips.WATCHDOG) != 0);
        rig.ticks(5);
        assertFalse(rig.command.holding, "fresh states again, pose unchanged: released");
        rig.loop.connectionLost(rig.now);
        rig.now += 1; // states received before the loss no longer count
        rig.robot.receivedNanos = rig.now - 1;
        rig.loop.tick(rig.now, rig.robot, rig.command);
        assertTrue(rig.command.holding);
        rig.ticks(3);
        assertFalse(rig.command.holding, "a new connection's fresh states release it");
    }

    @Test
    void noConfigurationTurnsTheSafetyOff() {
        // Every bound has a finite, positive limit: there is no value meaning "unlimited".
        for (ParameterSpec p : ControlParameterTable.ALL) {
            assertTrue(Double.isFinite(p.max()) && Double.isFinite(p.min()), p.key());
            if (p.key().startsWith("tendon.safety.max-")) {
                assertTrue(p.min() > 0 && p.max() < 1e4, p.key());
            }
        }
    }
}
