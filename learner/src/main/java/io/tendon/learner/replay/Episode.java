package io.tendon.learner.replay;

import io.tendon.learner.quality.EpisodeStats;

/**
 * One episode held in replay: which rows it has (by step, which also de-duplicates), its
 * quality statistics and its current weight. Exists while at least one of its rows is held;
 * when the last is evicted the episode and its keys are forgotten. Not thread-safe.
 */
final class Episode {

    /** Row reference: table index in the top bits, slot below. */
    static final int SLOT_BITS = 29;
    static final int SLOT_MASK = (1 << SLOT_BITS) - 1;

    final EpisodeKey key;
    final String robotId;
    final String episodeId;
    final int index;
    final StepMap rows = new StepMap();
    EpisodeStats stats;
    /** Weight of the episode's rows in training; 0 = not sampled. */
    float weight;
    /** Whether the end of the episode was already scored (and counted in metrics). */
    boolean scored;

    Episode(EpisodeKey key, String robotId, String episodeId, int index, EpisodeStats stats, float weight) {
        this.key = key;
        this.robotId = robotId;
        this.episodeId = episodeId;
        this.index = index;
        this.stats = stats;
        this.weight = weight;
    }

    static int ref(int table, int slot) {
        return table << SLOT_BITS | slot;
    }
}
