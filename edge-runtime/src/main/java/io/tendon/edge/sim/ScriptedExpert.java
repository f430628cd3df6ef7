package io.tendon.edge.sim;

import io.tendon.edge.control.Targets;

/**
 * A scripted peg-in-hole strategy that needs compliance and force feedback, used as the
 * demonstrator and as the simulated human who takes over. Acting once per policy step on an
 * observation, it moves through four phases:
 *
 * <ol>
 *   <li>APPROACH: stiffly to 10 mm above the hole estimate;</li>
 *   <li>DESCEND: compliantly down (scalar stiffness along -z; the virtual target sinks slowly,
 *       15 mm/s, to below the table, so contact starts slowly and ends in a gentle press of
 *       about 8 N instead of a collision);</li>
 *   <li>SEARCH: when blocked by the table (contact force, no progress), an Archimedean spiral
 *       around the estimate while pressing, with a pitch below the clearance so it cannot step
 *       over the hole, until the peg drops in;</li>
 *   <li>INSERT: pressing down to full depth while the hole's wall guides the peg.</li>
 * </ol>
 *
 * Its targets always take the layout-1 action form (Adaptive Compliance Policy): pose, virtual
 * target and one stiffness along the direction from the pose to the virtual target, so that a
 * demonstration is exactly representable in a transition's action row.
 *
 * When the arm is far from where the expert's own targets would have put it (a person or a
 * policy moved it), the expert starts over from APPROACH at the arm's current pose. Gaussian
 * noise of the configured size is added to its target positions. Deterministic for
 * a seed. Allocation-free.
 */
public final class ScriptedExpert {

    public static final int APPROACH = 0;
    public static final int DESCEND = 1;
    public static final int SEARCH = 2;
    public static final int INSERT = 3;

    static final double APPROACH_HEIGHT = 0.01;
    /** With pose = virtual target there is no direction: the controller uses its default on every axis. */
    static final double APPROACH_STIFFNESS = 1000;
    static final double PRESS_FORCE = 8;
    static final double PRESS_STIFFNESS = 300;
    static final double CONTACT_FORCE = 3;
    static final double SEARCH_PITCH = 0.0004;
    static final double SEARCH_SPEED = 0.008;
    static final double SEARCH_MAX_RADIUS = 0.0045;
    static final double INSERT_STIFFNESS = 400;
    static final double INSERT_FORCE = 10;
    static final double IN_HOLE = 0.002;
    static final double APPROACH_SPEED = 0.1;
    static final double DESCENT_SPEED = 0.015;
    static final double INSERT_SPEED = 0.02;
    static final double REPLAN_MARGIN = 0.005;
    static final double REPLAN_LATERAL = 0.01;

    private final double stepSeconds;
    private final double holeDepth;
    private final SeededRandom random = new SeededRandom(0);
    private double noise;
    private int phase;
    private double arc;
    private final double[] insertAt = new double[2];
    /** The virtual target's height, slewed toward each phase's goal so that contact starts slowly. */
    private double targetZ;
    private boolean fresh;

    public ScriptedExpert(SimSettings settings) {
        this.stepSeconds = 1.0 / settings.stepRateHz;
        this.holeDepth = settings.holeDepth;
        this.noise = settings.expertNoise;
    }

    /** Starts a new episode; the expert's noise stream follows from {@code seed}. */
    public void reset(long seed) {
        random.reseed(seed ^ 0x5DEECE66DL);
        phase = APPROACH;
        arc = 0;
        fresh = true;
    }

    /** Standard deviation of the noise on target positions, m. */
    public void setNoise(double meters) {
        noise = meters;
    }

    public int phase() {
        return phase;
    }

    /**
     * Writes the targets for observation {@code o} into {@code out}: pose, virtual target and
     * stiffness (the caller stamps sequence, time and the human flag).
     */
    public void act(SimObservation o, Targets out) {
        double x = o.tcpPose[0];
        double y = o.tcpPose[1];
        double z = o.tcpPose[2];
        double ex = o.holeEstimate[0];
        double ey = o.holeEstimate[1];
        double ez = o.holeEstimate[2];
        double fz = o.wrench[2];
        if (fresh) {
            targetZ = z;
            fresh = false;
        }

        // Someone else moved the arm (a person took over, or a policy acted before the expert took
        // over): the slewed target no longer fits where the arm is. Start over from here.
        if (phase != APPROACH) {
            double lead = z - targetZ;
            double expectedLead = phase == INSERT ? INSERT_FORCE / INSERT_STIFFNESS : PRESS_FORCE / PRESS_STIFFNESS;
            double lateral = phase == INSERT ? planar(x - insertAt[0], y - insertAt[1]) : planar(x - ex, y - ey);
            if (lead > expectedLead + REPLAN_MARGIN || lead < -REPLAN_MARGIN || lateral > REPLAN_LATERAL) {
                phase = APPROACH;
                targetZ = z;
                arc = 0;
            }
        }

        // Phase changes first, from what the observation shows.
        switch (phase) {
            case APPROACH:
                if (planar(x - ex, y - ey) < 0.0005 && Math.abs(z - (ez + APPROACH_HEIGHT)) < 0.001) {
                    phase = DESCEND;
                }
                break;
            case DESCEND:
                if (z < ez - IN_HOLE) {
                    enterInsert(x, y);
                } else if (fz > CONTACT_FORCE) {
                    phase = SEARCH;
                    arc = 0;
                }
                break;
            case SEARCH:
                if (z < ez - IN_HOLE) {
                    enterInsert(x, y);
                }
                break;
            case INSERT:
                if (z > ez - IN_HOLE / 2) {
                    phase = SEARCH; // popped out
                }
                break;
            default:
                break;
        }

        out.forceAxes = 0;
        for (int i = 3; i < 6; i++) {
            out.pose[i] = 0;
            out.virtualTarget[i] = 0;
        }
        double nx = noise > 0 ? noise * random.nextGaussian() : 0;
        double ny = noise > 0 ? noise * random.nextGaussian() : 0;
        switch (phase) {
            case APPROACH:
                slew(ez + APPROACH_HEIGHT, APPROACH_SPEED);
                scalar(out, APPROACH_STIFFNESS);
                set(out, ex + nx, ey + ny, targetZ, targetZ);
                break;
            case DESCEND:
                // Scalar stiffness along pose -> virtual target, i.e. straight down.
                slew(ez - PRESS_FORCE / PRESS_STIFFNESS, DESCENT_SPEED);
                scalar(out, PRESS_STIFFNESS);
                set(out, ex + nx, ey + ny, targetZ + PRESS_FORCE / PRESS_STIFFNESS, targetZ);
                break;
            case SEARCH: {
                arc += SEARCH_SPEED * stepSeconds;
                double b = SEARCH_PITCH / (2 * Math.PI);
                double theta = Math.sqrt(2 * arc / b);
                double r = b * theta;
                if (r > SEARCH_MAX_RADIUS) {
                    arc = 0;
                    theta = 0;
                    r = 0;
                }
                slew(ez - PRESS_FORCE / PRESS_STIFFNESS, DESCENT_SPEED);
                scalar(out, PRESS_STIFFNESS);
                set(out, ex + r * Math.cos(theta) + nx, ey + r * Math.sin(theta) + ny,
                        targetZ + PRESS_FORCE / PRESS_STIFFNESS, targetZ);
                break;
            }
            default: // INSERT
                slew(ez - holeDepth - INSERT_FORCE / INSERT_STIFFNESS, INSERT_SPEED);
                scalar(out, INSERT_STIFFNESS);
                set(out, insertAt[0] + nx, insertAt[1] + ny, targetZ + INSERT_FORCE / INSERT_STIFFNESS, targetZ);
                break;
        }
    }

    /** Moves the virtual target's height toward {@code goal} by at most {@code speed} per second. */
    private void slew(double goal, double speed) {
        double maxStep = speed * stepSeconds;
        targetZ += Math.max(-maxStep, Math.min(maxStep, goal - targetZ));
    }

    private void enterInsert(double x, double y) {
        phase = INSERT;
        insertAt[0] = x;
        insertAt[1] = y;
    }

    /**
     * The layout-1 action form (Adaptive Compliance Policy): one stiffness along the direction
     * from the pose to the virtual target, the other axes at the configured default.
     */
    private static void scalar(Targets out, double k) {
        out.scalarStiffness = true;
        out.stiffnessAlongTarget = k;
    }

    private static void set(Targets out, double x, double y, double poseZ, double targetZ) {
        out.pose[0] = x;
        out.pose[1] = y;
        out.pose[2] = poseZ;
        out.virtualTarget[0] = x;
        out.virtualTarget[1] = y;
        out.virtualTarget[2] = targetZ;
    }

    /**
     * sqrt(dx^2 + dy^2) (distances of millimetres: no overflow to guard against). Not Math.hypot:
     * on JDK 17 that is java.lang.FdLibm in Java, and C2's compile request for it, made from the
     * control thread, resolves FdLibm's string constant there (72 bytes, once, mid-run).
     */
    static double planar(double dx, double dy) {
        return Math.sqrt(dx * dx + dy * dy);
    }
}
