package io.tendon.edge.control;

import org.ejml.data.DMatrix6;
import org.ejml.data.DMatrix6x6;
import org.ejml.dense.fixed.CommonOps_DDF6;

/**
 * Admittance law of ALGORITHMS.md section 1, for position and orientation:
 *
 * <pre>  M * xdd_c + D * xd_c + K * (x_c - x_vt) = F_ext  </pre>
 *
 * The orientation error is the rotation vector of q_c * conj(q_vt) (quaternions, shortest
 * way, right for large angles). M is per axis, K comes from the targets (a 6-vector, or one
 * value along the direction from the pose to the virtual target with the other axes at the
 * configured default), D follows from the damping ratio ({@code 2 * ratio * sqrt(K M)} per
 * mode). Hybrid force/position: axes in the targets' force mask drop their spring and track a
 * force set-point instead ({@code M xdd + D xd = F_ext - F_set}).
 *
 * <p>Integration is semi-implicit: spring and damper are taken at the new velocity, the
 * external force at the old state,
 *
 * <pre>  (M + dt D + dt^2 K) v' = M v + dt (F - K e),   x' = x + dt v'  </pre>
 *
 * which dissipates energy for every positive M, K and non-negative D at every rate (so it is
 * stable over the whole parameter grid), keeps critical damping free of overshoot, and has the
 * exact steady state e = F / K. The 6x6 system is symmetric positive definite and is solved
 * by Cholesky on EJML fixed-size matrices. Allocation-free after construction.
 */
public final class AdmittanceController {

    private final ControlSettings s;
    private final double dt;

    /** State: commanded pose x_c and twist xd_c. */
    private final Pose pose = new Pose();
    private final DMatrix6 velocity = new DMatrix6();

    // Work space, allocated once.
    private final DMatrix6x6 mass = new DMatrix6x6();
    private final DMatrix6x6 stiffness = new DMatrix6x6();
    private final DMatrix6x6 damping = new DMatrix6x6();
    private final DMatrix6x6 system = new DMatrix6x6();
    private final DMatrix6 error = new DMatrix6();
    private final DMatrix6 force = new DMatrix6();
    private final DMatrix6 rhs = new DMatrix6();
    private final DMatrix6 tmp = new DMatrix6();
    private final double[] e6 = new double[6];
    private final double[] x6 = new double[6];
    private final double[] targetQ = new double[4];
    private final double[] relQ = new double[4];
    private final double[] scratchQ = new double[4];
    private final double[] diagK = new double[6];
    private final double[] sqrtMass = new double[6];

    public AdmittanceController(ControlSettings settings) {
        this.s = settings;
        this.dt = settings.dt;
        for (int i = 0; i < 6; i++) {
            mass.set(i, i, settings.mass[i]);
            sqrtMass[i] = Math.sqrt(settings.mass[i]);
        }
    }

    /** Restarts at {@code at} with zero velocity. */
    public void reset(Pose at) {
        pose.copyFrom(at);
        CommonOps_DDF6.fill(velocity, 0);
    }

    /** Overwrites the state with what was actually commanded (after safety), keeping them in step. */
    public void sync(Pose commanded, double[] twist) {
        pose.copyFrom(commanded);
        velocity.a1 = twist[0];
        velocity.a2 = twist[1];
        velocity.a3 = twist[2];
        velocity.a4 = twist[3];
        velocity.a5 = twist[4];
        velocity.a6 = twist[5];
    }

    public Pose pose() {
        return pose;
    }

    public DMatrix6 velocity() {
        return velocity;
    }

    /**
     * Advances one control period under wrench {@code wrench} toward the targets {@code t}
     * (already screened: finite, stiffness clamped) and writes the new commanded pose and
     * twist into {@code outPose} / {@code outTwist}; also writes the diagonal of the stiffness
     * used into {@code outStiffness}. Modifies the controller state.
     */
    public void step(Targets t, DMatrix6 wrench, Pose outPose, double[] outTwist, double[] outStiffness) {
        buildStiffnessAndDamping(t);

        // Error e = x_c - x_vt, orientation through quaternions (shortest way).
        Quaternions.exp(t.virtualTarget[3], t.virtualTarget[4], t.virtualTarget[5], targetQ);
        Quaternions.multiplyConjugate(pose.orientation, targetQ, relQ);
        e6[0] = pose.position[0] - t.virtualTarget[0];
        e6[1] = pose.position[1] - t.virtualTarget[1];
        e6[2] = pose.position[2] - t.virtualTarget[2];
        Quaternions.log(relQ, e6, 3);
        Vectors6.fromArray(e6, error);

        // Force input: measured wrench, minus the set-point on force-controlled axes.
        force.setTo(wrench);
        int mask = t.forceAxes;
        for (int i = 0; i < 6; i++) {
            if ((mask & (1 << i)) != 0) {
                Vectors6.set(force, i, Vectors6.get(force, i) - t.forceSetpoint[i]);
            }
        }

        // system = M + dt D + dt^2 K ; rhs = M v + dt (F - K e)
        for (int r = 0; r < 6; r++) {
            for (int c = 0; c < 6; c++) {
                system.set(r, c, mass.get(r, c) + dt * damping.get(r, c) + dt * dt * stiffness.get(r, c));
            }
        }
        CommonOps_DDF6.mult(stiffness, error, tmp);
        CommonOps_DDF6.subtract(force, tmp, tmp);
        CommonOps_DDF6.scale(dt, tmp);
        CommonOps_DDF6.mult(mass, velocity, rhs);
        CommonOps_DDF6.addEquals(rhs, tmp);

        if (!CommonOps_DDF6.cholL(system)) {
            // Cannot happen for M > 0, D, K >= 0; stop rather than integrate garbage.
            CommonOps_DDF6.fill(velocity, 0);
        } else {
            solveCholesky(system, rhs, velocity);
        }

        pose.position[0] += dt * velocity.a1;
        pose.position[1] += dt * velocity.a2;
        pose.position[2] += dt * velocity.a3;
        Quaternions.rotateBy(dt * velocity.a4, dt * velocity.a5, dt * velocity.a6, pose.orientation, scratchQ);

        outPose.copyFrom(pose);
        outTwist[0] = velocity.a1;
        outTwist[1] = velocity.a2;
        outTwist[2] = velocity.a3;
        outTwist[3] = velocity.a4;
        outTwist[4] = velocity.a5;
        outTwist[5] = velocity.a6;
        System.arraycopy(diagK, 0, outStiffness, 0, 6);
    }

    /**
     * K and D for the targets. Scalar mode: K_t = k_d I + (k_s - k_d) u u^T along the unit
     * direction u from the pose to the virtual target, D_t = 2 zeta (sqrt(k_d m_perp) (I - u u^T)
     * + sqrt(k_s m_u) u u^T): exact critical damping of each mode for equal masses, positive
     * semi-definite always. Vector mode: diagonal. Force axes: spring removed, damping kept at
     * the default stiffness's critical value so the axis does not drift.
     */
    private void buildStiffnessAndDamping(Targets t) {
        CommonOps_DDF6.fill(stiffness, 0);
        CommonOps_DDF6.fill(damping, 0);
        double zeta = s.dampingRatio;
        int mask = t.forceAxes;
        boolean directional = false;
        if (t.scalarStiffness) {
            double ux = t.virtualTarget[0] - t.pose[0];
            double uy = t.virtualTarget[1] - t.pose[1];
            double uz = t.virtualTarget[2] - t.pose[2];
            double n = Math.sqrt(ux * ux + uy * uy + uz * uz);
            double kd = s.defaultStiffnessLinear;
            if (n > 1e-9 && mask == 0) {
                directional = true;
                ux /= n;
                uy /= n;
                uz /= n;
                double ks = t.stiffnessAlongTarget;
                double mu = s.mass[0] * ux * ux + s.mass[1] * uy * uy + s.mass[2] * uz * uz;
                double mPerp = (s.mass[0] + s.mass[1] + s.mass[2] - mu) / 2;
                double dPerp = 2 * zeta * Math.sqrt(kd * mPerp);
                double dAlong = 2 * zeta * Math.sqrt(ks * mu);
                x6[0] = ux;
                x6[1] = uy;
                x6[2] = uz;
                for (int r = 0; r < 3; r++) {
                    for (int c = 0; c < 3; c++) {
                        double uu = x6[r] * x6[c];
                        double id = r == c ? 1 : 0;
                        stiffness.set(r, c, kd * id + (ks - kd) * uu);
                        damping.set(r, c, dPerp * (id - uu) + dAlong * uu);
                    }
                }
                for (int i = 0; i < 3; i++) {
                    diagK[i] = stiffness.get(i, i);
                }
            } else {
                // No direction (pose on the target), or hybrid axes (which need per-axis
                // stiffness: use the 6-vector form): every translational axis at the default.
                diagK[0] = kd;
                diagK[1] = kd;
                diagK[2] = kd;
            }
            diagK[3] = s.defaultStiffnessAngular;
            diagK[4] = s.defaultStiffnessAngular;
            diagK[5] = s.defaultStiffnessAngular;
        } else {
            System.arraycopy(t.stiffness, 0, diagK, 0, 6);
        }
        for (int i = directional ? 3 : 0; i < 6; i++) {
            boolean forceAxis = (mask & (1 << i)) != 0;
            double k = diagK[i];
            double kForDamping = forceAxis ? (i < 3 ? s.defaultStiffnessLinear : s.defaultStiffnessAngular) : k;
            stiffness.set(i, i, forceAxis ? 0 : k);
            damping.set(i, i, 2 * zeta * Math.sqrt(kForDamping * s.mass[i]));
            if (forceAxis) {
                diagK[i] = 0;
            }
        }
    }

    /** Solves L L^T x = b for x, L the lower Cholesky factor stored in {@code l}. Writes {@code x}. */
    private void solveCholesky(DMatrix6x6 l, DMatrix6 b, DMatrix6 x) {
        double[] y = x6;
        for (int i = 0; i < 6; i++) {
            double sum = Vectors6.get(b, i);
            for (int k = 0; k < i; k++) {
                sum -= l.get(i, k) * y[k];
            }
            y[i] = sum / l.get(i, i);
        }
        for (int i = 5; i >= 0; i--) {
            double sum = y[i];
            for (int k = i + 1; k < 6; k++) {
                sum -= l.get(k, i) * y[k];
            }
            y[i] = sum / l.get(i, i);
        }
        Vectors6.fromArray(y, x);
    }
}
