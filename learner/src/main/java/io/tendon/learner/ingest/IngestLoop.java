package io.tendon.learner.ingest;

import io.tendon.learner.config.RebuildFrom;
import io.tendon.learner.record.DecodedTransition;
import io.tendon.learner.record.TransitionSink;
import io.tendon.learner.record.TransitionValidator;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * The ingest thread: polls a batch, has a {@link BatchProcessor} store its transitions in the
 * sink (and {@link DeadLetters} take the refused ones), then commits the batch's offsets.
 * Offsets are committed only after every record of the batch is stored or durably
 * dead-lettered, so a crash re-reads the batch and the sink's de-duplication makes the result
 * effectively once. A batch that fails (broker away) is re-read from its first offsets.
 *
 * <p><b>Threads.</b> Pipelined (the default), a processor thread decodes, validates and inserts
 * batch N while this thread fetches batch N + 1; this thread alone touches the consumer
 * (commits, seeks, pauses happen here once batch N is settled), and at most one batch is in
 * flight, so rebalances, checkpoints and shutdown first wait for it to land.
 *
 * <p><b>Where a partition starts.</b> At a checkpoint's offset when the learner restored one;
 * at the position this loop reached when the partition comes back after a rebalance; otherwise
 * at the oldest retained record ({@code RETENTION_START}: replay is rebuilt from the log) or
 * at the group's committed offset ({@code COMMITTED}). Records that were already in the log
 * when the partition was assigned are <i>catch-up</i> (bulk) inserts: never held back by the
 * rate limiter and not timed as experience latency.
 *
 * <p><b>Rate limiter.</b> When the trainer has fallen too far behind, {@link IngestThrottle}
 * holds live records back: the partition is rewound to the first one held and paused
 * ({@code consumer.pause}), and the loop keeps polling (so the consumer stays in its group)
 * until the limiter allows inserts again. The poll loop itself never blocks longer than the
 * poll timeout.
 *
 * <p><b>Checkpoints</b> are written on this thread between batches, when the replay contents
 * and the positions reached agree exactly.
 */
public final class IngestLoop implements Runnable {

    private static final Logger LOG = Logger.getLogger(IngestLoop.class);

    /** What the loop reads, where it starts, and how it is throttled. */
    public record Options(String transitionsTopic, String eventsTopic, String deadLetterTopic, Duration pollTimeout,
            long retryBackoffMs, RebuildFrom rebuildFrom, boolean throttleIngest,
            Map<TopicPartition, Long> startOffsets, Duration commitInterval) {

        public Options {
            startOffsets = Map.copyOf(startOffsets);
        }
    }

    /** Writes a checkpoint of the sink's contents together with the positions reached. */
    public interface Checkpointer {
        /** True when the next checkpoint is due. */
        boolean due(long monotonicNanos);

        /** Writes a checkpoint; {@code positions} is the next offset to read per partition. Returns its id. */
        long write(Map<TopicPartition, Long> positions) throws Exception;
    }

    /** A batch handed to the processor, and its outcome. */
    private record InFlight(ConsumerRecords<byte[], ByteBuffer> records, Future<BatchProcessor.Result> result) {
    }

    private final KafkaConsumer<byte[], ByteBuffer> consumer;
    private final Options options;
    private final IngestMetrics metrics;
    private final Checkpointer checkpointer;
    private final IngestThrottle throttle;
    private final BatchProcessor batches;
    private final Map<TopicPartition, Long> pendingStarts;
    /** The partitions assigned now; the throttle and the batch processor work on the same states. */
    private final Map<TopicPartition, PartitionState> assigned = new HashMap<>();
    /** Positions reached on every partition this loop has read, assigned or not (for checkpoints and re-assignment). */
    private final Map<TopicPartition, Long> reached = new HashMap<>();
    /** Offsets the broker acknowledged, read by other threads (training checkpoints). */
    private final Map<String, Long> committed = new java.util.concurrent.ConcurrentHashMap<>();
    /** Offsets processed since the last synchronous commit. */
    private final Map<TopicPartition, OffsetAndMetadata> committable = new HashMap<>();
    /** Offsets processed and not yet sent in an asynchronous commit. */
    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
    private long lastCommitNanos;
    /** Runs {@link BatchProcessor#process} while the consumer fetches the next batch; null: process on the consumer thread. */
    private final ExecutorService processor;
    private InFlight inFlight;
    /** The assigned transitions partitions, fetching and paused, refilled on the consumer thread for the lag sample. */
    private final List<TopicPartition> fetchingPartitions = new ArrayList<>();
    private final List<TopicPartition> pausedPartitions = new ArrayList<>();
    private volatile boolean running = true;
    private volatile long lastPollNanos = System.nanoTime();
    private volatile CompletableFuture<Long> checkpointRequest;
    private volatile long firstAssignmentNanos;

    /**
     * @param consumer reads values as {@link ByteBuffer}s (Kafka's {@code ByteBufferDeserializer}):
     *     views into the fetched data, so no value is copied before it is decoded
     * @param pipelined decode, validate and insert a batch on a second thread while the consumer
     *     thread fetches the next one (the consumer itself is only ever used by its own thread)
     */
    public IngestLoop(KafkaConsumer<byte[], ByteBuffer> consumer, KafkaProducer<byte[], byte[]> deadLetterProducer,
            Options options, DecodedTransition scratch, TransitionValidator validator, TransitionSink sink,
            IngestMetrics metrics, Checkpointer checkpointer, LongSupplier nowUnixNanos, boolean pipelined) {
        this.consumer = consumer;
        this.options = options;
        this.metrics = metrics;
        this.checkpointer = checkpointer;
        this.pendingStarts = new HashMap<>(options.startOffsets());
        this.throttle = new IngestThrottle(consumer, sink, options.throttleIngest(), assigned);
        this.batches = new BatchProcessor(scratch, validator, sink, metrics,
                new DeadLetters(deadLetterProducer, options.deadLetterTopic(), metrics), throttle, assigned, reached,
                nowUnixNanos);
        this.processor = pipelined ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, Thread.currentThread().getName() + "-process");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    @Override
    public void run() {
        List<String> topics = options.eventsTopic() == null ? List.of(options.transitionsTopic())
                : List.of(options.transitionsTopic(), options.eventsTopic());
        consumer.subscribe(topics, new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // Let the batch in flight land in replay, then make every processed offset durable
                // before another member takes the partitions.
                settleInFlight();
                commitSyncQuietly();
                for (TopicPartition tp : partitions) {
                    assigned.remove(tp);
                }
                throttle.endPauseIfNoneLeft();
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                settleInFlight();
                assign(partitions);
            }
        });
        boolean clean = false;
        try {
            while (running) {
                throttle.resumeWhenAllowed(options.pollTimeout());
                ConsumerRecords<byte[], ByteBuffer> records = consumer.poll(
                        throttle.holdsEveryTransitionsPartition() ? Duration.ZERO : options.pollTimeout());
                long now = System.nanoTime();
                lastPollNanos = now;
                metrics.tick(now);
                if (inFlight != null) {
                    InFlight previous = inFlight;
                    inFlight = null;
                    if (!settle(previous, records)) {
                        continue; // the new records were rewound; fetch them again
                    }
                }
                // Nothing is in flight here: the replay and the positions reached agree.
                if (records.isEmpty()) {
                    metrics.endLatencyWindow(); // idle: a quiet learner's latencies show now
                }
                maybeCommit(now);
                reportPartitions();
                maybeCheckpoint(now);
                if (!records.isEmpty()) {
                    inFlight = submit(records);
                    if (processor == null) {
                        InFlight done = inFlight;
                        inFlight = null;
                        settle(done, ConsumerRecords.empty());
                        maybeCommit(System.nanoTime());
                    }
                }
            }
            clean = true;
        } catch (WakeupException e) {
            // stop() woke the consumer up; what is in flight still lands before the final checkpoint.
            clean = true;
        } catch (RuntimeException e) {
            LOG.error("ingest loop stopped", e);
            throw e;
        } finally {
            if (clean) {
                settleInFlight();
                metrics.endLatencyWindow();
            }
            if (clean && checkpointer != null) {
                writeCheckpoint("final");
            }
            CompletableFuture<Long> request = checkpointRequest;
            if (request != null) {
                request.completeExceptionally(new IllegalStateException("ingest stopped"));
            }
            if (clean) {
                commitSyncQuietly();
            }
            if (processor != null) {
                processor.shutdownNow();
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private InFlight submit(ConsumerRecords<byte[], ByteBuffer> records) {
        if (processor != null) {
            return new InFlight(records, processor.submit(() -> batches.process(records)));
        }
        CompletableFuture<BatchProcessor.Result> result = new CompletableFuture<>();
        try {
            result.complete(batches.process(records));
        } catch (Exception e) {
            result.completeExceptionally(e);
        }
        return new InFlight(records, result);
    }

    /** Waits for the batch in flight, if any, and applies its outcome (rebalance, stop). */
    private void settleInFlight() {
        if (inFlight != null) {
            InFlight previous = inFlight;
            inFlight = null;
            settle(previous, ConsumerRecords.empty());
        }
    }

    /**
     * Waits for a processed batch and acts on it on the consumer thread: commits its offsets,
     * or pauses what the rate limiter held back, or rewinds it after a failure. {@code next} is
     * the batch fetched meanwhile; returns false when it had to be rewound (not processed).
     */
    private boolean settle(InFlight done, ConsumerRecords<byte[], ByteBuffer> next) {
        BatchProcessor.Result result;
        try {
            result = getUninterruptibly(done.result());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Error error) {
                throw error;
            }
            metrics.batchRetried();
            LOG.warnf("ingest batch of %d records failed, re-reading it in %d ms: %s", done.records().count(),
                    options.retryBackoffMs(), String.valueOf(cause));
            rewind(done.records(), next);
            sleep(options.retryBackoffMs());
            return false;
        }
        if (!result.commit.isEmpty()) {
            // The records are in replay already; the commit itself goes out with the next
            // maybeCommit (at most one per commit interval), revocation or close.
            uncommitted.putAll(result.commit);
            committable.putAll(result.commit);
        }
        if (result.heldBack.isEmpty()) {
            return true;
        }
        for (Map.Entry<TopicPartition, Long> held : result.heldBack.entrySet()) {
            PartitionState st = assigned.get(held.getKey());
            if (st != null) {
                throttle.holdBack(held.getKey(), st, held.getValue());
            }
        }
        rewind(ConsumerRecords.empty(), next);
        return false;
    }

    private static <T> T getUninterruptibly(Future<T> future) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void assign(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        if (firstAssignmentNanos == 0) {
            firstAssignmentNanos = System.nanoTime();
        }
        List<TopicPartition> fromBeginning = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            Long start = pendingStarts.remove(tp);
            if (start == null) {
                start = reached.get(tp);
            }
            if (start != null) {
                consumer.seek(tp, start);
            } else if (options.rebuildFrom() == RebuildFrom.RETENTION_START) {
                fromBeginning.add(tp);
            }
        }
        if (!fromBeginning.isEmpty()) {
            consumer.seekToBeginning(fromBeginning);
        }
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        for (TopicPartition tp : partitions) {
            PartitionState st = new PartitionState(tp.topic().equals(options.transitionsTopic()));
            st.catchUpEnd = ends.getOrDefault(tp, 0L);
            st.position = consumer.position(tp);
            reached.put(tp, st.position);
            assigned.put(tp, st);
        }
        LOG.infof("ingest assigned %s", partitions);
    }

    private void commitDone(Map<TopicPartition, OffsetAndMetadata> offsets, Exception e) {
        if (e != null) {
            LOG.debugf("offset commit failed (the next one covers it): %s", e.toString());
        } else {
            remember(offsets);
        }
    }

    private void remember(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, o) -> committed.put(tp.topic() + "-" + tp.partition(), o.offset()));
    }

    /** The last offsets the broker acknowledged, by "topic-partition": what a restart resumes from. */
    public Map<String, Long> committedOffsets() {
        return Map.copyOf(committed);
    }

    /**
     * Sends the offsets processed since the last commit, at most once per commit interval.
     * Asynchronous: those records are in replay already, and a failed commit is covered by the
     * next one (or by the synchronous commit at revocation and close). Coalescing matters at
     * high rates: every commit is a request and a write to the offsets topic on the broker.
     */
    private void maybeCommit(long now) {
        if (uncommitted.isEmpty() || now - lastCommitNanos < options.commitInterval().toNanos()) {
            return;
        }
        consumer.commitAsync(Map.copyOf(uncommitted), this::commitDone);
        uncommitted.clear();
        lastCommitNanos = now;
    }

    /** Commits the positions of everything processed, waiting for the broker (revocation, close). */
    private void commitSyncQuietly() {
        uncommitted.clear();
        if (committable.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(Map.copyOf(committable), Duration.ofSeconds(10));
            remember(committable);
            committable.clear();
        } catch (WakeupException e) {
            try {
                consumer.commitSync(Map.copyOf(committable), Duration.ofSeconds(10));
                remember(committable);
                committable.clear();
            } catch (RuntimeException again) {
                LOG.warnf("final offset commit failed: %s", again.toString());
            }
        } catch (RuntimeException e) {
            LOG.warnf("offset commit failed: %s", e.toString());
        }
    }

    private void reportPartitions() {
        int paused = 0;
        int catchingUp = 0;
        fetchingPartitions.clear();
        pausedPartitions.clear();
        for (Map.Entry<TopicPartition, PartitionState> e : assigned.entrySet()) {
            PartitionState st = e.getValue();
            if (st.paused) {
                paused++;
            }
            if (st.transitions && st.position < st.catchUpEnd) {
                catchingUp++;
            }
            if (st.transitions) {
                (st.paused ? pausedPartitions : fetchingPartitions).add(e.getKey());
            }
        }
        metrics.partitions(paused, catchingUp);
        metrics.consumerLag().sample(consumer, fetchingPartitions, pausedPartitions, System.nanoTime());
    }

    private void maybeCheckpoint(long now) {
        if (checkpointer == null) {
            return;
        }
        if (checkpointRequest != null || checkpointer.due(now)) {
            writeCheckpoint("periodic");
        }
    }

    private void writeCheckpoint(String why) {
        CompletableFuture<Long> request = checkpointRequest;
        checkpointRequest = null;
        try {
            long id = checkpointer.write(Map.copyOf(reached));
            LOG.infof("replay checkpoint %d written (%s)", id, why);
            if (request != null) {
                request.complete(id);
            }
        } catch (Exception e) {
            LOG.errorf(e, "replay checkpoint (%s) failed; the previous one stays current", why);
            if (request != null) {
                request.completeExceptionally(e);
            }
        }
    }

    /**
     * Asks the loop to write a checkpoint after its current batch; completes with the
     * checkpoint id (exceptionally when it failed or the loop stopped).
     */
    public CompletableFuture<Long> requestCheckpoint() {
        CompletableFuture<Long> request = new CompletableFuture<>();
        if (checkpointer == null) {
            request.completeExceptionally(new IllegalStateException("checkpoints are disabled"));
            return request;
        }
        checkpointRequest = request;
        return request;
    }

    /**
     * Seeks every partition of {@code failed} back to its first record (it is processed again)
     * and every other partition of {@code next} to its first record (it was fetched but not
     * processed). Partitions already held back keep their position.
     */
    private void rewind(ConsumerRecords<byte[], ByteBuffer> failed, ConsumerRecords<byte[], ByteBuffer> next) {
        for (TopicPartition tp : failed.partitions()) {
            PartitionState st = assigned.get(tp);
            if (st != null) {
                long first = failed.records(tp).get(0).offset();
                consumer.seek(tp, first);
                st.position = first;
                reached.put(tp, first);
            }
        }
        for (TopicPartition tp : next.partitions()) {
            PartitionState st = assigned.get(tp);
            if (st != null && !failed.partitions().contains(tp) && !st.paused) {
                consumer.seek(tp, next.records(tp).get(0).offset());
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Asks the loop to finish its current batch, write a final checkpoint and close the consumer. */
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    /** Nanos (System.nanoTime) of the last completed poll, for health checks. */
    public long lastPollNanos() {
        return lastPollNanos;
    }

    /** Nanos (System.nanoTime) of the first partition assignment, 0 before it (for benchmarks). */
    public long firstAssignmentNanos() {
        return firstAssignmentNanos;
    }
}
