package io.tendon.learner.ingest;

import io.tendon.learner.record.TransitionSink;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The samples-per-insert rate limiter's hold on live ingest. Before each live record the
 * processor asks {@link #admit}: the sink says how many live inserts in a row it allows
 * ({@link TransitionSink#insertHeadroom()}), and that budget is counted down here, since the
 * trainer's samples meanwhile only add room and asking costs a lock round trip per record. A live
 * record refused is held back: the consumer thread rewinds its partition to that record and
 * pauses it ({@code consumer.pause}; the consumer keeps polling, so it stays in its group), and
 * resumes every paused partition once the limiter allows inserts again; the time ingest waited
 * goes to the sink. Catch-up records (already in the log at assignment) are never held back.
 *
 * <p>The insert budget belongs to the processor thread ({@link #startBatch}, {@link #admit}),
 * the pauses to the consumer thread (every other method).
 */
final class IngestThrottle {

    private final KafkaConsumer<byte[], ByteBuffer> consumer;
    private final TransitionSink sink;
    private final boolean enabled;
    /** The ingest loop's assigned partitions; the consumer thread alone changes them. */
    private final Map<TopicPartition, PartitionState> assigned;
    /**
     * Live inserts the rate limiter allows before it must be asked again (the trainer's samples
     * only add room meanwhile); saves a lock round trip per record.
     */
    private long liveInsertBudget;
    private long pausedSinceNanos;

    /** @param enabled false: {@link #admit} lets every record through and nothing is ever paused */
    IngestThrottle(KafkaConsumer<byte[], ByteBuffer> consumer, TransitionSink sink, boolean enabled,
            Map<TopicPartition, PartitionState> assigned) {
        this.consumer = consumer;
        this.sink = sink;
        this.enabled = enabled;
        this.assigned = assigned;
    }

    /** A new batch: the limiter is asked afresh before its first live record. */
    void startBatch() {
        liveInsertBudget = 0;
    }

    /** Whether a record may be inserted now; false when the limiter holds this live record back. */
    boolean admit(boolean live) {
        if (!live) {
            liveInsertBudget = 0; // a catch-up insert uses room too: ask again
            return true;
        }
        if (!enabled) {
            return true;
        }
        if (liveInsertBudget == 0) {
            liveInsertBudget = sink.insertHeadroom();
        }
        if (liveInsertBudget == 0) {
            return false;
        }
        liveInsertBudget--;
        return true;
    }

    /** Rewinds a partition to {@code offset} and pauses it until the rate limiter lets inserts through. */
    void holdBack(TopicPartition tp, PartitionState st, long offset) {
        consumer.seek(tp, offset);
        if (!st.paused) {
            consumer.pause(Set.of(tp));
            st.paused = true;
        }
        if (pausedSinceNanos == 0) {
            pausedSinceNanos = System.nanoTime();
        }
    }

    /**
     * While ingest is held back, waits up to {@code timeout} for the limiter to allow inserts and
     * then resumes every paused partition; never waits longer, so the poll loop goes on.
     */
    void resumeWhenAllowed(Duration timeout) {
        if (enabled && pausedSinceNanos != 0) {
            if (sink.awaitInsertAllowed(timeout.toNanos())) {
                resumeAll();
            }
        }
    }

    private void resumeAll() {
        List<TopicPartition> paused = new ArrayList<>();
        for (Map.Entry<TopicPartition, PartitionState> e : assigned.entrySet()) {
            if (e.getValue().paused) {
                e.getValue().paused = false;
                paused.add(e.getKey());
            }
        }
        consumer.resume(paused);
        if (pausedSinceNanos != 0) {
            sink.insertWaited(System.nanoTime() - pausedSinceNanos);
            pausedSinceNanos = 0;
        }
    }

    /** After a revocation: when no assigned partition is paused any more, the wait has ended. */
    void endPauseIfNoneLeft() {
        for (PartitionState st : assigned.values()) {
            if (st.paused) {
                return;
            }
        }
        if (pausedSinceNanos != 0) {
            sink.insertWaited(System.nanoTime() - pausedSinceNanos);
            pausedSinceNanos = 0;
        }
    }

    /** True while every assigned transitions partition is held back: a poll then has nothing to wait for. */
    boolean holdsEveryTransitionsPartition() {
        return pausedSinceNanos != 0 && allTransitionsPaused();
    }

    private boolean allTransitionsPaused() {
        boolean any = false;
        for (PartitionState st : assigned.values()) {
            if (st.transitions) {
                if (!st.paused) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }
}
