package io.tendon.edge.control;

import org.ejml.data.DMatrix6;

/**
 * Turns the raw sensor wrench into the external contact wrench the admittance law needs:
 * removes the tool's weight (mass and centre of mass, rotated with the TCP), removes a
 * tared bias, and low-pass filters (first order, configured cut-off). Allocation-free.
 */
public final class WrenchProcessor {

    /** Standard gravity, m/s^2. */
    public static final double GRAVITY = 9.80665;

    private final double toolWeight;
    private final double[] toolCom;
    private final double alpha;
    private final double[] bias = new double[6];
    private final double[] filtered = new double[6];
    private final double[] comBase = new double[3];
    private boolean primed;
    private volatile boolean tareRequested;

    public WrenchProcessor(ControlSettings s) {
        this.toolWeight = s.toolMass * GRAVITY;
        this.toolCom = s.toolCom.clone();
        double tau = 1.0 / (2 * Math.PI * s.wrenchCutoffHz);
        this.alpha = s.dt / (s.dt + tau);
    }

    /**
     * Writes the compensated, filtered wrench for the raw wrench of {@code sample} into
     * {@code out} [Fx, Fy, Fz, Tx, Ty, Tz]. Modifies the filter state.
     */
    public void process(RobotSample sample, DMatrix6 out) {
        double[] raw = sample.wrench;
        // Weight of the tool, (0, 0, -m g) in the base frame, acting at its centre of mass.
        Quaternions.rotate(sample.pose.orientation, toolCom[0], toolCom[1], toolCom[2], comBase, 0);
        double gz = -toolWeight;
        // Torque of the weight about the TCP: r x (0, 0, gz).
        double gtx = comBase[1] * gz;
        double gty = -comBase[0] * gz;
        double c0 = raw[0] - bias[0];
        double c1 = raw[1] - bias[1];
        double c2 = raw[2] - gz - bias[2];
        double c3 = raw[3] - gtx - bias[3];
        double c4 = raw[4] - gty - bias[4];
        double c5 = raw[5] - bias[5];
        if (!primed) {
            filtered[0] = c0;
            filtered[1] = c1;
            filtered[2] = c2;
            filtered[3] = c3;
            filtered[4] = c4;
            filtered[5] = c5;
            primed = true;
        } else {
            filtered[0] += alpha * (c0 - filtered[0]);
            filtered[1] += alpha * (c1 - filtered[1]);
            filtered[2] += alpha * (c2 - filtered[2]);
            filtered[3] += alpha * (c3 - filtered[3]);
            filtered[4] += alpha * (c4 - filtered[4]);
            filtered[5] += alpha * (c5 - filtered[5]);
        }
        if (tareRequested) {
            // Whatever is measured now, free of contact by the caller's promise, is sensor offset.
            for (int i = 0; i < 6; i++) {
                bias[i] += filtered[i];
                filtered[i] = 0;
            }
            tareRequested = false;
        }
        out.a1 = filtered[0];
        out.a2 = filtered[1];
        out.a3 = filtered[2];
        out.a4 = filtered[3];
        out.a5 = filtered[4];
        out.a6 = filtered[5];
    }

    /** At the next sample, take the current compensated wrench as sensor bias (tool free of contact). */
    public void requestTare() {
        tareRequested = true;
    }

    /** Forgets the filter state (bias is kept), e.g. after a simulator reset. */
    public void resetFilter() {
        primed = false;
    }

    /** Bias currently removed, component {@code i}. */
    public double bias(int i) {
        return bias[i];
    }
}
