package io.tendon.learner.quality;

import io.tendon.learner.record.DecodedTransition;
import io.tendon.learner.record.Outcome;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * What the learner has seen of one episode so far, enough to score it (ALGORITHMS.md section
 * 7): time span, RMS jerk of the executed TCP position, peak contact force, steps under human
 * control, how it ended. Transitions of an episode arrive before its end is known, so the
 * statistics accumulate chunk by chunk and the score is recomputed when the end (or a late
 * outcome event) arrives.
 *
 * <p>Layout assumptions (layout 1): an action row starts with the TCP position x, y, z (m);
 * Observation.wrench is mean [F, T] then peak |F|, |T| per axis, so wrench[6..8] are the peak
 * force components (N). With a shorter wrench the mean force [0..2] stands in.
 */
public final class EpisodeStats {

    private long firstStartNanos = Long.MAX_VALUE;
    private long lastStartNanos = Long.MIN_VALUE;
    private long chunks;
    private long validSteps;
    private long interventionSteps;
    private double jerkSumSquares;
    private long jerkSamples;
    private float peakForceN;
    private boolean terminated;
    private boolean truncated;
    private float finalReward;
    private Outcome eventOutcome = Outcome.UNKNOWN;
    private boolean eventEnded;

    /** Last three valid TCP positions (x, y, z each), newest first, for the third difference. */
    private final double[] history = new double[9];
    private int historyCount;
    private long lastStep = -1;

    /**
     * Adds one chunk of the episode. On the ingest path for every accepted row, so the TCP
     * history lives in locals for the chunk and the jerk is scaled by 1 / dt^3 once per chunk
     * rather than per step.
     *
     * @param actionPeriodS seconds between two action rows
     */
    public void observe(DecodedTransition t, double actionPeriodS) {
        chunks++;
        firstStartNanos = Math.min(firstStartNanos, t.startTimeUnixNanos);
        lastStartNanos = Math.max(lastStartNanos, t.startTimeUnixNanos);
        int known = t.step == lastStep + 1 ? historyCount : 0; // a gap or restart: no jerk across it
        lastStep = t.step;
        double[] h = history;
        double x0 = h[0], y0 = h[1], z0 = h[2], x1 = h[3], y1 = h[4], z1 = h[5], x2 = h[6], y2 = h[7], z2 = h[8];
        double thirdDiffSquares = 0;
        long diffs = 0;
        // Step counts from the mask words (bits past the horizon are never set). With overlapping
        // chunks (stride < H) each chunk counts its first `stride` steps only, so every step once.
        int own = t.ownSteps();
        int lastValid = -1;
        for (int w = 0; w < t.maskWords; w++) {
            long valid = t.validMask[w];
            if (valid != 0) {
                lastValid = w * 64 + 63 - Long.numberOfLeadingZeros(valid);
            }
            int ownInWord = Math.max(0, Math.min(64, own - w * 64));
            long ownMask = ownInWord == 64 ? -1L : (1L << ownInWord) - 1;
            validSteps += Long.bitCount(valid & ownMask);
            interventionSteps += Long.bitCount(valid & t.interventionMask[w] & ownMask);
        }
        float[] action = t.action;
        int a = t.actionDim;
        for (int k = 0; a >= 3 && k < own; k++) {
            if ((t.validMask[k >>> 6] & (1L << k)) == 0) {
                continue;
            }
            double x = action[k * a];
            double y = action[k * a + 1];
            double z = action[k * a + 2];
            if (known == 3) {
                double jx = x - 3 * x0 + 3 * x1 - x2;
                double jy = y - 3 * y0 + 3 * y1 - y2;
                double jz = z - 3 * z0 + 3 * z1 - z2;
                thirdDiffSquares += jx * jx + jy * jy + jz * jz;
                diffs++;
            } else {
                known++;
            }
            x2 = x1;
            y2 = y1;
            z2 = z1;
            x1 = x0;
            y1 = y0;
            z1 = z0;
            x0 = x;
            y0 = y;
            z0 = z;
        }
        h[0] = x0;
        h[1] = y0;
        h[2] = z0;
        h[3] = x1;
        h[4] = y1;
        h[5] = z1;
        h[6] = x2;
        h[7] = y2;
        h[8] = z2;
        historyCount = known;
        if (diffs > 0) {
            double dt3 = actionPeriodS * actionPeriodS * actionPeriodS;
            jerkSumSquares += thirdDiffSquares / (dt3 * dt3);
            jerkSamples += diffs;
        }
        peakForceN = Math.max(peakForceN, Math.max(peakForce(t, t.state), peakForce(t, t.nextState)));
        if (t.terminated || t.truncated) {
            terminated |= t.terminated;
            truncated |= t.truncated;
            finalReward = lastValid < 0 ? 0f : t.rewards[lastValid];
        }
    }

    private static float peakForce(DecodedTransition t, float[] state) {
        int w = t.wrenchOffset();
        if (t.wrenchDim >= 9) {
            return norm(state[w + 6], state[w + 7], state[w + 8]);
        }
        if (t.wrenchDim >= 3) {
            return norm(state[w], state[w + 1], state[w + 2]);
        }
        return 0f;
    }

    private static float norm(float x, float y, float z) {
        return (float) Math.sqrt((double) x * x + (double) y * y + (double) z * z);
    }

    /** Records an outcome event (SUCCESS, FAILURE, TIMEOUT, ABORT); every one of them ends the episode. */
    public void event(Outcome outcome) {
        eventOutcome = outcome;
        eventEnded = true;
    }

    /** True once a terminated or truncated chunk or a terminal event arrived. */
    public boolean ended() {
        return terminated || truncated || eventEnded;
    }

    /**
     * The outcome: an event's verdict when one arrived; else a terminated episode succeeded when
     * its final reward reached {@code successReward}; a truncated one failed.
     */
    public Outcome outcome(double successReward) {
        if (eventOutcome != Outcome.UNKNOWN) {
            return eventOutcome;
        }
        if (terminated) {
            return finalReward >= successReward ? Outcome.SUCCESS : Outcome.FAILURE;
        }
        return truncated ? Outcome.FAILURE : Outcome.UNKNOWN;
    }

    /** First chunk start to last chunk start, plus the last chunk's own length, seconds. */
    public double durationS(double chunkSeconds) {
        if (chunks == 0) {
            return 0;
        }
        return (lastStartNanos - firstStartNanos) / 1e9 + chunkSeconds;
    }

    /** RMS of the third difference of the executed TCP position, m/s^3 (0 with fewer than 4 valid steps). */
    public double jerkRms() {
        return jerkSamples == 0 ? 0 : Math.sqrt(jerkSumSquares / jerkSamples);
    }

    public double peakForceN() {
        return peakForceN;
    }

    /** Share of valid steps in which a person was in control (0 with no valid step). */
    public double interventionShare() {
        return validSteps == 0 ? 0 : (double) interventionSteps / validSteps;
    }

    public long chunks() {
        return chunks;
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeLong(firstStartNanos);
        out.writeLong(lastStartNanos);
        out.writeLong(chunks);
        out.writeLong(validSteps);
        out.writeLong(interventionSteps);
        out.writeDouble(jerkSumSquares);
        out.writeLong(jerkSamples);
        out.writeFloat(peakForceN);
        out.writeBoolean(terminated);
        out.writeBoolean(truncated);
        out.writeFloat(finalReward);
        out.writeByte(eventOutcome.ordinal());
        out.writeBoolean(eventEnded);
        for (double h : history) {
            out.writeDouble(h);
        }
        out.writeByte(historyCount);
        out.writeLong(lastStep);
    }

    public static EpisodeStats readFrom(DataInput in) throws IOException {
        EpisodeStats s = new EpisodeStats();
        s.firstStartNanos = in.readLong();
        s.lastStartNanos = in.readLong();
        s.chunks = in.readLong();
        s.validSteps = in.readLong();
        s.interventionSteps = in.readLong();
        s.jerkSumSquares = in.readDouble();
        s.jerkSamples = in.readLong();
        s.peakForceN = in.readFloat();
        s.terminated = in.readBoolean();
        s.truncated = in.readBoolean();
        s.finalReward = in.readFloat();
        int outcome = in.readUnsignedByte();
        if (outcome >= Outcome.values().length) {
            throw new IOException("bad outcome " + outcome + " in episode statistics");
        }
        s.eventOutcome = Outcome.values()[outcome];
        s.eventEnded = in.readBoolean();
        for (int i = 0; i < s.history.length; i++) {
            s.history[i] = in.readDouble();
        }
        s.historyCount = in.readUnsignedByte();
        s.lastStep = in.readLong();
        return s;
    }
}
