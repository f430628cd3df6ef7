package io.tendon.edge.control;

import static io.tendon.edge.control.LoopRig.k;
import static io.tendon.edge.control.LoopRig.pose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Target hand-over: the human override, keeping the last value, and the wrench front end. */
class ControlLoopTest {

    @Test
    void engagedHumanTargetsOverrideThePolicyAtTheNextTickAndHandBack() {
        LoopRig rig = new LoopRig();
        rig.policyTargets(pose(0.5, 0, 0.1), k(1000, 50));
        rig.ticks(10);
        rig.humanTargets(pose(0.55, 0, 0.1), k(1000, 50), true);
        rig.tick();
        assertTrue(rig.command.human, "the very next tick follows the person");
        assertEquals(0.55, rig.command.virtualTarget[0]);
        assertTrue(rig.metrics.humanEngaged());
        long engagedTicks = rig.metrics.ticksHumanEngaged.get();
        rig.ticks(9);
        assertEquals(engagedTicks + 9, rig.metrics.ticksHumanEngaged.get());
        // The policy keeps publishing meanwhile; its newest value is used once the person lets go.
        rig.policyTargets(pose(0.45, 0, 0.1), k(1000, 50));
        rig.tick();
        assertEquals(0.55, rig.command.virtualTarget[0], "still the person's");
        rig.humanTargets(pose(0.55, 0, 0.1), k(1000, 50), false);
        rig.tick();
        assertFalse(rig.command.human);
        assertEquals(0.45, rig.command.virtualTarget[0], "back to the policy's newest targets");
    }

    @Test
    void withoutNewTargetsTheLastOnesAreKept() {
        LoopRig rig = new LoopRig();
        rig.keepTargetsFresh = false;
        rig.policyTargets(pose(0.52, 0.01, 0.1), k(1000, 50));
        rig.ticks(900); // within the targets timeout
        assertEquals(0.52, rig.command.virtualTarget[0]);
        assertEquals(0.52, rig.command.pose.position[0], 1e-4, "converged on the last targets");
        assertFalse(rig.command.holding);
    }

    @Test
    void noCommandBeforeTheFirstValidState() {
        LoopRig rig = new LoopRig();
        rig.robot.pose.position[0] = Double.NaN;
        rig.tick();
        assertFalse(rig.command.valid);
        rig.robot.pose.position[0] = 0.5;
        rig.tick();
        assertTrue(rig.command.valid);
        assertEquals(0.5, rig.command.pose.position[0], 1e-12, "starts holding at the measured pose");
    }

    @Test
    void toolWeightIsCompensatedForAnyOrientationAndBiasIsTared() {
        LoopRig rig = new LoopRig(Map.of("tendon.admittance.tool-mass", "1.5", "tendon.admittance.tool-com-x", "0.1",
                "tendon.admittance.tool-com-z", "0.05"));
        rig.policyTargets(pose(0.5, 0, 0.1), k(1000, 50));
        rig.robotFollows = false;
        // Tool rolled 90 degrees about x: its centre of mass (0.1, 0, 0.05) in the tool frame sits at (0.1, -0.05, 0).
        rig.robot.pose.set(0.5, 0, 0.1, Math.cos(Math.PI / 4), Math.sin(Math.PI / 4), 0, 0);
        double w = 1.5 * WrenchProcessor.GRAVITY;
        double[] com = {0.1, -0.05, 0};
        // Raw reading: the tool's weight (0, 0, -w) at com, plus a sensor offset, plus a 3 N push along y.
        double[] bias = {0.4, -0.2, 0.3, 0.01, 0.02, -0.03};
        rig.robot.wrench[0] = bias[0];
        rig.robot.wrench[1] = bias[1] + 3;
        rig.robot.wrench[2] = bias[2] - w;
        rig.robot.wrench[3] = bias[3] + com[1] * -w;
        rig.robot.wrench[4] = bias[4] - com[0] * -w;
        rig.robot.wrench[5] = bias[5];
        rig.tick();
        assertEquals(bias[0], rig.command.wrench[0], 1e-9);
        assertEquals(bias[1] + 3, rig.command.wrench[1], 1e-9);
        assertEquals(bias[2], rig.command.wrench[2], 1e-9, "weight removed");
        assertEquals(bias[3], rig.command.wrench[3], 1e-9, "weight's moment removed");
        assertEquals(bias[4], rig.command.wrench[4], 1e-9);
        // Tare with the push released: the offset goes, the push is measured exactly.
        rig.robot.wrench[1] = bias[1];
        for (int i = 0; i < 500; i++) {
            rig.tick();
        }
        rig.loop.requestTare();
        rig.tick();
        rig.robot.wrench[1] = bias[1] + 3;
        rig.ticks(500);
        assertEquals(3, rig.command.wrench[1], 1e-6);
        assertEquals(0, rig.command.wrench[0], 1e-6);
        assertEquals(0, rig.command.wrench[2], 1e-6);
    }

    @Test
    void wrenchFilterHasTheConfiguredCutoff() {
        // A sine at the cut-off frequency comes out at 1/sqrt(2) of its amplitude (first order).
        LoopRig rig = new LoopRig(Map.of("tendon.admittance.wrench-cutoff-hz", "20", "tendon.admittance.tool-mass", "0"));
        rig.policyTargets(pose(0.5, 0, 0.1), k(1000, 50));
        rig.robotFollows = false;
        double max = 0;
        for (int i = 0; i < 3000; i++) {
            rig.robot.wrench[0] = 10 * Math.sin(2 * Math.PI * 20 * i * rig.settings.dt);
            rig.tick();
            if (i > 2000) {
                max = Math.max(max, rig.command.wrench[0]);
            }
        }
        assertEquals(10 / Math.sqrt(2), max, 0.4);
    }

    @Test
    void afterARestartTargetsMadeBeforeItAreNotExecuted() {
        // A chunked policy's executor keeps handing out rows of the plan it has, made for the
        // world before the restart (a simulator reset), until the policy publishes a new one.
        ControlSettings settings = ControlSettings.defaults();
        Targets plan = new Targets();
        TargetSource executor = (now, into) -> {
            into.copyFrom(plan);
            return true;
        };
        ControlLoop loop = new ControlLoop(settings, executor, new TargetBuffer(), new ControlCounters());
        RobotSample robot = new RobotSample();
        Command command = new Command();
        long[] now = {1_000_000_000L};
        robot.pose.set(0.5, 0, 0.1, 1, 0, 0, 0);
        robot.wrench[2] = -settings.toolMass * WrenchProcessor.GRAVITY; // the tool's weight, nothing else
        Runnable tick = () -> {
            now[0] += settings.periodNanos;
            robot.receivedNanos = now[0];
            robot.sequence++;
            loop.tick(now[0], robot, command);
            robot.pose.copyFrom(command.pose); // an ideal arm at the command
        };
        setTargets(plan, 0.5, -0.01, now[0]); // last episode: down into its hole
        for (int i = 0; i < 500; i++) {
            tick.run();
        }
        assertTrue(command.pose.position[2] < 0.05, "followed the old targets: " + command.pose.position[2]);

        // Reset: the arm is somewhere else, at rest; the old plan is still being handed out.
        robot.pose.set(0.45, 0.02, 0.1, 1, 0, 0, 0);
        java.util.Arrays.fill(robot.twist, 0);
        robot.receivedNanos = now[0] + settings.periodNanos;
        loop.restart(robot);
        for (int i = 0; i < 100; i++) {
            tick.run();
            assertEquals(0.45, command.pose.position[0], 1e-12, "holds where the restart found it");
            assertEquals(0.1, command.pose.position[2], 1e-12);
            assertTrue(command.holding);
        }
        assertEquals(0.0, loop.activeTargets().virtualTarget[2], "no targets in use");

        // The policy's first plan for the new episode is followed.
        setTargets(plan, 0.45, 0.09, now[0]);
        for (int i = 0; i < 800; i++) { // within the targets timeout
            tick.run();
        }
        assertFalse(command.holding);
        assertEquals(0.09, command.pose.position[2], 1e-4);
    }

    @Test
    void aTakeoverEndsWithTheEpisode() {
        // A person took over in the last episode; after the reset the policy's new plan is
        // followed at once (before, the loop stayed on the person's side with no targets and held
        // until the person acted again, so the policy never ran after a first takeover).
        ControlSettings settings = ControlSettings.defaults();
        Targets plan = new Targets();
        TargetSource executor = (now, into) -> {
            into.copyFrom(plan);
            return true;
        };
        TargetBuffer person = new TargetBuffer();
        ControlLoop loop = new ControlLoop(settings, executor, person, new ControlCounters());
        RobotSample robot = new RobotSample();
        Command command = new Command();
        long[] now = {1_000_000_000L};
        robot.pose.set(0.5, 0.02, 0.1, 1, 0, 0, 0);
        robot.wrench[2] = -settings.toolMass * WrenchProcessor.GRAVITY;
        Runnable tick = () -> {
            now[0] += settings.periodNanos;
            robot.receivedNanos = now[0];
            robot.sequence++;
            loop.tick(now[0], robot, command);
            robot.pose.copyFrom(command.pose);
        };
        setTargets(plan, 0.5, 0.1, now[0]);
        tick.run();
        Targets t = person.beginWrite();
        setTargets(t, 0.5, 0.08, now[0]);
        t.human = true;
        person.publish();
        tick.run();
        assertTrue(loop.engaged());
        assertTrue(command.human);

        robot.receivedNanos = now[0] + settings.periodNanos;
        loop.restart(robot);
        assertFalse(loop.engaged(), "the reset ends the takeover");
        setTargets(plan, 0.5, 0.09, now[0] + 2 * settings.periodNanos);
        for (int i = 0; i < 800; i++) {
            tick.run();
        }
        assertFalse(command.human);
        assertFalse(command.holding);
        assertEquals(0.09, loop.activeTargets().pose[2], 1e-12, "the policy's targets are in use");
        assertEquals(0.09, command.pose.position[2], 1e-4);
    }

    private static void setTargets(Targets t, double x, double z, long createdNanos) {
        double[] p = pose(x, 0.02, z);
        System.arraycopy(p, 0, t.pose, 0, 6);
        System.arraycopy(p, 0, t.virtualTarget, 0, 6);
        System.arraycopy(k(1000, 50), 0, t.stiffness, 0, 6);
        t.createdNanos = createdNanos;
        t.sequence++;
    }
}
