package io.tendon.learner.replay;

import io.tendon.learner.record.DecodedTransition;
import io.tendon.learner.quality.EpisodeStats;
import io.tendon.learner.record.Outcome;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The episodes that have rows in replay, found by (robot, episode) and by a dense index whose
 * weights the sampler reads per row. Outcome events for episodes not seen yet are remembered
 * (bounded, oldest forgotten first) and applied when the episode's first row arrives.
 * Not thread-safe.
 */
final class Episodes {

    private final Map<EpisodeKey, Episode> byKey = new HashMap<>();
    private Episode[] byIndex = new Episode[1024];
    /** Weight by episode index: what the sampler reads for each row. */
    float[] weight = new float[1024];
    private int[] free = new int[1024];
    private int freeCount;
    private int nextIndex;
    private final EpisodeKey probe = EpisodeKey.probe();
    private final LinkedHashMap<EpisodeKey, Outcome> orphanOutcomes;

    Episodes(int maxOrphanEvents) {
        orphanOutcomes = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<EpisodeKey, Outcome> eldest) {
                return size() > maxOrphanEvents;
            }
        };
    }

    /** The episode of {@code t}, or null; allocation-free. */
    Episode find(DecodedTransition t) {
        return byKey.get(probe.set(t.robotId, t.robotIdLength, t.episodeId, t.episodeIdLength));
    }

    Episode find(EpisodeKey key) {
        return byKey.get(key);
    }

    Episode get(int index) {
        return byIndex[index];
    }

    int count() {
        return byKey.size();
    }

    /** Creates the episode of {@code t} (which must not exist), applying a remembered outcome. */
    Episode create(DecodedTransition t, float initialWeight) {
        EpisodeKey key = probe.set(t.robotId, t.robotIdLength, t.episodeId, t.episodeIdLength).copy();
        return create(key, t.robotIdString(), t.episodeIdString(), new EpisodeStats(), initialWeight);
    }

    Episode create(EpisodeKey key, String robotId, String episodeId, EpisodeStats stats, float initialWeight) {
        int index = freeCount > 0 ? free[--freeCount] : nextIndex++;
        if (index >= byIndex.length) {
            byIndex = Arrays.copyOf(byIndex, byIndex.length * 2);
            weight = Arrays.copyOf(weight, weight.length * 2);
        }
        Episode e = new Episode(key, robotId, episodeId, index, stats, initialWeight);
        Outcome remembered = orphanOutcomes.remove(key);
        if (remembered != null) {
            stats.event(remembered);
        }
        byKey.put(key, e);
        byIndex[index] = e;
        weight[index] = initialWeight;
        return e;
    }

    /** Forgets an episode whose last row left replay. */
    void release(Episode e) {
        byKey.remove(e.key);
        byIndex[e.index] = null;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = e.index;
    }

    void setWeight(Episode e, float w) {
        e.weight = w;
        weight[e.index] = w;
    }

    void rememberOutcome(EpisodeKey key, Outcome outcome) {
        orphanOutcomes.put(key, outcome);
    }

    Map<EpisodeKey, Outcome> orphanOutcomes() {
        return orphanOutcomes;
    }

    /** Every live episode, in no particular order. */
    Iterable<Episode> all() {
        return byKey.values();
    }

    void clear() {
        byKey.clear();
        Arrays.fill(byIndex, null);
        freeCount = 0;
        nextIndex = 0;
        orphanOutcomes.clear();
    }
}
