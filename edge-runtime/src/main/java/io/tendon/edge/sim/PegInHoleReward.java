package io.tendon.edge.sim;

import io.tendon.edge.step.EpisodeOutcome;

/**
 * The per-step reward of the peg-in-hole task, computed at the end of each policy step:
 *
 * <pre>
 *   r = 0.1 * (1 - tanh(d / 0.01))             dense shaping: d = distance (m) from the peg tip to
 *                                             the bottom centre of the hole; 0.1 at the goal,
 *                                             about 0.024 at 1 cm, about 0 beyond 3 cm
 *     - 0.05 * max(0, F_peak - 20) / 20        force shaping: F_peak = largest contact force (N)
 *                                             during the step; pressing harder than 20 N costs
 *     + 10                                     success bonus, on the step that reaches full depth
 *     - 5                                      failure penalty, on the step that exceeds the force limit
 * </pre>
 *
 * Unitless. A timeout adds nothing (the episode is truncated, not failed).
 */
public final class PegInHoleReward {

    private PegInHoleReward() {
    }

    public static final double SHAPING_SCALE = 0.1;
    public static final double SHAPING_DISTANCE = 0.01;
    public static final double FORCE_FREE = 20;
    public static final double FORCE_WEIGHT = 0.05;
    public static final double SUCCESS_BONUS = 10;
    public static final double FAILURE_PENALTY = -5;

    public static double reward(double distanceToGoal, double peakContactForce, int outcome) {
        double r = SHAPING_SCALE * (1 - Math.tanh(distanceToGoal / SHAPING_DISTANCE));
        r -= FORCE_WEIGHT * Math.max(0, peakContactForce - FORCE_FREE) / FORCE_FREE;
        if (outcome == EpisodeOutcome.SUCCESS) {
            r += SUCCESS_BONUS;
        } else if (outcome == EpisodeOutcome.FAILURE) {
            r += FAILURE_PENALTY;
        }
        return r;
    }
}
