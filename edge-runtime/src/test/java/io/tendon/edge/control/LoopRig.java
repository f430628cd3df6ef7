package io.tendon.edge.control;

import java.util.Map;

/**
 * A control loop on a simulated clock against an ideal robot that sits exactly at the last
 * command (its measured wrench set by the test). For pipeline tests that need no physics.
 */
final class LoopRig {

    final ControlSettings settings;
    final ControlCounters metrics = new ControlCounters();
    final TargetBuffer policy = new TargetBuffer();
    final TargetBuffer human = new TargetBuffer();
    final ControlLoop loop;
    final RobotSample robot = new RobotSample();
    final Command command = new Command();
    long now = 1_000_000_000L;
    long sequence;
    long targetSequence;
    boolean robotFollows = true;
    /** Re-publish the newest policy targets every 100 ms, as a live policy would. */
    boolean keepTargetsFresh = true;
    private final double[] lastVt = new double[6];
    private final double[] lastK = new double[6];
    private boolean havePolicy;
    private long lastPublished;

    LoopRig(Map<String, String> overrides) {
        settings = ControlSettings.with(overrides);
        loop = new ControlLoop(settings, policy, human, metrics);
        robot.pose.set(0.5, 0, 0.1, 1, 0, 0, 0);
    }

    LoopRig() {
        this(Map.of());
    }

    /** Publishes per-axis targets at the virtual target {@code vt} (pose = vt) on the policy side. */
    void policyTargets(double[] vt, double[] k) {
        Targets t = policy.beginWrite();
        fill(t, vt, k, false);
        policy.publish();
        System.arraycopy(vt, 0, lastVt, 0, 6);
        System.arraycopy(k, 0, lastK, 0, 6);
        havePolicy = true;
        lastPublished = now;
    }

    void humanTargets(double[] vt, double[] k, boolean engaged) {
        Targets t = human.beginWrite();
        fill(t, vt, k, engaged);
        human.publish();
    }

    private void fill(Targets t, double[] vt, double[] k, boolean person) {
        System.arraycopy(vt, 0, t.virtualTarget, 0, 6);
        System.arraycopy(vt, 0, t.pose, 0, 6);
        System.arraycopy(k, 0, t.stiffness, 0, 6);
        t.scalarStiffness = false;
        t.human = person;
        t.forceAxes = 0;
        t.sequence = ++targetSequence;
        t.createdNanos = now;
    }

    /** One tick; the ideal robot then moves to the command. Returns the command's trip flags. */
    int tick() {
        now += settings.periodNanos;
        if (keepTargetsFresh && havePolicy && now - lastPublished >= 100_000_000L) {
            policyTargets(lastVt.clone(), lastK.clone());
        }
        robot.sequence = ++sequence;
        robot.receivedNanos = now;
        loop.tick(now, robot, command);
        if (robotFollows && command.valid) {
            robot.pose.copyFrom(command.pose);
            System.arraycopy(command.twist, 0, robot.twist, 0, 6);
        }
        return command.safetyTrips;
    }

    /** Ticks {@code n} times; returns the OR of all trip flags. */
    int ticks(int n) {
        int all = 0;
        for (int i = 0; i < n; i++) {
            all |= tick();
        }
        return all;
    }

    /** Weight the tool adds to the raw wrench, so tests can ask for a given external force. */
    void externalForce(double fx, double fy, double fz) {
        double w = settings.toolMass * WrenchProcessor.GRAVITY;
        robot.wrench[0] = fx;
        robot.wrench[1] = fy;
        robot.wrench[2] = fz - w;
        // Torque of the weight about the TCP for the current orientation (identity in these tests).
        robot.wrench[3] = settings.toolCom[1] * -w;
        robot.wrench[4] = -settings.toolCom[0] * -w;
        robot.wrench[5] = 0;
    }

    static double[] pose(double x, double y, double z) {
        return new double[] {x, y, z, 0, 0, 0};
    }

    static double[] k(double linear, double angular) {
        return new double[] {linear, linear, linear, angular, angular, angular};
    }
}
