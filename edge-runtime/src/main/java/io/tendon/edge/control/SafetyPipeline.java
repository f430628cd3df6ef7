package io.tendon.edge.control;

import org.ejml.data.DMatrix6;

/**
 * The one safety pipeline every command passes through, in this fixed order:
 *
 * <ol>
 *   <li>reject NaN/Inf: a non-finite robot state or targets sample is dropped, the last good
 *       one is kept ({@link #admitState}, {@link #admitTargets});</li>
 *   <li>clamp stiffness to the configured bounds ({@link #clampStiffness});</li>
 *   <li>workspace box: the commanded position is truncated to it;</li>
 *   <li>per-tick step, velocity and acceleration limits, linear and angular;</li>
 *   <li>contact-force cap: above the cap, motion into the contact is removed and the command
 *       backs off along the measured force (and torque) at a speed proportional to the excess;
 *       this stage overrides the acceleration limit, never the speed limit or the box;</li>
 *   <li>watchdog: when the robot state or the targets are not fresh, hold the last safe pose,
 *       easing it to the measured pose; release only when both are fresh again and the held
 *       pose has reached the measured one.</li>
 * </ol>
 *
 * Stages 1-2 screen the inputs of the admittance controller, stages 3-6 its output
 * ({@link #limit}). Each stage that changes something raises its {@link SafetyTrips} flag;
 * the loop counts them. Nothing switches the pipeline off. Allocation-free.
 */
public final class SafetyPipeline {

    private final ControlSettings s;
    private final double dt;

    private final Pose previous = new Pose();
    private final double[] previousTwist = new double[6];
    private final Pose held = new Pose();
    private boolean holding;
    private boolean released;

    private final double[] v = new double[3];
    private final double[] rot = new double[3];
    private final double[] q = new double[4];
    private final double[] scratch = new double[4];

    public SafetyPipeline(ControlSettings settings) {
        this.s = settings;
        this.dt = settings.dt;
    }

    /** Starts from {@code at} at rest; holding until the first fresh inputs (see {@link #limit}). */
    public void reset(Pose at, boolean hold) {
        previous.copyFrom(at);
        held.copyFrom(at);
        java.util.Arrays.fill(previousTwist, 0);
        holding = hold;
        released = false;
    }

    // ---- stage 1: finite inputs ------------------------------------------------------------

    /** Copies {@code candidate} into {@code accepted} when finite; else keeps it and returns NON_FINITE. */
    public int admitState(RobotSample candidate, RobotSample accepted) {
        if (!candidate.isFinite()) {
            return SafetyTrips.NON_FINITE;
        }
        accepted.copyFrom(candidate);
        return 0;
    }

    /** Copies {@code candidate} into {@code accepted} when finite; else keeps it and returns NON_FINITE. */
    public int admitTargets(Targets candidate, Targets accepted) {
        if (!candidate.isFinite()) {
            return SafetyTrips.NON_FINITE;
        }
        accepted.copyFrom(candidate);
        return 0;
    }

    // ---- stage 2: stiffness bounds ------------------------------------------------------------

    /** Clamps the stiffness of {@code t} in place; STIFFNESS_CLAMPED when something changed. */
    public int clampStiffness(Targets t) {
        boolean clamped = false;
        if (t.scalarStiffness) {
            double k = clamp(t.stiffnessAlongTarget, s.stiffnessMinLinear, s.stiffnessMaxLinear);
            clamped = k != t.stiffnessAlongTarget;
            t.stiffnessAlongTarget = k;
        } else {
            for (int i = 0; i < 6; i++) {
                double k = i < 3 ? clamp(t.stiffness[i], s.stiffnessMinLinear, s.stiffnessMaxLinear)
                        : clamp(t.stiffness[i], s.stiffnessMinAngular, s.stiffnessMaxAngular);
                clamped |= k != t.stiffness[i];
                t.stiffness[i] = k;
            }
        }
        return clamped ? SafetyTrips.STIFFNESS_CLAMPED : 0;
    }

    // ---- stages 3-6: the command -------------------------------------------------------------

    /**
     * Limits the admittance controller's proposal and writes the command into {@code out}
     * (pose, twist, holding); returns the trip flags of stages 3-6.
     *
     * @param proposal    pose the admittance controller wants to command
     * @param wrench      compensated, filtered contact wrench
     * @param measured    newest good robot state
     * @param stateFresh  the newest good state arrived within the state timeout
     * @param targetsFresh the targets in use were created within the targets timeout
     */
    public int limit(Pose proposal, DMatrix6 wrench, RobotSample measured, boolean stateFresh, boolean targetsFresh,
                     Command out) {
        int trips = 0;
        released = false;
        Pose cmd = out.pose;
        cmd.copyFrom(proposal);

        // 3. Workspace box.
        trips |= clampToWorkspace(cmd.position);

        // 4. Step, velocity, acceleration; linear.
        for (int i = 0; i < 3; i++) {
            v[i] = (cmd.position[i] - previous.position[i]) / dt;
        }
        trips |= limitRate(v, 0, s.maxLinearStep, s.maxLinearSpeed, s.maxLinearAcceleration);
        // ... angular, on the rotation vector from the previous orientation.
        Quaternions.multiplyConjugate(cmd.orientation, previous.orientation, q);
        Quaternions.log(q, rot, 0);
        for (int i = 0; i < 3; i++) {
            rot[i] /= dt;
        }
        trips |= limitRate(rot, 3, s.maxAngularStep, s.maxAngularSpeed, s.maxAngularAcceleration);

        // 5. Contact force / torque cap.
        trips |= backOff(v, wrench.a1, wrench.a2, wrench.a3, s.maxContactForce, s.forceBackoffGain,
                Math.min(s.maxLinearSpeed, s.maxLinearStep / dt));
        trips |= backOff(rot, wrench.a4, wrench.a5, wrench.a6, s.maxContactTorque, s.torqueBackoffGain,
                Math.min(s.maxAngularSpeed, s.maxAngularStep / dt));

        for (int i = 0; i < 3; i++) {
            cmd.position[i] = previous.position[i] + v[i] * dt;
        }
        trips |= clampToWorkspace(cmd.position);
        cmd.orientation[0] = previous.orientation[0];
        cmd.orientation[1] = previous.orientation[1];
        cmd.orientation[2] = previous.orientation[2];
        cmd.orientation[3] = previous.orientation[3];
        Quaternions.rotateBy(rot[0] * dt, rot[1] * dt, rot[2] * dt, cmd.orientation, scratch);

        // 6. Watchdog.
        boolean fresh = stateFresh && targetsFresh;
        if (!holding && !fresh) {
            holding = true;
            held.copyFrom(previous);
        }
        if (holding) {
            easeHeldPose(measured.pose);
            if (fresh && held.distanceTo(measured.pose) <= s.releaseDistance
                    && Quaternions.angleBetween(held.orientation, measured.pose.orientation) <= s.releaseAngle) {
                holding = false;
                released = true;
            }
            cmd.copyFrom(held);
            trips |= SafetyTrips.WATCHDOG;
        }

        // A command that is still not finite (it cannot be, but) never leaves: keep the last safe one.
        if (!cmd.isFinite()) {
            cmd.copyFrom(previous);
            trips |= SafetyTrips.NON_FINITE;
        }

        // Twist of what is actually commanded, and remember it for the next tick's limits.
        for (int i = 0; i < 3; i++) {
            out.twist[i] = (cmd.position[i] - previous.position[i]) / dt;
        }
        Quaternions.multiplyConjugate(cmd.orientation, previous.orientation, q);
        Quaternions.log(q, out.twist, 3);
        out.twist[3] /= dt;
        out.twist[4] /= dt;
        out.twist[5] /= dt;
        previous.copyFrom(cmd);
        System.arraycopy(out.twist, 0, previousTwist, 0, 6);
        out.holding = holding || released;
        return trips;
    }

    /** Starts holding now (at the last command), e.g. after the robot connection was lost. */
    public void hold() {
        if (!holding) {
            holding = true;
            held.copyFrom(previous);
        }
    }

    /** True while the watchdog holds. */
    public boolean holding() {
        return holding;
    }

    /** True when the last {@link #limit} call ended a hold (the admittance controller restarts from the held pose). */
    public boolean released() {
        return released;
    }

    private int clampToWorkspace(double[] p) {
        int trips = 0;
        for (int i = 0; i < 3; i++) {
            if (p[i] < s.workspaceMin[i]) {
                p[i] = s.workspaceMin[i];
                trips = SafetyTrips.WORKSPACE;
            } else if (p[i] > s.workspaceMax[i]) {
                p[i] = s.workspaceMax[i];
                trips = SafetyTrips.WORKSPACE;
            }
        }
        return trips;
    }

    /**
     * Limits velocity {@code w} (3-vector, per second) in place: step per tick, speed, then
     * change of velocity against the previous command's ({@code previousTwist[offset..]}).
     * Each stage only shrinks w toward the previous velocity, so all three hold at the end.
     */
    private int limitRate(double[] w, int offset, double maxStep, double maxSpeed, double maxAcceleration) {
        int trips = 0;
        double speed = norm(w);
        if (speed * dt > maxStep) {
            scale(w, maxStep / (speed * dt));
            speed = maxStep / dt;
            trips |= SafetyTrips.STEP_LIMIT;
        }
        if (speed > maxSpeed) {
            scale(w, maxSpeed / speed);
            trips |= SafetyTrips.VELOCITY_LIMIT;
        }
        double dx = w[0] - previousTwist[offset];
        double dy = w[1] - previousTwist[offset + 1];
        double dz = w[2] - previousTwist[offset + 2];
        double change = Math.sqrt(dx * dx + dy * dy + dz * dz);
        double maxChange = maxAcceleration * dt;
        if (change > maxChange) {
            double k = maxChange / change;
            w[0] = previousTwist[offset] + dx * k;
            w[1] = previousTwist[offset + 1] + dy * k;
            w[2] = previousTwist[offset + 2] + dz * k;
            trips |= SafetyTrips.ACCELERATION_LIMIT;
        }
        return trips;
    }

    /**
     * When |(fx, fy, fz)| exceeds {@code cap}: removes the part of velocity {@code w} that
     * pushes into the contact and adds a back-off along the force (the direction the
     * environment pushes the tool) at {@code gain * excess}, keeping the total within
     * {@code maxSpeed}. Returns FORCE_LIMIT when it acted.
     */
    private int backOff(double[] w, double fx, double fy, double fz, double cap, double gain, double maxSpeed) {
        double f = Math.sqrt(fx * fx + fy * fy + fz * fz);
        if (!(f > cap)) {
            return 0;
        }
        double nx = fx / f;
        double ny = fy / f;
        double nz = fz / f;
        double along = w[0] * nx + w[1] * ny + w[2] * nz;
        if (along < 0) {
            w[0] -= along * nx;
            w[1] -= along * ny;
            w[2] -= along * nz;
            along = 0;
        }
        double back = Math.min(maxSpeed, Math.max(along, gain * (f - cap)));
        // Tangential part, scaled so that tangential^2 + back^2 <= maxSpeed^2.
        double tx = w[0] - along * nx;
        double ty = w[1] - along * ny;
        double tz = w[2] - along * nz;
        double t = Math.sqrt(tx * tx + ty * ty + tz * tz);
        double tMax = Math.sqrt(Math.max(0, maxSpeed * maxSpeed - back * back));
        double k = t > tMax ? tMax / t : 1;
        w[0] = tx * k + back * nx;
        w[1] = ty * k + back * ny;
        w[2] = tz * k + back * nz;
        return SafetyTrips.FORCE_LIMIT;
    }

    /** Moves the held pose toward the measured pose: first order, time constant ease-time, within the step limits. */
    private void easeHeldPose(Pose measured) {
        double a = Math.min(1.0, dt / s.holdEaseTime);
        double dx = (measured.position[0] - held.position[0]) * a;
        double dy = (measured.position[1] - held.position[1]) * a;
        double dz = (measured.position[2] - held.position[2]) * a;
        double n = Math.sqrt(dx * dx + dy * dy + dz * dz);
        if (n > s.maxLinearStep) {
            double k = s.maxLinearStep / n;
            dx *= k;
            dy *= k;
            dz *= k;
        }
        held.position[0] += dx;
        held.position[1] += dy;
        held.position[2] += dz;
        clampToWorkspace(held.position);
        Quaternions.multiplyConjugate(measured.orientation, held.orientation, q);
        Quaternions.log(q, rot, 0);
        scale(rot, a);
        double r = norm(rot);
        if (r > s.maxAngularStep) {
            scale(rot, s.maxAngularStep / r);
        }
        Quaternions.rotateBy(rot[0], rot[1], rot[2], held.orientation, scratch);
    }

    private static double clamp(double x, double lo, double hi) {
        return x < lo ? lo : (x > hi ? hi : x);
    }

    private static double norm(double[] w) {
        return Math.sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
    }

    private static void scale(double[] w, double k) {
        w[0] *= k;
        w[1] *= k;
        w[2] *= k;
    }
}
