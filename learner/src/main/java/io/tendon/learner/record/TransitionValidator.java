package io.tendon.learner.record;

import io.tendon.schemas.layout.LayoutConfig;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Decides whether a decoded Transition may enter replay. Checks run cheapest first and the
 * first failure wins, so each record has exactly one reason. Allocation-free on the accept
 * path (details are built only for a refusal).
 */
public final class TransitionValidator {

    /** Ids are what a robot can be named by in topics, metrics and file names: [A-Za-z0-9._:-]{1,128}. */
    private static final String ID_RULE = "[A-Za-z0-9._:-]{1,128}";
    /** 2000-01-01T00:00:00Z: anything older is an unset or broken clock. */
    private static final long EARLIEST_NANOS = 946_684_800_000_000_000L;
    private static final boolean[] ID_CHAR = new boolean[128];

    static {
        for (char c = 'A'; c <= 'Z'; c++) {
            ID_CHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            ID_CHAR[c] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            ID_CHAR[c] = true;
        }
        for (char c : ".:_-".toCharArray()) {
            ID_CHAR[c] = true;
        }
    }

    private final LayoutConfig layout;
    private final long maxSkewNanos;
    private final long maxEpisodeSteps;
    private final LongSupplier nowNanos;

    /**
     * @param maxEpisodeSteps a step at or above this is refused as BAD_ID
     * @param nowUnixNanos the wall clock, Unix epoch nanoseconds (a fixed clock in tests)
     */
    public TransitionValidator(LayoutConfig layout, long maxSkewSeconds, long maxEpisodeSteps,
            LongSupplier nowUnixNanos) {
        this.layout = layout;
        this.maxSkewNanos = maxSkewSeconds * 1_000_000_000L;
        this.maxEpisodeSteps = maxEpisodeSteps;
        this.nowNanos = nowUnixNanos;
    }

    /**
     * Returns null when the transition is acceptable.
     *
     * @param key the Kafka record key (null when there is none, e.g. a demonstration file)
     */
    public Rejection check(DecodedTransition t, byte[] key) {
        return check(t, key, nowNanos.getAsLong());
    }

    /** This validator's clock, Unix epoch nanoseconds. */
    public long nowUnixNanos() {
        return nowNanos.getAsLong();
    }

    /**
     * As {@link #check(DecodedTransition, byte[])} with the clock read by the caller: the
     * ingest loop reads it once per polled batch, not once per record.
     *
     * @param nowUnixNanos the current time from this validator's clock (or slightly earlier)
     */
    public Rejection check(DecodedTransition t, byte[] key, long nowUnixNanos) {
        Rejection r = checkPresence(t);
        if (r != null) {
            return r;
        }
        if (!isId(t.robotId, t.robotIdLength)) {
            return new Rejection(DeadLetterReason.BAD_ID, "robot_id '" + abbreviate(t.robotIdString()) + "' is not " + ID_RULE);
        }
        if (!isId(t.episodeId, t.episodeIdLength)) {
            return new Rejection(DeadLetterReason.BAD_ID,
                    "episode_id '" + abbreviate(t.episodeIdString()) + "' is not " + ID_RULE);
        }
        if (key != null && !sameBytes(key, t.robotId, t.robotIdLength)) {
            return new Rejection(DeadLetterReason.BAD_ID, "record key '"
                    + abbreviate(new String(key, StandardCharsets.UTF_8)) + "' differs from robot_id '"
                    + t.robotIdString() + "'");
        }
        if (Long.compareUnsigned(t.step, maxEpisodeSteps) >= 0) {
            return new Rejection(DeadLetterReason.BAD_ID, "step " + Long.toUnsignedString(t.step)
                    + " is not below tendon.ingest.max-episode-steps (" + maxEpisodeSteps + ")");
        }
        if (t.layoutVersion != layout.version()) {
            return new Rejection(DeadLetterReason.LAYOUT_VERSION,
                    "layout_version " + Integer.toUnsignedString(t.layoutVersion) + ", this learner accepts "
                            + layout.version());
        }
        r = checkDimensions(t);
        if (r != null) {
            return r;
        }
        r = checkFinite(t);
        if (r != null) {
            return r;
        }
        return checkTimestamps(t, nowUnixNanos);
    }

    private static Rejection checkPresence(DecodedTransition t) {
        String missing = null;
        if (t.robotIdLength == 0) {
            missing = "robot_id";
        } else if (t.episodeIdLength == 0) {
            missing = "episode_id";
        } else if (t.layoutVersion == 0) {
            missing = "layout_version";
        } else if (t.source < 1 || t.source > 3) {
            missing = "source";
        } else if (!t.hasObservation) {
            missing = "observation";
        } else if (!t.hasExecutedChunk) {
            missing = "executed_chunk";
        } else if (!t.hasNextObservation) {
            missing = "next_observation";
        } else if (t.source != 1 && !t.hasPolicyChunk) {
            missing = "policy_chunk (required unless source is DEMO)";
        }
        return missing == null ? null : new Rejection(DeadLetterReason.MISSING_FIELD, missing + " is missing");
    }

    private Rejection checkDimensions(DecodedTransition t) {
        // Numbers first; a message is built only for a refusal (this runs for every record).
        Rejection r = checkObservation("observation", t.latentCount, t.proprioCount, t.wrenchCount);
        if (r == null) {
            r = checkObservation("next_observation", t.nextLatentCount, t.nextProprioCount, t.nextWrenchCount);
        }
        if (r == null) {
            r = checkChunk("executed_chunk", t.actionHorizon, t.actionActionDim, t.actionCount);
        }
        if (r == null && t.hasPolicyChunk) {
            r = checkChunk("policy_chunk", t.policyHorizon, t.policyActionDim, t.policyCount);
        }
        for (int i = 0; r == null && i < t.baseSamplesCount; i++) {
            r = checkChunk("base_samples", i, t.baseHorizon[i], t.baseActionDim[i], t.baseValueCount[i]);
        }
        if (r == null && t.baseChunksStored > 0 && t.baseSamplesCount != 0 && t.baseSamplesCount != t.baseChunksStored) {
            r = new Rejection(DeadLetterReason.DIMENSION, "base_samples holds " + t.baseSamplesCount + " chunks; the"
                    + " bundle's base_samples_per_transition " + t.baseChunksStored / 2 + " asks for none or "
                    + t.baseChunksStored + " (M at s, then M at s')");
        }
        int h = layout.horizon();
        if (r == null && t.rewardsCount != h) {
            r = lengthMismatch("rewards", t.rewardsCount, h);
        }
        if (r == null && t.validMaskCount != h) {
            r = lengthMismatch("valid_mask", t.validMaskCount, h);
        }
        if (r == null && t.interventionMaskCount != h) {
            r = lengthMismatch("intervention_mask", t.interventionMaskCount, h);
        }
        return r;
    }

    private Rejection checkObservation(String name, int latent, int proprio, int wrench) {
        if (latent != layout.latentDim()) {
            return lengthMismatch(name + ".latent", latent, layout.latentDim());
        }
        if (proprio != layout.proprioDim()) {
            return lengthMismatch(name + ".proprio", proprio, layout.proprioDim());
        }
        if (wrench != layout.wrenchDim()) {
            return lengthMismatch(name + ".wrench", wrench, layout.wrenchDim());
        }
        return null;
    }

    private Rejection checkChunk(String name, int horizon, int actionDim, int values) {
        return checkChunk(name, -1, horizon, actionDim, values);
    }

    /** index >= 0 names an element of a repeated chunk field. */
    private Rejection checkChunk(String field, int index, int horizon, int actionDim, int values) {
        if (horizon == layout.horizon() && actionDim == layout.actionDim()
                && values == layout.horizon() * layout.actionDim()) {
            return null;
        }
        String name = index < 0 ? field : field + "[" + index + "]";
        if (horizon != layout.horizon() || actionDim != layout.actionDim()) {
            return new Rejection(DeadLetterReason.DIMENSION, name + " is " + Integer.toUnsignedString(horizon) + " x "
                    + Integer.toUnsignedString(actionDim) + ", expected " + layout.horizon() + " x " + layout.actionDim());
        }
        return lengthMismatch(name + ".values", values, layout.horizon() * layout.actionDim());
    }

    private static Rejection lengthMismatch(String name, int actual, int expected) {
        return new Rejection(DeadLetterReason.DIMENSION, name + " has " + actual + " values, expected " + expected);
    }

    private static Rejection checkFinite(DecodedTransition t) {
        if (allFinite(t)) {
            return nonFiniteBaseSample(t);
        }
        String where = firstNonFinite(t, t.state);
        if (where != null) {
            return nonFinite("observation." + where);
        }
        where = firstNonFinite(t, t.nextState);
        if (where != null) {
            return nonFinite("next_observation." + where);
        }
        int i = firstNonFinite(t.action, t.chunkSize);
        if (i >= 0) {
            return nonFinite("executed_chunk.values[" + i + "]");
        }
        if (t.hasPolicyChunk) {
            i = firstNonFinite(t.policyAction, t.chunkSize);
            if (i >= 0) {
                return nonFinite("policy_chunk.values[" + i + "]");
            }
        }
        Rejection base = nonFiniteBaseSample(t);
        if (base != null) {
            return base;
        }
        i = firstNonFinite(t.rewards, t.horizon);
        if (i >= 0) {
            return nonFinite("rewards[" + i + "]");
        }
        return null;
    }

    private static Rejection nonFiniteBaseSample(DecodedTransition t) {
        for (int k = 0; k < t.baseSamplesCount; k++) {
            if (t.baseFirstNonFinite[k] >= 0) {
                return nonFinite("base_samples[" + k + "].values[" + t.baseFirstNonFinite[k] + "]");
            }
        }
        return null;
    }

    private static Rejection nonFinite(String where) {
        return new Rejection(DeadLetterReason.NON_FINITE, "a NaN or infinity in " + where);
    }

    private static String firstNonFinite(DecodedTransition t, float[] s) {
        int i = firstNonFinite(s, t.stateDim);
        if (i < 0) {
            return null;
        }
        if (i < t.latentDim) {
            return "latent[" + i + "]";
        }
        if (i < t.latentDim + t.proprioDim) {
            return "proprio[" + (i - t.latentDim) + "]";
        }
        return "wrench[" + (i - t.latentDim - t.proprioDim) + "]";
    }

    /**
     * True when the observations, chunks and rewards hold no NaN or infinity. x - x is +0 for
     * every finite x and NaN otherwise, so the differences of all values are written to one
     * scratch row and compared with zeros: a subtraction loop the JIT vectorises and one
     * vectorised mismatch, about a third faster than testing each value's exponent (the ingest
     * path pays it for every record). Where the bad value sits is found only for a bad record.
     */
    private static boolean allFinite(DecodedTransition t) {
        float[] d = t.finiteScratch;
        int n = minusItself(t.state, t.stateDim, d, 0);
        n = minusItself(t.nextState, t.stateDim, d, n);
        n = minusItself(t.action, t.chunkSize, d, n);
        if (t.hasPolicyChunk) {
            n = minusItself(t.policyAction, t.chunkSize, d, n);
        }
        n = minusItself(t.rewards, t.horizon, d, n);
        return Arrays.mismatch(d, 0, n, t.finiteZeros, 0, n) < 0;
    }

    private static int minusItself(float[] values, int count, float[] out, int at) {
        for (int i = 0; i < count; i++) {
            out[at + i] = values[i] - values[i];
        }
        return at + count;
    }

    private static int firstNonFinite(float[] values, int n) {
        // Only for a record that allFinite refused, to name the value: a float is finite exactly
        // when its exponent bits are not all ones.
        for (int i = 0; i < n; i++) {
            if ((Float.floatToRawIntBits(values[i]) & 0x7f80_0000) == 0x7f80_0000) {
                return i;
            }
        }
        return -1;
    }

    private Rejection checkTimestamps(DecodedTransition t, long nowUnixNanos) {
        long start = t.startTimeUnixNanos;
        long latest = nowUnixNanos + maxSkewNanos;
        if (start < EARLIEST_NANOS || start > latest) {
            return new Rejection(DeadLetterReason.BAD_TIMESTAMP,
                    "start_time_unix_nanos " + start + " is outside [2000-01-01, now + skew]");
        }
        long publish = t.publishTimeUnixNanos;
        if (publish != 0 && (publish < start || publish > latest)) {
            return new Rejection(DeadLetterReason.BAD_TIMESTAMP,
                    "publish_time_unix_nanos " + publish + " is before the start time or in the future");
        }
        return null;
    }

    private static boolean isId(byte[] id, int length) {
        if (length < 1 || length > DecodedTransition.MAX_ID_BYTES) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            byte b = id[i];
            if (b < 0 || !ID_CHAR[b]) {
                return false;
            }
        }
        return true;
    }

    /** True when {@code s} matches the id rule; for ids outside Transitions (episode events). */
    public static boolean isId(String s) {
        if (s.isEmpty() || s.length() > DecodedTransition.MAX_ID_BYTES) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 128 || !ID_CHAR[c]) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameBytes(byte[] key, byte[] id, int length) {
        if (key.length != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (key[i] != id[i]) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
