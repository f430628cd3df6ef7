package io.tendon.learner.ingest;

import io.tendon.learner.config.LearnerConfig;
import io.tendon.schemas.v1.ActionChunk;
import io.tendon.schemas.v1.Observation;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Decides whether a Transition may enter replay. Checks run cheapest first and the first
 * failure wins, so each record has exactly one reason. Allocation-free on the accept path.
 */
public final class TransitionValidator {

    /** Ids are what a robot can be named by in topics, metrics and file names. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    /** 2000-01-01T00:00:00Z: anything older is an unset or broken clock. */
    private static final long EARLIEST_NANOS = 946_684_800_000_000_000L;

    private final LearnerConfig.Layout layout;
    private final long maxSkewNanos;
    private final LongSupplier nowNanos;

    public TransitionValidator(LearnerConfig.Layout layout, long maxSkewSeconds, LongSupplier nowUnixNanos) {
        this.layout = layout;
        this.maxSkewNanos = maxSkewSeconds * 1_000_000_000L;
        this.nowNanos = nowUnixNanos;
    }

    /** Returns null when the transition is acceptable; {@code key} is the Kafka record key (may be null). */
    public Rejection check(Transition t, String key) {
        Rejection r = checkPresence(t);
        if (r != null) {
            return r;
        }
        if (!ID.matcher(t.getRobotId()).matches()) {
            return new Rejection(DeadLetterReason.BAD_ID, "robot_id '" + abbreviate(t.getRobotId()) + "' is not " + ID);
        }
        if (!ID.matcher(t.getEpisodeId()).matches()) {
            return new Rejection(DeadLetterReason.BAD_ID, "episode_id '" + abbreviate(t.getEpisodeId()) + "' is not " + ID);
        }
        if (key != null && !key.equals(t.getRobotId())) {
            return new Rejection(DeadLetterReason.BAD_ID,
                    "record key '" + abbreviate(key) + "' differs from robot_id '" + t.getRobotId() + "'");
        }
        if (t.getLayoutVersion() != layout.version()) {
            return new Rejection(DeadLetterReason.LAYOUT_VERSION,
                    "layout_version " + t.getLayoutVersion() + ", this learner accepts " + layout.version());
        }
        r = checkDimensions(t);
        if (r != null) {
            return r;
        }
        r = checkFinite(t);
        if (r != null) {
            return r;
        }
        return checkTimestamps(t);
    }

    private static Rejection checkPresence(Transition t) {
        String missing = null;
        if (t.getRobotId().isEmpty()) {
            missing = "robot_id";
        } else if (t.getEpisodeId().isEmpty()) {
            missing = "episode_id";
        } else if (t.getLayoutVersion() == 0) {
            missing = "layout_version";
        } else if (t.getSource() == Source.SOURCE_UNSPECIFIED || t.getSource() == Source.UNRECOGNIZED) {
            missing = "source";
        } else if (!t.hasObservation()) {
            missing = "observation";
        } else if (!t.hasExecutedChunk()) {
            missing = "executed_chunk";
        } else if (!t.hasNextObservation()) {
            missing = "next_observation";
        } else if (t.getSource() != Source.DEMO && !t.hasPolicyChunk()) {
            missing = "policy_chunk (required unless source is DEMO)";
        }
        return missing == null ? null : new Rejection(DeadLetterReason.MISSING_FIELD, missing + " is missing");
    }

    private Rejection checkDimensions(Transition t) {
        Rejection r = checkObservation("observation", t.getObservation());
        if (r == null) {
            r = checkObservation("next_observation", t.getNextObservation());
        }
        if (r == null) {
            r = checkChunk("executed_chunk", t.getExecutedChunk());
        }
        if (r == null && t.hasPolicyChunk()) {
            r = checkChunk("policy_chunk", t.getPolicyChunk());
        }
        for (int i = 0; r == null && i < t.getBaseSamplesCount(); i++) {
            r = checkChunk("base_samples[" + i + "]", t.getBaseSamples(i));
        }
        if (r == null) {
            r = checkLength("rewards", t.getRewardsCount(), layout.horizon());
        }
        if (r == null) {
            r = checkLength("valid_mask", t.getValidMaskCount(), layout.horizon());
        }
        if (r == null) {
            r = checkLength("intervention_mask", t.getInterventionMaskCount(), layout.horizon());
        }
        return r;
    }

    private Rejection checkObservation(String name, Observation o) {
        Rejection r = checkLength(name + ".latent", o.getLatentCount(), layout.latentDim());
        if (r == null) {
            r = checkLength(name + ".proprio", o.getProprioCount(), layout.proprioDim());
        }
        if (r == null) {
            r = checkLength(name + ".wrench", o.getWrenchCount(), layout.wrenchDim());
        }
        return r;
    }

    private Rejection checkChunk(String name, ActionChunk c) {
        if (c.getHorizon() != layout.horizon() || c.getActionDim() != layout.actionDim()) {
            return new Rejection(DeadLetterReason.DIMENSION, name + " is " + c.getHorizon() + " x " + c.getActionDim()
                    + ", expected " + layout.horizon() + " x " + layout.actionDim());
        }
        return checkLength(name + ".values", c.getValuesCount(), layout.horizon() * layout.actionDim());
    }

    private static Rejection checkLength(String name, int actual, int expected) {
        if (actual == expected) {
            return null;
        }
        return new Rejection(DeadLetterReason.DIMENSION, name + " has " + actual + " values, expected " + expected);
    }

    private static Rejection checkFinite(Transition t) {
        String where = firstNonFinite(t.getObservation());
        if (where != null) {
            return nonFinite("observation." + where);
        }
        where = firstNonFinite(t.getNextObservation());
        if (where != null) {
            return nonFinite("next_observation." + where);
        }
        if (!allFinite(t.getExecutedChunk())) {
            return nonFinite("executed_chunk");
        }
        if (!allFinite(t.getPolicyChunk())) {
            return nonFinite("policy_chunk");
        }
        for (int i = 0; i < t.getBaseSamplesCount(); i++) {
            if (!allFinite(t.getBaseSamples(i))) {
                return nonFinite("base_samples[" + i + "]");
            }
        }
        for (int i = 0; i < t.getRewardsCount(); i++) {
            if (!Float.isFinite(t.getRewards(i))) {
                return nonFinite("rewards[" + i + "]");
            }
        }
        return null;
    }

    private static Rejection nonFinite(String where) {
        return new Rejection(DeadLetterReason.NON_FINITE, "a NaN or infinity in " + where);
    }

    private static String firstNonFinite(Observation o) {
        for (int i = 0; i < o.getLatentCount(); i++) {
            if (!Float.isFinite(o.getLatent(i))) {
                return "latent[" + i + "]";
            }
        }
        for (int i = 0; i < o.getProprioCount(); i++) {
            if (!Float.isFinite(o.getProprio(i))) {
                return "proprio[" + i + "]";
            }
        }
        for (int i = 0; i < o.getWrenchCount(); i++) {
            if (!Float.isFinite(o.getWrench(i))) {
                return "wrench[" + i + "]";
            }
        }
        return null;
    }

    private static boolean allFinite(ActionChunk c) {
        for (int i = 0; i < c.getValuesCount(); i++) {
            if (!Float.isFinite(c.getValues(i))) {
                return false;
            }
        }
        return true;
    }

    private Rejection checkTimestamps(Transition t) {
        long start = t.getStartTimeUnixNanos();
        long latest = nowNanos.getAsLong() + maxSkewNanos;
        if (start < EARLIEST_NANOS || start > latest) {
            return new Rejection(DeadLetterReason.BAD_TIMESTAMP,
                    "start_time_unix_nanos " + start + " is outside [2000-01-01, now + skew]");
        }
        long publish = t.getPublishTimeUnixNanos();
        if (publish != 0 && (publish < start || publish > latest)) {
            return new Rejection(DeadLetterReason.BAD_TIMESTAMP,
                    "publish_time_unix_nanos " + publish + " is before the start time or in the future");
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
