package io.tendon.edge.episode;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rewards people assign to policy steps (gRPC Episodes.Reward), waiting to be folded into the
 * transition that holds the step. Bounded in every way the network could push it: one float per
 * step of a fixed window starting at the first step still open (a reward further ahead is refused),
 * each reward finite and within [min, max], and each step's sum clamped to [min, max], so memory is
 * fixed at start-up and a sum cannot overflow to infinity. A reward for a step already published, or
 * for another episode than the running one, is refused: the transition left the robot without it.
 * Every outcome is counted.
 */
public final class RewardInbox {

    /** What became of an offered reward. */
    public enum Result {
        ACCEPTED, NOT_OPEN, TOO_FAR_AHEAD, OUT_OF_BOUNDS
    }

    private final float[] sums;
    private final float min;
    private final float max;
    private final AtomicLong[] counts = new AtomicLong[Result.values().length];
    private String episodeId = "";
    private long firstOpenStep;

    /**
     * @param window steps ahead of the first open step that may take a reward (the memory held: one float each)
     * @param min    smallest reward of one event and of a step's sum
     * @param max    largest
     */
    public RewardInbox(int window, double min, double max) {
        this.sums = new float[window];
        this.min = (float) min;
        this.max = (float) max;
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new AtomicLong();
        }
    }

    /** Accepts a reward for {@code step} of {@code episode}, or says why not (nothing stored then). Any thread. */
    public Result offer(String episode, long step, float reward) {
        Result r = place(episode, step, reward);
        counts[r.ordinal()].incrementAndGet();
        return r;
    }

    private synchronized Result place(String episode, long step, float reward) {
        if (!Float.isFinite(reward) || reward < min || reward > max) {
            return Result.OUT_OF_BOUNDS;
        }
        if (!episode.equals(episodeId) || step < firstOpenStep) {
            return Result.NOT_OPEN;
        }
        if (step - firstOpenStep >= sums.length) {
            return Result.TOO_FAR_AHEAD;
        }
        int i = (int) (step % sums.length);
        sums[i] = Math.max(min, Math.min(max, sums[i] + reward));
        return Result.ACCEPTED;
    }

    /** The assembler moved to a new episode. */
    synchronized void startEpisode(String episode) {
        episodeId = episode;
        firstOpenStep = 0;
        Arrays.fill(sums, 0f);
    }

    /**
     * Removes the rewards of steps [from, to) and adds them to {@code out[0..)}; every step below
     * {@code to} is closed from then on.
     */
    synchronized void drain(int from, int to, float[] out) {
        for (long s = Math.max(from, firstOpenStep); s < to && s < firstOpenStep + sums.length; s++) {
            int i = (int) (s % sums.length);
            out[(int) (s - from)] += sums[i];
            sums[i] = 0f;
        }
        // Steps skipped on the way to `to` (windows dropped for a gap) are closed too.
        for (long s = firstOpenStep; s < Math.min(from, firstOpenStep + sums.length); s++) {
            sums[(int) (s % sums.length)] = 0f;
        }
        firstOpenStep = Math.max(firstOpenStep, to);
    }

    /** The episode whose steps can still take rewards. */
    public synchronized String episodeId() {
        return episodeId;
    }

    /** Rewards offered with this outcome since start. */
    public long count(Result r) {
        return counts[r.ordinal()].get();
    }

    /** Steps the inbox holds a sum for (its whole memory). */
    public int window() {
        return sums.length;
    }
}
