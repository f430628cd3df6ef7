package io.tendon.learner.config;

/** Where ingest starts on a partition it has no checkpointed position for (tendon.replay.rebuild-from). */
public enum RebuildFrom {
    /** Re-read the partition from the oldest retained record: the replay is rebuilt from the log. */
    RETENTION_START,
    /** Continue from the consumer group's committed offset: fast, but the replay starts empty. */
    COMMITTED
}
