package io.tendon.edge.sim;

import io.tendon.edge.control.Command;
import io.tendon.edge.control.Quaternions;
import io.tendon.edge.control.RobotSample;
import io.tendon.edge.control.WrenchProcessor;

/**
 * Physics of the reference task: a position-controlled arm holding a rigid cylindrical peg
 * above a table with a hole whose position is known only roughly.
 *
 * <ul>
 *   <li>Arm: the TCP (the centre of the peg's tip) is a point mass pulled toward the commanded
 *       pose by a stiff, critically damped inner PD loop of finite bandwidth (30 Hz by
 *       default), the way an industrial arm's position controller behaves. Orientation
 *       follows the same way; the peg stays vertical for the contact geometry.</li>
 *   <li>Table top at z = 0, a hole of radius peg radius + clearance / 2 and the configured
 *       depth around (hole-x, hole-y) plus a uniform offset of +- hole-randomisation drawn at
 *       each reset. The observation gets a noisy estimate of the hole (sigma hole-estimate-noise), shifted
 *       by a systematic offset (hole-estimate-offset-x/-y, a calibration error; zero by default).</li>
 *   <li>Contacts: penalty springs with damping on the peg's face against the table, its side
 *       against the hole's wall and its tip against the hole's bottom, whichever penetrates
 *       least; regularised Coulomb friction along the contact surface. Their wrench about the
 *       TCP, plus the tool's weight and Gaussian noise, is what the force sensor reads.</li>
 * </ul>
 *
 * Integrated with semi-implicit Euler in substeps of at most 0.1 ms. Deterministic: for a
 * given seed and sequence of commands it produces the same numbers, bit for bit (every random
 * number comes from a {@link SeededRandom}, SplittableRandom's generator, seeded at reset). Allocation-free after
 * construction.
 */
public final class PegInHoleSim {

    /** Substep of the physics, s (stiff contacts and friction need it). */
    static final double MAX_SUBSTEP = 1e-4;
    /** Friction is viscous below this sliding speed (regularised Coulomb), m/s. */
    static final double FRICTION_SLIP_SPEED = 0.002;
    /** Insertion counts as full within this distance of the bottom, m. */
    static final double SUCCESS_TOLERANCE = 0.001;
    static final double ARM_INERTIA = 0.02;

    private final SimSettings s;
    private final double dt;
    private final int substeps;
    private final double h;
    private final double kp;
    private final double kd;
    private final double kpRot;
    private final double kdRot;
    private final double contactDamping;
    private final double holeRadius;

    private final SeededRandom random = new SeededRandom(0);
    private final double[] hole = new double[3];
    private final double[] holeEstimate = new double[3];
    private final double[] p = new double[3];
    private final double[] v = new double[3];
    private final double[] q = {1, 0, 0, 0};
    private final double[] w = new double[3];
    private final double[] contactForce = new double[3];
    private final double[] contactTorque = new double[3];
    private final double[] externalForce = new double[3];
    private final double[] rel = new double[4];
    private final double[] rot = new double[3];
    private final double[] scratch = new double[4];
    private final double[] com = new double[3];
    private double time;
    private double peakContactForce;

    public PegInHoleSim(SimSettings settings, double controlDt) {
        this.s = settings;
        this.dt = controlDt;
        this.substeps = (int) Math.ceil(controlDt / MAX_SUBSTEP - 1e-9);
        this.h = controlDt / substeps;
        double omega = 2 * Math.PI * settings.armBandwidthHz;
        this.kp = settings.armMass * omega * omega;
        this.kd = 2 * settings.armMass * omega;
        this.kpRot = ARM_INERTIA * omega * omega;
        this.kdRot = 2 * ARM_INERTIA * omega;
        // Contact damping: a tenth of critical for the arm mass on the contact spring, to stop bouncing.
        this.contactDamping = 0.2 * Math.sqrt(settings.contactStiffness * settings.armMass);
        this.holeRadius = settings.pegRadius + settings.clearance / 2;
    }

    /**
     * Starts an episode: draws the hole's offset, the estimate's error and the start pose from
     * {@code seed}, puts the arm at rest above the table.
     */
    public void reset(long seed) {
        reset(seed, s.holeEstimateOffsetX, s.holeEstimateOffsetY);
    }

    /**
     * As {@link #reset(long)} with this episode's systematic estimate offset (m): the
     * configured one where the robot works, zero in the "lab" cell demonstrations were taken in.
     */
    public void reset(long seed, double estimateOffsetX, double estimateOffsetY) {
        random.reseed(seed);
        double r = s.holeRandomisation;
        hole[0] = s.holeX + (r > 0 ? random.nextDouble(-r, r) : 0);
        hole[1] = s.holeY + (r > 0 ? random.nextDouble(-r, r) : 0);
        hole[2] = 0;
        for (int i = 0; i < 2; i++) {
            double n = random.nextGaussian();
            n = Math.max(-3, Math.min(3, n));
            holeEstimate[i] = hole[i] + (i == 0 ? estimateOffsetX : estimateOffsetY) + n * s.holeEstimateNoise;
        }
        holeEstimate[2] = 0;
        // Start 0-10 mm off the nominal hole, at the start height, at rest, vertical.
        p[0] = s.holeX + random.nextDouble(-0.01, 0.01);
        p[1] = s.holeY + random.nextDouble(-0.01, 0.01);
        p[2] = s.startHeight;
        v[0] = v[1] = v[2] = 0;
        Quaternions.identity(q);
        w[0] = w[1] = w[2] = 0;
        contactForce[0] = contactForce[1] = contactForce[2] = 0;
        contactTorque[0] = contactTorque[1] = contactTorque[2] = 0;
        time = 0;
        peakContactForce = 0;
    }

    /** An extra external force on the tool (N, base frame), e.g. a scripted push; stays until changed. */
    public void setExternalForce(double fx, double fy, double fz) {
        externalForce[0] = fx;
        externalForce[1] = fy;
        externalForce[2] = fz;
    }

    /**
     * Writes what the robot would report now into {@code out}: exact pose and twist (encoders),
     * and the force sensor's raw wrench: contact + external force + tool weight + noise.
     */
    public void sense(long nowNanos, long sequence, RobotSample out) {
        out.sequence = sequence;
        out.receivedNanos = nowNanos;
        out.pose.set(p[0], p[1], p[2], q[0], q[1], q[2], q[3]);
        out.twist[0] = v[0];
        out.twist[1] = v[1];
        out.twist[2] = v[2];
        out.twist[3] = w[0];
        out.twist[4] = w[1];
        out.twist[5] = w[2];
        double weight = -s.toolMass * WrenchProcessor.GRAVITY;
        Quaternions.rotate(q, 0, 0, TOOL_COM_Z, com, 0);
        double nf = s.wrenchNoiseForce;
        double nt = s.wrenchNoiseTorque;
        out.wrench[0] = contactForce[0] + externalForce[0] + nf * random.nextGaussian();
        out.wrench[1] = contactForce[1] + externalForce[1] + nf * random.nextGaussian();
        out.wrench[2] = contactForce[2] + externalForce[2] + weight + nf * random.nextGaussian();
        out.wrench[3] = contactTorque[0] + com[1] * weight + nt * random.nextGaussian();
        out.wrench[4] = contactTorque[1] - com[0] * weight + nt * random.nextGaussian();
        out.wrench[5] = contactTorque[2] + nt * random.nextGaussian();
        out.jointCount = 0;
    }

    /** Centre of mass of the simulated tool above the TCP, tool frame, m (the controller's default). */
    static final double TOOL_COM_Z = 0.04;

    /** Advances one control period with the arm's inner loop tracking {@code cmd}'s pose and twist. */
    public void step(Command cmd) {
        double[] target = cmd.pose.position;
        Quaternions.multiplyConjugate(cmd.pose.orientation, q, rel);
        for (int k = 0; k < substeps; k++) {
            contacts();
            for (int i = 0; i < 3; i++) {
                double f = kp * (target[i] - p[i]) + kd * (cmd.twist[i] - v[i]) + contactForce[i] + externalForce[i];
                v[i] += h * f / s.armMass;
                p[i] += h * v[i];
            }
            Quaternions.multiplyConjugate(cmd.pose.orientation, q, rel);
            Quaternions.log(rel, rot, 0);
            for (int i = 0; i < 3; i++) {
                double tau = kpRot * rot[i] + kdRot * (cmd.twist[3 + i] - w[i]) + contactTorque[i];
                w[i] += h * tau / ARM_INERTIA;
            }
            Quaternions.rotateBy(h * w[0], h * w[1], h * w[2], q, scratch);
        }
        contacts();
        time += dt;
    }

    /** Contact wrench on the tool for the current state, into contactForce / contactTorque. */
    private void contacts() {
        contactForce[0] = contactForce[1] = contactForce[2] = 0;
        contactTorque[0] = contactTorque[1] = contactTorque[2] = 0;
        double z = p[2];
        if (z >= 0) {
            return;
        }
        double dx = p[0] - hole[0];
        double dy = p[1] - hole[1];
        double d = Math.sqrt(dx * dx + dy * dy);
        double radial = holeRadius - s.pegRadius;
        double ux = d > 1e-12 ? dx / d : 1;
        double uy = d > 1e-12 ? dy / d : 0;
        if (d <= radial) {
            // Entirely over the hole: only the bottom can be touched.
            double pen = -s.holeDepth - z;
            if (pen > 0) {
                contact(0, 0, 1, pen, 0, 0, 0);
            }
        } else {
            double wallPen = d - radial;
            double topPen = -z;
            boolean overlapsHole = d < holeRadius + s.pegRadius;
            if (overlapsHole && wallPen < topPen) {
                // In the hole, pressed against its wall: pushed back toward the axis, touching at the rim.
                contact(-ux, -uy, 0, wallPen, ux * s.pegRadius, uy * s.pegRadius, -z);
                double pen = -s.holeDepth - z;
                if (pen > 0) {
                    contact(0, 0, 1, pen, 0, 0, 0);
                }
            } else {
                // On the table top; when partly over the hole, the supported part of the face is away from it.
                double off = overlapsHole ? 0.5 * s.pegRadius : 0;
                contact(0, 0, 1, topPen, ux * off, uy * off, 0);
            }
        }
        double f = Math.sqrt(contactForce[0] * contactForce[0] + contactForce[1] * contactForce[1]
                + contactForce[2] * contactForce[2]);
        if (f > peakContactForce) {
            peakContactForce = f;
        }
    }

    /**
     * Adds a penalty contact with unit normal n (pointing from the obstacle into the tool),
     * penetration {@code pen} and contact point r (relative to the TCP): normal spring-damper
     * force and regularised Coulomb friction opposing the sliding velocity.
     */
    private void contact(double nx, double ny, double nz, double pen, double rx, double ry, double rz) {
        double vn = v[0] * nx + v[1] * ny + v[2] * nz;
        double fn = s.contactStiffness * pen - contactDamping * vn;
        if (fn <= 0) {
            return;
        }
        double tx = v[0] - vn * nx;
        double ty = v[1] - vn * ny;
        double tz = v[2] - vn * nz;
        double slip = Math.sqrt(tx * tx + ty * ty + tz * tz);
        double k = -s.friction * fn / Math.max(slip, FRICTION_SLIP_SPEED);
        double fx = fn * nx + k * tx;
        double fy = fn * ny + k * ty;
        double fz = fn * nz + k * tz;
        contactForce[0] += fx;
        contactForce[1] += fy;
        contactForce[2] += fz;
        contactTorque[0] += ry * fz - rz * fy;
        contactTorque[1] += rz * fx - rx * fz;
        contactTorque[2] += rx * fy - ry * fx;
    }

    /** Magnitude of the current contact force, N. */
    public double contactForce() {
        return Math.sqrt(contactForce[0] * contactForce[0] + contactForce[1] * contactForce[1]
                + contactForce[2] * contactForce[2]);
    }

    /** Largest contact force since the last call (or reset), N; resets the peak. */
    public double takePeakContactForce() {
        double peak = peakContactForce;
        peakContactForce = contactForce();
        return peak;
    }

    /** How deep the tip is below the table top, m (negative above it). */
    public double insertionDepth() {
        return -p[2];
    }

    /** True when the peg is in the hole at full depth. */
    public boolean inserted() {
        double dx = p[0] - hole[0];
        double dy = p[1] - hole[1];
        return p[2] <= -(s.holeDepth - SUCCESS_TOLERANCE)
                && dx * dx + dy * dy <= (holeRadius - s.pegRadius + 1e-4) * (holeRadius - s.pegRadius + 1e-4);
    }

    /** Distance from the tip to the bottom centre of the hole, m. */
    public double distanceToGoal() {
        double dx = p[0] - hole[0];
        double dy = p[1] - hole[1];
        double dz = p[2] + s.holeDepth;
        return Math.sqrt(dx * dx + dy * dy + dz * dz);
    }

    /** True hole centre (top), base frame. The observation only carries {@link #holeEstimate()}. */
    public double[] hole() {
        return hole;
    }

    /** The noisy estimate of the hole centre given to the agent, base frame. */
    public double[] holeEstimate() {
        return holeEstimate;
    }

    /** Simulated time since reset, s. */
    public double time() {
        return time;
    }

    public SimSettings settings() {
        return s;
    }
}
