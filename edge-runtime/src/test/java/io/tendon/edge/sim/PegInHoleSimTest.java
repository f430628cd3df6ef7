package io.tendon.edge.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.edge.control.Command;
import io.tendon.edge.control.ControlSettings;
import io.tendon.edge.control.RobotSample;
import io.tendon.edge.control.SimulatedClockPacer;
import io.tendon.edge.control.TargetSource;
import io.tendon.edge.control.Targets;
import io.tendon.edge.control.WrenchProcessor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Known answers of the simulated physics, alone and with the controller in the loop. */
class PegInHoleSimTest {

    private static final double DT = 0.001;
    private final SimSettings s = SimSettings.with(Map.of("tendon.sim.wrench-noise-force", "0",
            "tendon.sim.wrench-noise-torque", "0"));

    private static Command commandAt(double x, double y, double z) {
        Command c = new Command();
        c.valid = true;
        c.pose.set(x, y, z, 1, 0, 0, 0);
        return c;
    }

    @Test
    void armTracksTheCommandWithFiniteBandwidth() {
        PegInHoleSim sim = new PegInHoleSim(s, DT);
        sim.reset(1);
        RobotSample r = new RobotSample();
        sim.sense(0, 0, r);
        double x0 = r.pose.position[0];
        Command c = commandAt(x0 + 0.001, r.pose.position[1], r.pose.position[2]);
        sim.step(c);
        sim.sense(0, 1, r);
        assertTrue(r.pose.position[0] - x0 < 0.0002, "no teleporting: finite bandwidth");
        for (int i = 0; i < 200; i++) {
            sim.step(c);
        }
        sim.sense(0, 2, r);
        assertEquals(x0 + 0.001, r.pose.position[0], 1e-7, "and it gets there");
        assertEquals(-s.toolMass * WrenchProcessor.GRAVITY, r.wrench[2], 1e-9, "free space: the sensor reads the tool's weight");
    }

    @Test
    void pressingIntoTheTableGivesTheSeriesSpringForce() {
        PegInHoleSim sim = new PegInHoleSim(s, DT);
        sim.reset(1);
        // 20 mm away from the hole, commanded 0.2 mm into the table: arm PD spring in series with the contact.
        double x = sim.hole()[0] + 0.02;
        Command c = commandAt(x, sim.hole()[1], -0.0002);
        for (int i = 0; i < 1000; i++) {
            c.pose.position[2] = Math.max(-0.0002, 0.05 - i * 0.0001);
            sim.step(c);
        }
        double omega = 2 * Math.PI * s.armBandwidthHz;
        double kp = s.armMass * omega * omega;
        double series = kp * s.contactStiffness / (kp + s.contactStiffness);
        assertEquals(series * 0.0002, sim.contactForce(), series * 0.0002 * 0.01);
        RobotSample r = new RobotSample();
        sim.sense(0, 0, r);
        assertEquals(sim.contactForce() - s.toolMass * WrenchProcessor.GRAVITY, r.wrench[2], 1e-6, "+z: the table pushes up");
        assertFalse(sim.inserted());
    }

    @Test
    void slidingOnTheTableMeetsCoulombFriction() {
        PegInHoleSim sim = new PegInHoleSim(s, DT);
        sim.reset(1);
        double x = sim.hole()[0] + 0.02;
        Command c = commandAt(x, sim.hole()[1] + 0.01, 0.001);
        for (int i = 0; i < 300; i++) {
            c.pose.position[2] = Math.max(-0.0002, 0.001 - i * 0.00001);
            sim.step(c);
        }
        // Slide along +y at 10 mm/s while pressing.
        RobotSample r = new RobotSample();
        for (int i = 0; i < 500; i++) {
            c.pose.position[1] += 0.00001;
            c.twist[1] = 0.01;
            sim.step(c);
        }
        sim.sense(0, 0, r);
        double normal = r.wrench[2] + s.toolMass * WrenchProcessor.GRAVITY;
        assertTrue(normal > 5, "pressing: " + normal);
        assertEquals(-s.friction * normal, r.wrench[1], s.friction * normal * 0.05, "kinetic friction opposes the motion");
    }

    @Test
    void holeIsRandomisedWithinItsBoundsAndTheEstimateIsNoisy() {
        PegInHoleSim sim = new PegInHoleSim(SimSettings.defaults(), DT);
        double maxOffset = 0;
        double sq = 0;
        int n = 2000;
        for (int seed = 0; seed < n; seed++) {
            sim.reset(seed);
            for (int i = 0; i < 2; i++) {
                double nominal = i == 0 ? 0.5 : 0.0;
                double offset = sim.hole()[i] - nominal;
                assertTrue(Math.abs(offset) <= 0.005);
                maxOffset = Math.max(maxOffset, Math.abs(offset));
                double err = sim.holeEstimate()[i] - sim.hole()[i];
                assertTrue(Math.abs(err) <= 0.003 + 1e-12, "clipped at 3 sigma");
                sq += err * err;
            }
        }
        assertTrue(maxOffset > 0.0049, "uses the whole +-5 mm");
        assertEquals(0.001, Math.sqrt(sq / (2 * n)), 0.0001, "estimate sigma 1 mm");
    }

    /** Holds one virtual target forever, stamped fresh at each call. */
    private static final class Hold implements TargetSource {
        final Targets t = new Targets();

        @Override
        public boolean targetsAt(long nowNanos, Targets into) {
            t.createdNanos = nowNanos;
            into.copyFrom(t);
            return true;
        }
    }

    @Test
    void closedLoopDeflectionUnderAnExternalForceIsForceOverStiffness() {
        ControlSettings control = ControlSettings.defaults();
        SimSettings high = SimSettings.with(Map.of("tendon.sim.start-height", "0.2", "tendon.sim.episode-timeout", "600"));
        Hold hold = new Hold();
        double k = 800;
        for (int i = 0; i < 6; i++) {
            hold.t.stiffness[i] = i < 3 ? k : 50;
        }
        double force = 12;
        SimEpisodeRunner runner = SimEpisodeRunner.builder(control, high).expert(ExpertRole.NONE).policy(hold)
                .forceProfile(new ForceProfile(ForceProfile.Shape.STEP, 1, force, 0.5, 100, 0)).firstSeed(4).build();
        SimulatedClockPacer pacer = new SimulatedClockPacer(control.periodNanos, 0, runner);
        pacer.run(1);
        RobotSample start = runner.sample();
        hold.t.virtualTarget[0] = start.pose.position[0];
        hold.t.virtualTarget[1] = start.pose.position[1];
        hold.t.virtualTarget[2] = start.pose.position[2];
        System.arraycopy(hold.t.virtualTarget, 0, hold.t.pose, 0, 6);
        pacer.run(8000);
        double commanded = runner.command().pose.position[1] - hold.t.virtualTarget[1];
        assertEquals(force / k, commanded, force / k * 0.01, "commanded deflection F/K");
        double measured = runner.sample().pose.position[1] - hold.t.virtualTarget[1];
        double omega = 2 * Math.PI * high.armBandwidthHz;
        double kp = high.armMass * omega * omega;
        assertEquals(force / k + force / kp, measured, force / k * 0.01, "measured: plus the arm's own stiffness");
        assertEquals(0, runner.episodes(), "no contact, no timeout");
    }
}
