package io.tendon.learner.replay;

/**
 * Reverb's {@code SampleToInsertRatio} rate limiter, as arithmetic only (the replay buffer
 * owns the lock and the waiting). With {@code diff = inserts x samplesPerInsert - samples}:
 *
 * <pre>
 *   offset  = samplesPerInsert x minSizeToSample
 *   minDiff = offset - errorBuffer,   maxDiff = offset + errorBuffer
 *   sample n rows allowed  when size >= minSizeToSample and diff - n >= minDiff
 *   insert 1 row allowed   when size + 1 <= minSizeToSample or diff + samplesPerInsert <= maxDiff
 * </pre>
 *
 * Each sampled row counts as one sample. Not thread-safe: call under the buffer's lock.
 *
 * <p>Bulk inserts (a restart rebuilding replay from the log, demonstration files) are counted
 * but never held back; afterwards {@code diff} is clamped to {@code maxDiff}, so a rebuilt
 * replay gives the trainer at most one error buffer of credit instead of making live ingest
 * wait until the trainer has re-sampled the whole rebuilt history.
 */
public final class SampleToInsertRatio {

    private final boolean enabled;
    private final boolean insertsWait;
    private final double samplesPerInsert;
    private final long minSizeToSample;
    private final double errorBuffer;
    private final double minDiff;
    private final double maxDiff;

    /** Rows inserted (each counts samplesPerInsert of credit). */
    private long inserts;
    /** Samples charged against the credit: real samples plus what clamping forgave. */
    private double samplesCharged;

    /**
     * @param enabled false: only minSizeToSample applies (Reverb's MinSize limiter)
     */
    public SampleToInsertRatio(boolean enabled, double samplesPerInsert, long minSizeToSample, double errorBuffer) {
        this(enabled, true, samplesPerInsert, minSizeToSample, errorBuffer);
    }

    /**
     * @param insertsWait false: live inserts are never held back (the caller does not ask
     *                    {@link #canInsert}), so the limiter bounds only the trainer: the minimum
     *                    size, and at most samplesPerInsert samples per row inserted beyond it
     */
    public SampleToInsertRatio(boolean enabled, boolean insertsWait, double samplesPerInsert, long minSizeToSample,
            double errorBuffer) {
        if (!(samplesPerInsert > 0) || minSizeToSample < 1 || !(errorBuffer > 0)) {
            throw new IllegalArgumentException("samplesPerInsert and errorBuffer must be > 0, minSizeToSample >= 1");
        }
        this.enabled = enabled;
        this.insertsWait = insertsWait;
        this.samplesPerInsert = samplesPerInsert;
        this.minSizeToSample = minSizeToSample;
        this.errorBuffer = errorBuffer;
        double offset = samplesPerInsert * minSizeToSample;
        this.minDiff = offset - errorBuffer;
        this.maxDiff = offset + errorBuffer;
    }

    /** True when {@code n} rows may be sampled from a replay of {@code size} rows now. */
    public boolean canSample(int n, long size) {
        if (size < minSizeToSample) {
            return false;
        }
        return !enabled || diff() - n >= minDiff;
    }

    /** True when one more live row may be inserted into a replay of {@code size} rows now. */
    public boolean canInsert(long size) {
        if (!enabled || !insertsWait || size + 1 <= minSizeToSample) {
            return true;
        }
        return diff() + samplesPerInsert <= maxDiff;
    }

    /**
     * How many live rows {@link #canInsert} would let in one after another from now if nothing
     * were sampled meanwhile (sampling only adds room). The ingest loop asks this once and then
     * counts down, instead of taking the replay's lock for every record.
     */
    public long insertHeadroom(long size) {
        if (!enabled || !insertsWait) {
            return Long.MAX_VALUE;
        }
        long belowMinSize = Math.max(0, minSizeToSample - size);
        double rows = Math.floor((maxDiff - diff()) / samplesPerInsert);
        long k = rows >= 0 ? (long) Math.min(rows + 1, 1e15) : 0;
        while (k > 0 && !insertAllowedAfter(k - 1)) {
            k--; // the division rounded up: step back to what canInsert itself computes
        }
        return Math.max(belowMinSize, k);
    }

    /** canInsert's ratio test after {@code more} further inserts, in the same arithmetic. */
    private boolean insertAllowedAfter(long more) {
        return (inserts + more) * samplesPerInsert - samplesCharged + samplesPerInsert <= maxDiff;
    }

    /**
     * Throws when a batch of {@code n} could wait forever: sampling needs {@code diff >= minDiff + n}
     * while ingest stops at {@code diff > maxDiff - samplesPerInsert}, so the window
     * {@code 2 x errorBuffer} must hold {@code n + samplesPerInsert}.
     */
    public void checkBatch(int n) {
        if (enabled && n + samplesPerInsert > 2 * errorBuffer) {
            throw new IllegalArgumentException("a batch of " + n + " rows can never be sampled: "
                    + "tendon.replay.rate-limit.error-buffer (" + errorBuffer + ") must be at least (batch + "
                    + "samples-per-insert) / 2 = " + (n + samplesPerInsert) / 2);
        }
    }

    /** Counts {@code n} inserted rows; {@code bulk} ones (rebuild, files) clamp the credit to maxDiff. */
    public void inserted(long n, boolean bulk) {
        inserts += n;
        if (bulk) {
            double excess = diff() - maxDiff;
            if (excess > 0) {
                samplesCharged += excess;
            }
        }
    }

    public void sampled(int n) {
        samplesCharged += n;
    }

    /** inserts x samplesPerInsert - samples charged. */
    public double diff() {
        return inserts * samplesPerInsert - samplesCharged;
    }

    public double minDiff() {
        return minDiff;
    }

    public double maxDiff() {
        return maxDiff;
    }

    public boolean enabled() {
        return enabled;
    }

    public double samplesPerInsert() {
        return samplesPerInsert;
    }

    public long minSizeToSample() {
        return minSizeToSample;
    }

    long inserts() {
        return inserts;
    }

    double samplesCharged() {
        return samplesCharged;
    }

    /** Restores counters from a checkpoint. */
    void restore(long inserts, double samplesCharged) {
        this.inserts = inserts;
        this.samplesCharged = samplesCharged;
    }

    void clear() {
        inserts = 0;
        samplesCharged = 0;
    }
}
