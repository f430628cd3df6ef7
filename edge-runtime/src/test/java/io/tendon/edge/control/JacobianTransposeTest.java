package io.tendon.edge.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.ejml.data.DMatrix6;
import org.ejml.data.DMatrix6x6;
import org.junit.jupiter.api.Test;

class JacobianTransposeTest {

    /**
     * Planar two-link arm (links 1 m and 0.5 m, joints about z) at q = (90 deg, -90 deg): the
     * TCP is at (0.5, 1). A force of 10 N along +x at the TCP needs tau = J^T F: joint 1 sees
     * the lever arm 1 m (y of the TCP), joint 2 none (the force is along link 2).
     */
    @Test
    void planarTwoLinkArm() {
        double l1 = 1;
        double l2 = 0.5;
        double q1 = Math.PI / 2;
        double q2 = -Math.PI / 2;
        double s1 = Math.sin(q1);
        double c1 = Math.cos(q1);
        double s12 = Math.sin(q1 + q2);
        double c12 = Math.cos(q1 + q2);
        // Rows vx, vy, vz, wx, wy, wz; columns joint 1, joint 2.
        double[] j = new double[12];
        j[0] = -l1 * s1 - l2 * s12;
        j[1] = -l2 * s12;
        j[2] = l1 * c1 + l2 * c12;
        j[3] = l2 * c12;
        j[10] = 1;
        j[11] = 1;
        double[] tau = new double[2];
        JacobianTranspose.torques(j, 2, new DMatrix6(10, 0, 0, 0, 0, 0), tau);
        assertEquals(-10, tau[0], 1e-12);
        assertEquals(0, tau[1], 1e-12);
        // A pure moment about z of 2 N*m loads both joints with 2 N*m.
        JacobianTranspose.torques(j, 2, new DMatrix6(0, 0, 0, 0, 0, 2), tau);
        assertEquals(2, tau[0], 1e-12);
        assertEquals(2, tau[1], 1e-12);
    }

    @Test
    void sixJointFixedSizeMatchesTheGeneralForm() {
        DMatrix6x6 jac = new DMatrix6x6();
        double[] flat = new double[36];
        for (int r = 0; r < 6; r++) {
            for (int c = 0; c < 6; c++) {
                double v = Math.sin(r * 7 + c * 3 + 1);
                jac.set(r, c, v);
                flat[r * 6 + c] = v;
            }
        }
        DMatrix6 w = new DMatrix6(1, -2, 3, 0.5, -0.1, 0.2);
        DMatrix6 tau = new DMatrix6();
        JacobianTranspose.torques(jac, w, tau);
        double[] expected = new double[6];
        JacobianTranspose.torques(flat, 6, w, expected);
        for (int i = 0; i < 6; i++) {
            assertEquals(expected[i], Vectors6.get(tau, i), 1e-12);
        }
    }
}
