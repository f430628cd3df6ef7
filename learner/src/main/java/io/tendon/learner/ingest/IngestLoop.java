package io.tendon.learner.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tendon.learner.config.RebuildFrom;
import io.tendon.learner.record.DeadLetterReason;
import io.tendon.learner.record.DecodedTransition;
import io.tendon.learner.record.Outcome;
import io.tendon.learner.record.Rejection;
import io.tendon.learner.record.TransitionDecoder;
import io.tendon.learner.record.TransitionSink;
import io.tendon.learner.record.TransitionValidator;
import io.tendon.schemas.v1.EpisodeEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.jboss.logging.Logger;

/**
 * The ingest thread: poll a batch, decode and validate each transition, store the good ones in
 * the sink and send the bad ones to the dead-letter topic, then commit the batch's offsets.
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
 * <p><b>Rate limiter.</b> Before each live record the loop checks that the limiter allows it
 * (it asks {@link TransitionSink#insertHeadroom()} how many in a row it may insert, then counts
 * down; samples meanwhile only add room); when the trainer has fallen too far behind, the partition is
 * rewound to that record and paused ({@code consumer.pause}), and the loop keeps polling (so
 * the consumer stays in its group) until the limiter allows inserts again. The poll loop itself
 * never blocks longer than the poll timeout.
 *
 * <p><b>Checkpoints</b> are written on this thread between batches, when the replay contents
 * and the positions reached agree exactly.
 */
public final class IngestLoop implements Runnable {

    public static final String HEADER_REASON = "tendon.dead-letter.reason";
    public static final String HEADER_DETAIL = "tendon.dead-letter.detail";
    public static final String HEADER_TOPIC = "tendon.dead-letter.topic";
    public static final String HEADER_PARTITION = "tendon.dead-letter.partition";
    public static final String HEADER_OFFSET = "tendon.dead-letter.offset";

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

    private static final class PartitionState {
        final boolean transitions;
        long catchUpEnd;
        long position = -1;
        boolean paused;

        PartitionState(boolean transitions) {
            this.transitions = transitions;
        }
    }

    /** What processing one batch produced, for the consumer thread to act on. */
    private static final class BatchResult {
        final Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        /** Transition partitions the rate limiter stopped: the first offset not processed. */
        final Map<TopicPartition, Long> heldBack = new HashMap<>();
    }

    /** A batch handed to the processor, and its outcome. */
    private record InFlight(ConsumerRecords<byte[], ByteBuffer> records, Future<BatchResult> result) {
    }

    private final KafkaConsumer<byte[], ByteBuffer> consumer;
    private final KafkaProducer<byte[], byte[]> deadLetterProducer;
    private final Options options;
    private final TransitionDecoder decoder = new TransitionDecoder();
    private final DecodedTransition decoded;
    private final TransitionValidator validator;
    private final TransitionSink sink;
    private final IngestMetrics metrics;
    private final Checkpointer checkpointer;
    private final LongSupplier nowUnixNanos;
    private final Map<TopicPartition, Long> pendingStarts;
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
    /** Accepted transitions of the batch being processed, by source number (flushed to the metrics per batch). */
    private final long[] acceptedLive = new long[4];
    private final long[] acceptedBulk = new long[4];
    /** The validator's clock read once at the start of the batch being processed. */
    private long batchNowUnixNanos;
    /**
     * Live inserts the rate limiter allows before it must be asked again (the trainer's samples
     * only add room meanwhile); saves a lock round trip per record.
     */
    private long liveInsertBudget;
    /** Runs {@link #process} while the consumer fetches the next batch; null: process on the consumer thread. */
    private final ExecutorService processor;
    private InFlight inFlight;
    private volatile boolean running = true;
    private volatile long lastPollNanos = System.nanoTime();
    private volatile CompletableFuture<Long> checkpointRequest;
    private long pausedSinceNanos;
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
        this.deadLetterProducer = deadLetterProducer;
        this.options = options;
        this.decoded = scratch;
        this.validator = validator;
        this.sink = sink;
        this.metrics = metrics;
        this.checkpointer = checkpointer;
        this.nowUnixNanos = nowUnixNanos;
        this.pendingStarts = new HashMap<>(options.startOffsets());
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
                endPauseIfNoneLeft();
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
                if (options.throttleIngest() && pausedSinceNanos != 0) {
                    if (sink.awaitInsertAllowed(options.pollTimeout().toNanos())) {
                        resumeAll();
                    }
                }
                ConsumerRecords<byte[], ByteBuffer> records = consumer.poll(
                        pausedSinceNanos != 0 && allTransitionsPaused() ? Duration.ZERO : options.pollTimeout());
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
            return new InFlight(records, processor.submit(() -> process(records)));
        }
        CompletableFuture<BatchResult> result = new CompletableFuture<>();
        try {
            result.complete(process(records));
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
        BatchResult result;
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
                holdBack(held.getKey(), st, held.getValue());
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

    /**
     * Decodes, validates and stores a polled batch; dead letters are durable when it returns.
     * Touches no consumer method (it may run on the processor thread): what the rate limiter
     * held back is returned for the consumer thread to rewind and pause.
     */
    private BatchResult process(ConsumerRecords<byte[], ByteBuffer> records) throws Exception {
        BatchResult result = new BatchResult();
        // Every record of the batch was fetched by now: one clock read serves their time checks.
        batchNowUnixNanos = validator.nowUnixNanos();
        liveInsertBudget = 0;
        List<PendingDeadLetter> deadLetters = new ArrayList<>();
        boolean blocked = false;
        try {
            blocked = processPartitions(records, result, deadLetters);
        } finally {
            // What went into replay is counted even when a later record failed the batch.
            metrics.acceptedBatch(acceptedLive, acceptedBulk, System.nanoTime());
        }
        // Dead letters must be durable before the offsets that dropped them are committed.
        for (PendingDeadLetter sent : deadLetters) {
            sent.send().get(30, TimeUnit.SECONDS);
        }
        for (PendingDeadLetter sent : deadLetters) {
            metrics.deadLettered(sent.reason());
        }
        return result;
    }

    /** Returns whether the rate limiter stopped the batch. */
    private boolean processPartitions(ConsumerRecords<byte[], ByteBuffer> records, BatchResult result,
            List<PendingDeadLetter> deadLetters) {
        boolean blocked = false;
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], ByteBuffer>> list = records.records(tp);
            PartitionState st = assigned.get(tp);
            if (st == null) {
                continue; // revoked while its records were in flight
            }
            if (blocked && st.transitions) {
                result.heldBack.put(tp, list.get(0).offset());
                continue;
            }
            for (ConsumerRecord<byte[], ByteBuffer> record : list) {
                if (!st.transitions) {
                    handleEvent(record, deadLetters);
                } else {
                    boolean live = record.offset() >= st.catchUpEnd;
                    if (live && options.throttleIngest()) {
                        if (liveInsertBudget == 0) {
                            liveInsertBudget = sink.insertHeadroom();
                        }
                        if (liveInsertBudget == 0) {
                            blocked = true;
                            result.heldBack.put(tp, record.offset());
                            break;
                        }
                        liveInsertBudget--;
                    } else if (!live) {
                        liveInsertBudget = 0; // a catch-up insert uses room too: ask again
                    }
                    handleTransition(record, live, deadLetters);
                }
                st.position = record.offset() + 1;
            }
            if (st.position > list.get(0).offset()) {
                reached.put(tp, st.position);
                result.commit.put(tp, new OffsetAndMetadata(st.position));
            }
        }
        return blocked;
    }

    private void handleTransition(ConsumerRecord<byte[], ByteBuffer> record, boolean live,
            List<PendingDeadLetter> deadLetters) {
        try {
            decoder.decode(record.value(), decoded);
        } catch (TransitionDecoder.MalformedException e) {
            deadLetters.add(deadLetter(record, new Rejection(DeadLetterReason.UNPARSEABLE, e.getMessage())));
            return;
        }
        Rejection rejection = validator.check(decoded, record.key(), batchNowUnixNanos);
        if (rejection != null) {
            deadLetters.add(deadLetter(record, rejection));
        } else if (sink.insert(decoded, !live)) {
            if (live) {
                acceptedLive[decoded.source]++;
                if (metrics.timeThisInsert()) {
                    metrics.experienceToReplay(nowUnixNanos.getAsLong(), decoded.startTimeUnixNanos,
                            decoded.publishTimeUnixNanos);
                }
            } else {
                acceptedBulk[decoded.source]++;
            }
        } else {
            metrics.duplicate();
        }
    }

    private void handleEvent(ConsumerRecord<byte[], ByteBuffer> record, List<PendingDeadLetter> deadLetters) {
        EpisodeEvent event;
        try {
            event = EpisodeEvent.parseFrom(record.value() == null ? ByteBuffer.allocate(0) : record.value().duplicate());
        } catch (InvalidProtocolBufferException e) {
            deadLetters.add(deadLetter(record, new Rejection(DeadLetterReason.UNPARSEABLE, e.getMessage())));
            return;
        }
        Rejection rejection = checkEvent(event, record.key());
        if (rejection != null) {
            deadLetters.add(deadLetter(record, rejection));
            return;
        }
        Outcome outcome = switch (event.getKind()) {
            case SUCCESS -> Outcome.SUCCESS;
            case FAILURE, TIMEOUT, ABORT -> Outcome.FAILURE;
            default -> null; // START: nothing to record
        };
        if (outcome != null) {
            sink.episodeEvent(event.getRobotId(), event.getEpisodeId(), outcome);
            metrics.event();
        }
    }

    static Rejection checkEvent(EpisodeEvent event, byte[] key) {
        if (event.getRobotId().isEmpty()) {
            return new Rejection(DeadLetterReason.MISSING_FIELD, "robot_id is missing");
        }
        if (event.getEpisodeId().isEmpty()) {
            return new Rejection(DeadLetterReason.MISSING_FIELD, "episode_id is missing");
        }
        if (event.getKind() == EpisodeEvent.Kind.KIND_UNSPECIFIED || event.getKind() == EpisodeEvent.Kind.UNRECOGNIZED) {
            return new Rejection(DeadLetterReason.MISSING_FIELD, "kind is missing");
        }
        if (!TransitionValidator.isId(event.getRobotId()) || !TransitionValidator.isId(event.getEpisodeId())) {
            return new Rejection(DeadLetterReason.BAD_ID, "robot_id or episode_id is not [A-Za-z0-9._:-]{1,128}");
        }
        if (key != null && !new String(key, StandardCharsets.UTF_8).equals(event.getRobotId())) {
            return new Rejection(DeadLetterReason.BAD_ID, "record key differs from robot_id '" + event.getRobotId() + "'");
        }
        return null;
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

    /** Rewinds a partition to {@code offset} and pauses it until the rate limiter lets inserts through. */
    private void holdBack(TopicPartition tp, PartitionState st, long offset) {
        consumer.seek(tp, offset);
        if (!st.paused) {
            consumer.pause(Set.of(tp));
            st.paused = true;
        }
        if (pausedSinceNanos == 0) {
            pausedSinceNanos = System.nanoTime();
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

    private void endPauseIfNoneLeft() {
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

    private void reportPartitions() {
        int paused = 0;
        int catchingUp = 0;
        for (PartitionState st : assigned.values()) {
            if (st.paused) {
                paused++;
            }
            if (st.transitions && st.position < st.catchUpEnd) {
                catchingUp++;
            }
        }
        metrics.partitions(paused, catchingUp);
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

    private record PendingDeadLetter(DeadLetterReason reason, Future<RecordMetadata> send) {
    }

    private PendingDeadLetter deadLetter(ConsumerRecord<byte[], ByteBuffer> record, Rejection rejection) {
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(options.deadLetterTopic(), record.key(),
                bytesOf(record.value()));
        Headers headers = out.headers();
        headers.add(HEADER_REASON, rejection.reason().name().getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_DETAIL, rejection.detail().getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_PARTITION, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_OFFSET, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        return new PendingDeadLetter(rejection.reason(), deadLetterProducer.send(out));
    }

    /** A copy of a record's value (null stays null) for a dead letter, leaving the buffer as it was. */
    private static byte[] bytesOf(ByteBuffer value) {
        if (value == null) {
            return null;
        }
        byte[] bytes = new byte[value.remaining()];
        value.duplicate().get(bytes);
        return bytes;
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
