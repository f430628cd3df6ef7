package io.tendon.learner.replay;

/** Test-only access to the replay's insert lock, to hold ingest still while a benchmark fills the topic. */
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
}
