package io.tendon.edge.control;

import org.ejml.data.DMatrix6;
import org.ejml.data.DMatrix6x6;
import org.ejml.dense.fixed.CommonOps_DDF6;

/**
 * Maps a Cartesian wrench to joint torques for torque-controlled arms: tau = J^T * wrench,
 * with J the 6 x n geometric Jacobian at the TCP (rows vx, vy, vz, wx, wy, wz). Writes into
 * outputs the caller supplies; allocation-free.
 */
public final class JacobianTranspose {

    private JacobianTranspose() {
    }

    /**
     * tau[j] = sum_i J[i][j] * wrench[i] for a 6 x {@code joints} Jacobian stored row-major in
     * {@code jacobian} (J[i][j] at {@code i * joints + j}). Writes {@code tau[0..joints)}.
     */
    public static void torques(double[] jacobian, int joints, DMatrix6 wrench, double[] tau) {
        for (int j = 0; j < joints; j++) {
            double sum = 0;
            for (int i = 0; i < 6; i++) {
                sum += jacobian[i * joints + j] * Vectors6.get(wrench, i);
            }
            tau[j] = sum;
        }
    }

    /** tau = J^T * wrench for a six-joint arm. Writes {@code tau}. */
    public static void torques(DMatrix6x6 jacobian, DMatrix6 wrench, DMatrix6 tau) {
        CommonOps_DDF6.mult(wrench, jacobian, tau);
    }
}
