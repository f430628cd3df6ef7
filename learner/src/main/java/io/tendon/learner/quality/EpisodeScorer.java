package io.tendon.learner.quality;

import io.tendon.learner.config.QualityConfig;
import io.tendon.learner.record.Outcome;

/**
 * Turns an episode's statistics into the weight its rows carry into training (ALGORITHMS.md
 * section 7, GreenVLA-style filtering):
 *
 * <pre>
 *   weight = 1
 *   not successful                      -> weight *= failureWeight
 *   duration     > maxDurationS         -> weight *= violationWeight
 *   RMS jerk     > maxJerkMPerS3        -> weight *= violationWeight
 *   peak force   > maxPeakForceN        -> weight *= violationWeight
 *   intervention share > maxInterventionShare -> weight *= violationWeight
 *   weight < minWeight                  -> 0 (filtered: never sampled)
 * </pre>
 *
 * An episode that has not ended has {@link #pendingWeight()}. With quality off every weight is 1.
 */
public final class EpisodeScorer {

    /** Why an episode lost weight; bit {@code 1 << ordinal()} in {@link Score#violations()}. */
    public enum Criterion {
        FAILURE,
        DURATION,
        JERK,
        PEAK_FORCE,
        INTERVENTION_SHARE
    }

    /** A scored episode: its weight, outcome and the criteria it violated (bit set by Criterion ordinal). */
    public record Score(float weight, Outcome outcome, int violations) {

        public boolean violated(Criterion c) {
            return (violations & (1 << c.ordinal())) != 0;
        }
    }

    private final boolean enabled;
    private final float pendingWeight;
    private final double failureWeight;
    private final double violationWeight;
    private final double minWeight;
    private final double maxDurationS;
    private final double maxJerk;
    private final double maxPeakForceN;
    private final double maxInterventionShare;
    private final double successReward;
    private final double actionPeriodS;
    private final double chunkSeconds;

    public EpisodeScorer(QualityConfig q, int horizon) {
        this(q.enabled(), q.pendingWeight(), q.failureWeight(), q.violationWeight(), q.minWeight(), q.maxDurationS(),
                q.maxJerkMPerS3(), q.maxPeakForceN(), q.maxInterventionShare(), q.successReward(),
                q.actionPeriodMs() / 1000.0, horizon);
    }

    public EpisodeScorer(boolean enabled, double pendingWeight, double failureWeight, double violationWeight,
            double minWeight, double maxDurationS, double maxJerk, double maxPeakForceN, double maxInterventionShare,
            double successReward, double actionPeriodS, int horizon) {
        this.enabled = enabled;
        this.pendingWeight = enabled ? (float) pendingWeight : 1f;
        this.failureWeight = failureWeight;
        this.violationWeight = violationWeight;
        this.minWeight = minWeight;
        this.maxDurationS = maxDurationS;
        this.maxJerk = maxJerk;
        this.maxPeakForceN = maxPeakForceN;
        this.maxInterventionShare = maxInterventionShare;
        this.successReward = successReward;
        this.actionPeriodS = actionPeriodS;
        this.chunkSeconds = actionPeriodS * horizon;
    }

    /** Weight of the rows of an episode that has not ended. */
    public float pendingWeight() {
        return pendingWeight;
    }

    /** Seconds between two action rows, for {@link EpisodeStats#observe}. */
    public double actionPeriodS() {
        return actionPeriodS;
    }

    /** Scores an ended episode (call {@link #pendingWeight()} for one that has not ended). */
    public Score score(EpisodeStats s) {
        Outcome outcome = s.outcome(successReward);
        if (!enabled) {
            return new Score(1f, outcome, 0);
        }
        double weight = 1;
        int violations = 0;
        if (outcome != Outcome.SUCCESS) {
            weight *= failureWeight;
            violations |= bit(Criterion.FAILURE);
        }
        if (s.durationS(chunkSeconds) > maxDurationS) {
            weight *= violationWeight;
            violations |= bit(Criterion.DURATION);
        }
        if (s.jerkRms() > maxJerk) {
            weight *= violationWeight;
            violations |= bit(Criterion.JERK);
        }
        if (s.peakForceN() > maxPeakForceN) {
            weight *= violationWeight;
            violations |= bit(Criterion.PEAK_FORCE);
        }
        if (s.interventionShare() > maxInterventionShare) {
            weight *= violationWeight;
            violations |= bit(Criterion.INTERVENTION_SHARE);
        }
        if (weight < minWeight) {
            weight = 0;
        }
        return new Score((float) weight, outcome, violations);
    }

    /** Weight for an episode in its current state: pending or scored. */
    public float weight(EpisodeStats s) {
        return s.ended() ? score(s).weight() : pendingWeight;
    }

    private static int bit(Criterion c) {
        return 1 << c.ordinal();
    }
}
