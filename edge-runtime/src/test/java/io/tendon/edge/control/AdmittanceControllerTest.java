package io.tendon.edge.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.ejml.data.DMatrix6;
import org.junit.jupiter.api.Test;

/** Known answers of the admittance law (ALGORITHMS.md section 1), on the controller alone. */
class AdmittanceControllerTest {

    private final ControlSettings settings = ControlSettings.defaults();

    @Test
    void steadyStateDeflectionUnderConstantForceIsForceOverStiffness() {
        AdmittanceController a = new AdmittanceController(settings);
        a.reset(new Pose());
        Targets t = perAxis(new double[] {0.5, 0.0, 0.2, 0, 0, 0}, new double[] {500, 800, 1200, 20, 30, 40});
        double[] f = {10, -5, 8, 0.5, -0.3, 0.2};
        DMatrix6 wrench = new DMatrix6(f[0], f[1], f[2], f[3], f[4], f[5]);
        Run run = new Run();
        for (int i = 0; i < 20_000; i++) {
            a.step(t, wrench, run.pose, run.twist, run.k);
        }
        double[] e = error(run.pose, t);
        for (int i = 0; i < 6; i++) {
            double expected = f[i] / t.stiffness[i];
            assertEquals(expected, e[i], Math.abs(expected) * 0.01, "axis " + i);
        }
    }

    @Test
    void withoutForceTheCommandedPoseConvergesToTheVirtualTarget() {
        AdmittanceController a = new AdmittanceController(settings);
        Pose start = new Pose();
        start.setFromVector(new double[] {0.55, -0.02, 0.23, 0.2, -0.1, 0.3}, 0);
        a.reset(start);
        Targets t = perAxis(new double[] {0.5, 0.0, 0.2, 0, 0, 0}, new double[] {1000, 1000, 1000, 50, 50, 50});
        Run run = new Run();
        for (int i = 0; i < 10_000; i++) {
            a.step(t, new DMatrix6(), run.pose, run.twist, run.k);
        }
        double[] e = error(run.pose, t);
        for (int i = 0; i < 6; i++) {
            assertEquals(0, e[i], 1e-7, "axis " + i);
        }
    }

    @Test
    void criticalDampingHasNoOvershootAndLessDampingDoes() {
        // Rotation isotropic: finite rotations about different axes do not decouple, so a
        // per-axis "no overshoot" only means something when the motion stays on one axis.
        double[] k = {50, 1000, 5000, 80, 80, 80};
        assertTrue(maxOvershoot(settings, k) <= 1e-12, "critically damped: no overshoot");
        ControlSettings light = ControlSettings.with(Map.of("tendon.admittance.damping-ratio", "0.3"));
        assertTrue(maxOvershoot(light, k) > 0.1, "a damping ratio of 0.3 overshoots, so the check can fail");
    }

    /** Largest overshoot past the target, as a fraction of the initial offset, over all axes. */
    private static double maxOvershoot(ControlSettings s, double[] k) {
        AdmittanceController a = new AdmittanceController(s);
        Pose start = new Pose();
        double[] x0 = {0.03, -0.02, 0.01, 0.3, -0.2, 0.1};
        start.setFromVector(x0, 0);
        a.reset(start);
        Targets t = perAxis(new double[6], k);
        Run run = new Run();
        double worst = 0;
        double[] previous = x0.clone();
        for (int i = 0; i < 20_000; i++) {
            a.step(t, new DMatrix6(), run.pose, run.twist, run.k);
            double[] e = error(run.pose, t);
            for (int j = 0; j < 6; j++) {
                worst = Math.max(worst, -e[j] / x0[j]);
                if (s.dampingRatio >= 1) {
                    assertTrue(Math.abs(e[j]) <= Math.abs(previous[j]) + 1e-15, "monotone approach, axis " + j);
                }
            }
            previous = e;
        }
        return worst;
    }

    @Test
    void orientationErrorOf170DegreesTakesTheShortWay() {
        double[] axis = normalize(new double[] {1, 2, -1});
        double angle = Math.toRadians(170);
        // Target 170 degrees about +axis: the error and the motion are about that axis.
        checkShortWay(axis, angle, axis, angle);
        // Target 190 degrees about +axis is 170 degrees about -axis: it must turn the other way.
        double[] minus = {-axis[0], -axis[1], -axis[2]};
        checkShortWay(axis, Math.toRadians(190), minus, angle);
    }

    private void checkShortWay(double[] axis, double targetAngle, double[] expectedAxis, double expectedAngle) {
        ControlSettings stiffRotation = settings;
        AdmittanceController a = new AdmittanceController(stiffRotation);
        a.reset(new Pose());
        double[] vt = {0, 0, 0, axis[0] * targetAngle, axis[1] * targetAngle, axis[2] * targetAngle};
        Targets t = perAxis(vt, new double[] {1000, 1000, 1000, 50, 50, 50});

        // The error the controller sees at the start: q_c * conj(q_vt), shortest rotation vector.
        double[] qvt = new double[4];
        Quaternions.exp(vt[3], vt[4], vt[5], qvt);
        double[] rel = new double[4];
        Quaternions.multiplyConjugate(new Pose().orientation, qvt, rel);
        double[] err = new double[3];
        Quaternions.log(rel, err, 0);
        assertEquals(expectedAngle, norm(err), 1e-9, "error magnitude");
        for (int i = 0; i < 3; i++) {
            assertEquals(-expectedAxis[i] * expectedAngle, err[i], 1e-9, "error points from target back to start");
        }

        Run run = new Run();
        double previousRemaining = expectedAngle;
        double[] rv = new double[3];
        for (int i = 0; i < 5_000; i++) {
            a.step(t, new DMatrix6(), run.pose, run.twist, run.k);
            double remaining = Quaternions.angleBetween(run.pose.orientation, qvt);
            assertTrue(remaining <= previousRemaining + 1e-12, "remaining angle never grows");
            previousRemaining = remaining;
            Quaternions.log(run.pose.orientation, rv, 0);
            double travelled = norm(rv);
            if (travelled > 1e-6) {
                double cos = (rv[0] * expectedAxis[0] + rv[1] * expectedAxis[1] + rv[2] * expectedAxis[2]) / travelled;
                assertEquals(1.0, cos, 1e-9, "turns about the short-way axis");
            }
        }
        assertTrue(previousRemaining < 1e-6, "reaches the target, remaining " + previousRemaining);
    }

    @Test
    void scalarStiffnessActsAlongThePoseToTargetDirectionOtherAxesAtDefault() {
        AdmittanceController a = new AdmittanceController(settings);
        a.reset(new Pose());
        Targets t = new Targets();
        t.scalarStiffness = true;
        t.stiffnessAlongTarget = 300;
        // Direction pose -> virtual target: along (1, 1, 0)/sqrt(2).
        t.pose[0] = 0.5;
        t.pose[1] = 0.0;
        t.virtualTarget[0] = 0.51;
        t.virtualTarget[1] = 0.01;
        double s = Math.sqrt(0.5);
        double along = 6;
        double across = 4;
        // Force: 6 N along u, 4 N along w = (1, -1, 0)/sqrt(2), 2 N along z.
        DMatrix6 f = new DMatrix6(along * s + across * s, along * s - across * s, 2, 0, 0, 0);
        Run run = new Run();
        for (int i = 0; i < 20_000; i++) {
            a.step(t, f, run.pose, run.twist, run.k);
        }
        double[] e = error(run.pose, t);
        double eAlong = (e[0] + e[1]) * s;
        double eAcross = (e[0] - e[1]) * s;
        assertEquals(along / 300, eAlong, along / 300 * 0.01);
        assertEquals(across / settings.defaultStiffnessLinear, eAcross, across / settings.defaultStiffnessLinear * 0.01);
        assertEquals(2 / settings.defaultStiffnessLinear, e[2], 2 / settings.defaultStiffnessLinear * 0.01);
    }

    @Test
    void hybridForceAxisHoldsTheSetPointAgainstASurface() {
        AdmittanceController a = new AdmittanceController(settings);
        Pose start = new Pose();
        start.set(0.5, 0, 0.01, 1, 0, 0, 0);
        a.reset(start);
        Targets t = perAxis(new double[] {0.52, 0.0, 0.01, 0, 0, 0}, new double[] {1000, 1000, 1000, 50, 50, 50});
        t.forceAxes = 1 << 2;
        t.forceSetpoint[2] = 10; // press down with 10 N: the surface pushes up with +10 N
        double surfaceStiffness = 20_000;
        Run run = new Run();
        DMatrix6 f = new DMatrix6();
        for (int i = 0; i < 20_000; i++) {
            double z = a.pose().position[2];
            f.a3 = z < 0 ? -surfaceStiffness * z : 0;
            a.step(t, f, run.pose, run.twist, run.k);
        }
        assertEquals(10, f.a3, 0.1, "contact force at the set-point");
        assertEquals(-10 / surfaceStiffness, run.pose.position[2], 1e-5);
        assertEquals(0.52, run.pose.position[0], 1e-6, "x still tracks position");
    }

    /**
     * Stability over the whole allowed grid: every corner of the mass, stiffness and
     * damping-ratio bounds, at the slowest, default and fastest rates, per-axis and
     * directional stiffness. The discrete energy 1/2 v'Mv + 1/2 e'Ke never grows.
     */
    @Test
    void integrationIsStableOverTheWholeBoundGrid() {
        int combinations = 0;
        for (String rate : new String[] {"100", "1000", "4000"}) {
            for (double[] m : new double[][] {{0.1, 50, 0.001, 5}, {50, 0.1, 5, 0.001}, {0.1, 0.1, 0.001, 0.001},
                    {50, 50, 5, 5}}) {
                for (double[] k : new double[][] {{1, 0.1}, {20_000, 2000}, {1, 2000}, {20_000, 0.1}}) {
                    for (String zeta : new String[] {"0.3", "1", "3"}) {
                        Map<String, String> o = new HashMap<>();
                        o.put("tendon.control.rate-hz", rate);
                        o.put("tendon.control.spin-window-us", "0");
                        o.put("tendon.admittance.wrench-cutoff-hz", "40");
                        o.put("tendon.admittance.mass-x", String.valueOf(m[0]));
                        o.put("tendon.admittance.mass-y", String.valueOf(m[1]));
                        o.put("tendon.admittance.mass-z", String.valueOf(m[0]));
                        o.put("tendon.admittance.inertia-rx", String.valueOf(m[2]));
                        o.put("tendon.admittance.inertia-ry", String.valueOf(m[3]));
                        o.put("tendon.admittance.inertia-rz", String.valueOf(m[2]));
                        o.put("tendon.admittance.damping-ratio", zeta);
                        o.put("tendon.safety.stiffness-min-linear", "1");
                        o.put("tendon.safety.stiffness-max-linear", "20000");
                        o.put("tendon.safety.stiffness-min-angular", "0.1");
                        o.put("tendon.safety.stiffness-max-angular", "2000");
                        o.put("tendon.admittance.default-stiffness-linear", String.valueOf(k[0]));
                        o.put("tendon.admittance.default-stiffness-angular", String.valueOf(k[1]));
                        ControlSettings s = ControlSettings.with(o);
                        assertEnergyNeverGrows(s, perAxis(new double[6], new double[] {k[0], k[0], k[0], k[1], k[1], k[1]}));
                        Targets directional = new Targets();
                        directional.scalarStiffness = true;
                        directional.stiffnessAlongTarget = k[0] == 1 ? 20_000 : 1;
                        directional.virtualTarget[0] = 0.01;
                        directional.virtualTarget[1] = 0.02;
                        directional.virtualTarget[2] = -0.01;
                        assertEnergyNeverGrows(s, directional);
                        combinations++;
                    }
                }
            }
        }
        assertEquals(3 * 4 * 4 * 3, combinations);
    }

    private static void assertEnergyNeverGrows(ControlSettings s, Targets t) {
        AdmittanceController a = new AdmittanceController(s);
        Pose start = new Pose();
        start.setFromVector(new double[] {0.05, -0.04, 0.03, 0.5, -0.4, 0.3}, 0);
        a.reset(start);
        Run run = new Run();
        a.step(t, new DMatrix6(), run.pose, run.twist, run.k); // builds K for the energy below
        double energy = energy(s, a, t, run.k, run.twist);
        double first = energy;
        for (int i = 0; i < 3000; i++) {
            a.step(t, new DMatrix6(), run.pose, run.twist, run.k);
            double next = energy(s, a, t, run.k, run.twist);
            assertTrue(next <= energy * (1 + 1e-9) + 1e-15,
                    () -> "energy grew at rate " + s.rateHz + " zeta " + s.dampingRatio);
            assertTrue(Double.isFinite(next));
            energy = next;
        }
        assertTrue(energy < first, "and it dissipates");
    }

    /** 1/2 v'Mv + 1/2 e'Ke, with K the diagonal the controller reported (directional: along the target axis). */
    private static double energy(ControlSettings s, AdmittanceController a, Targets t, double[] k, double[] v) {
        double[] e = error(a.pose(), t);
        double sum = 0;
        for (int i = 0; i < 6; i++) {
            sum += 0.5 * s.mass[i] * v[i] * v[i];
        }
        if (t.scalarStiffness) {
            double[] u = {t.virtualTarget[0] - t.pose[0], t.virtualTarget[1] - t.pose[1], t.virtualTarget[2] - t.pose[2]};
            u = normalize(u);
            double eu = e[0] * u[0] + e[1] * u[1] + e[2] * u[2];
            double e2 = e[0] * e[0] + e[1] * e[1] + e[2] * e[2];
            sum += 0.5 * (t.stiffnessAlongTarget * eu * eu + s.defaultStiffnessLinear * (e2 - eu * eu));
            for (int i = 3; i < 6; i++) {
                sum += 0.5 * s.defaultStiffnessAngular * e[i] * e[i];
            }
        } else {
            for (int i = 0; i < 6; i++) {
                sum += 0.5 * k[i] * e[i] * e[i];
            }
        }
        return sum;
    }

    // ---- helpers -------------------------------------------------------------------------------

    static Targets perAxis(double[] virtualTarget, double[] stiffness) {
        Targets t = new Targets();
        System.arraycopy(virtualTarget, 0, t.virtualTarget, 0, 6);
        System.arraycopy(virtualTarget, 0, t.pose, 0, 6);
        System.arraycopy(stiffness, 0, t.stiffness, 0, 6);
        return t;
    }

    /** x_c - x_vt, orientation as the rotation vector of q_c * conj(q_vt). */
    static double[] error(Pose p, Targets t) {
        double[] e = new double[6];
        for (int i = 0; i < 3; i++) {
            e[i] = p.position[i] - t.virtualTarget[i];
        }
        double[] qvt = new double[4];
        Quaternions.exp(t.virtualTarget[3], t.virtualTarget[4], t.virtualTarget[5], qvt);
        double[] rel = new double[4];
        Quaternions.multiplyConjugate(p.orientation, qvt, rel);
        Quaternions.log(rel, e, 3);
        return e;
    }

    static double[] normalize(double[] v) {
        double n = norm(v);
        return new double[] {v[0] / n, v[1] / n, v[2] / n};
    }

    static double norm(double[] v) {
        return Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    }

    static final class Run {
        final Pose pose = new Pose();
        final double[] twist = new double[6];
        final double[] k = new double[6];
    }
}
