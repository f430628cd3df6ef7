package io.tendon.edge.sim;

import io.tendon.edge.control.Targets;

/**
 * A person who takes over when the policy heads for failure and finishes the insertion by feel,
 * the way people do peg-in-hole with a haptic teleoperator: starting from the hole estimate,
 * pressing gently on the table, and sliding the peg towards the hole, whose direction the
 * moment about the tool's tip shows (a peg partly over the hole rests on the side away from it,
 * so the contact force acts off-centre). Without memory: every step's targets are a function of
 * that step's observation, so a learned head can copy them.
 *
 * <p>When: in a training episode of the learned policy, with probability {@code rate} per
 * episode, once the peg has pressed on the table for {@code stuckSeconds} without going in, or
 * once the episode has run {@code giveUpSeconds}; then until the episode ends.
 *
 * <p>Acts in the reference 13-wide action form (pose, virtual target, one stiffness along pose
 * to virtual target). Deterministic for a seed; allocation-free.
 */
public final class SimulatedPerson {

    /** A step's mean contact force above this counts as pressing on something, N. */
    static final double CONTACT_FORCE = 3;
    /** The tip this far below the table top is in the hole, m. */
    static final double IN_HOLE = 0.002;
    /** A moment below this says nothing about the direction (noise), N*m. */
    static final double MIN_MOMENT = 0.004;
    /** Lateral move per step towards the hole while sliding, m. */
    static final double SLIDE_STEP = 0.001;
    static final double APPROACH_HEIGHT = 0.01;
    static final double APPROACH_STIFFNESS = 1000;
    static final double PRESS_FORCE = 8;
    static final double PRESS_STIFFNESS = 300;
    static final double INSERT_FORCE = 10;
    static final double INSERT_STIFFNESS = 400;
    static final double DESCENT_PER_STEP = 0.0015;
    /** Above the table and this far off the estimate: move over it first, m. */
    static final double OFF_ESTIMATE = 0.0007;

    private final double rate;
    private final double stuckSeconds;
    private final double giveUpSeconds;
    private final SeededRandom random = new SeededRandom(0);
    private boolean watching;
    private boolean engaged;
    private double pressedSince = -1;

    /**
     * @param rate          probability that the person watches an episode (0-1)
     * @param stuckSeconds  pressing on the table this long without going in makes the person take over, s
     * @param giveUpSeconds an episode running this long makes the person take over, s
     */
    public SimulatedPerson(double rate, double stuckSeconds, double giveUpSeconds) {
        this.rate = rate;
        this.stuckSeconds = stuckSeconds;
        this.giveUpSeconds = giveUpSeconds;
    }

    /** A new episode: whether the person watches it follows from {@code seed}. */
    public void reset(long seed) {
        random.reseed(seed ^ 0x9e3779b97f4a7c15L);
        watching = rate > 0 && random.nextDouble(0, 1) < rate;
        engaged = false;
        pressedSince = -1;
    }

    /**
     * Whether the person is in control from this step on, decided on the step's observation and
     * the mean wrench over the step before it.
     */
    public boolean decide(SimObservation o, double[] wrenchMean) {
        if (engaged || !watching) {
            return engaged;
        }
        boolean pressing = wrenchMean[2] > CONTACT_FORCE && o.tcpPose[2] > -IN_HOLE;
        if (!pressing) {
            pressedSince = -1;
        } else if (pressedSince < 0) {
            pressedSince = o.time;
        }
        if ((pressedSince >= 0 && o.time - pressedSince >= stuckSeconds) || o.time >= giveUpSeconds) {
            engaged = true;
        }
        return engaged;
    }

    public boolean engaged() {
        return engaged;
    }

    /**
     * The person's targets for observation {@code o} into {@code out} (pose, virtual target,
     * stiffness; the caller stamps the rest), given the mean wrench over the step before it
     * (force N, moment about the tip N*m).
     */
    public static void act(SimObservation o, double[] wrenchMean, Targets out) {
        double momentX = wrenchMean[3];
        double momentY = wrenchMean[4];
        double ex = o.holeEstimate[0];
        double ey = o.holeEstimate[1];
        double x = o.tcpPose[0];
        double y = o.tcpPose[1];
        double z = o.tcpPose[2];
        double fz = wrenchMean[2];
        double px;
        double py;
        double target;
        double k;
        double lead;
        if (z > 0.003 && ScriptedExpert.planar(x - ex, y - ey) > OFF_ESTIMATE) {
            // Above the table, not over the estimate: over it first, at the approach height.
            px = ex;
            py = ey;
            target = Math.max(z - 0.01, APPROACH_HEIGHT);
            k = APPROACH_STIFFNESS;
            lead = 0;
        } else if (z < -IN_HOLE) {
            // In the hole: press down to full depth, the wall guiding the peg.
            px = x;
            py = y;
            target = z - 0.01 - INSERT_FORCE / INSERT_STIFFNESS;
            k = INSERT_STIFFNESS;
            lead = INSERT_FORCE / INSERT_STIFFNESS;
        } else {
            px = ex;
            py = ey;
            double moment = ScriptedExpert.planar(momentX, momentY);
            if (fz > CONTACT_FORCE && moment > MIN_MOMENT) {
                // The peg rests on the side away from the hole: the moment (r x F with F up)
                // points along (u_y, -u_x), u the direction from the hole to the peg.
                double ux = -momentY / moment;
                double uy = momentX / moment;
                px = x - SLIDE_STEP * ux;
                py = y - SLIDE_STEP * uy;
            } else if (fz > CONTACT_FORCE) {
                px = x;
                py = y;
            }
            // Down gently until touching, then press with a set force.
            target = z < 0.0015 ? -PRESS_FORCE / PRESS_STIFFNESS : z - DESCENT_PER_STEP;
            k = PRESS_STIFFNESS;
            lead = PRESS_FORCE / PRESS_STIFFNESS;
        }
        out.forceAxes = 0;
        for (int i = 3; i < 6; i++) {
            out.pose[i] = 0;
            out.virtualTarget[i] = 0;
        }
        out.scalarStiffness = true;
        out.stiffnessAlongTarget = k;
        out.pose[0] = px;
        out.pose[1] = py;
        out.pose[2] = target + lead;
        out.virtualTarget[0] = px;
        out.virtualTarget[1] = py;
        out.virtualTarget[2] = target;
    }
}
