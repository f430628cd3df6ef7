package io.tendon.learner.replay;

/** Test-only access to the replay: its insert lock (to hold ingest still while a benchmark fills the topic), row priorities. */
public final class ReplayTestAccess {

    private ReplayTestAccess() {
    }

    /** Blocks every insert until {@link #releaseInserts} is called from the same thread. */
    public static void holdInserts(ReplayBuffer replay) {
        replay.writer.lock();
    }

    public static void releaseInserts(ReplayBuffer replay) {
        replay.writer.unlock();
    }

    /** The priority mass {@code (|td| + epsilon)^alpha} of the row a Batch.slot value names. */
    public static double priority(ReplayBuffer replay, long slot) {
        ReplayTable table = replay.tables[(int) (slot >>> 56)];
        return table.priority[(int) ((slot & ((1L << 56) - 1)) % table.capacity)];
    }
}
