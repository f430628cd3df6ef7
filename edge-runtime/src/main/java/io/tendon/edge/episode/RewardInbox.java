package io.tendon.edge.episode;

import java.util.HashMap;
import java.util.Map;

/**
 * Rewards people assign to policy steps (gRPC Episodes.Reward), waiting to be folded into the
 * transition that holds the step. A reward for a step already published, or for another
 * episode than the running one, is refused: the transition left the robot without it.
 */
public final class RewardInbox {

    private final Map<Integer, Float> pending = new HashMap<>();
    private String episodeId = "";
    private int firstOpenStep;

    /** Accepts a reward for {@code step} of {@code episode}; false (with nothing stored) when too late. */
    public synchronized boolean offer(String episode, int step, float reward) {
        if (!episode.equals(episodeId) || step < firstOpenStep) {
            return false;
        }
        pending.merge(step, reward, Float::sum);
        return true;
    }

    /** The assembler moved to a new episode. */
    synchronized void startEpisode(String episode) {
        episodeId = episode;
        firstOpenStep = 0;
        pending.clear();
    }

    /** Removes and returns the rewards of steps [from, to) into {@code out[0..)} (added to what is there). */
    synchronized void drain(int from, int to, float[] out) {
        for (int s = from; s < to; s++) {
            Float r = pending.remove(s);
            if (r != null) {
                out[s - from] += r;
            }
        }
        firstOpenStep = Math.max(firstOpenStep, to);
    }

    /** The episode whose steps can still take rewards. */
    public synchronized String episodeId() {
        return episodeId;
    }
}
