package io.tendon.learner.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Processes one polled batch: decodes and validates each transition and stores it in the sink or
 * dead-letters it, turns episode events into outcomes, and records how far each partition got.
 * It may run on the processor thread while the consumer fetches the next batch, so it touches no
 * consumer method: what the rate limiter held back and the offsets to commit are returned for the
 * consumer thread to act on.
 */
final class BatchProcessor {

    /** What processing one batch produced, for the consumer thread to act on. */
    static final class Result {
        final Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        /** Transition partitions the rate limiter stopped: the first offset not processed. */
        final Map<TopicPartition, Long> heldBack = new HashMap<>();
    }

    private final TransitionDecoder decoder = new TransitionDecoder();
    private final DecodedTransition decoded;
    private final TransitionValidator validator;
    private final TransitionSink sink;
    private final IngestMetrics metrics;
    private final DeadLetters deadLetters;
    private final IngestThrottle throttle;
    /** The ingest loop's assigned partitions, not changed while a batch is processed. */
    private final Map<TopicPartition, PartitionState> assigned;
    /** The ingest loop's positions reached per partition, advanced here. */
    private final Map<TopicPartition, Long> reached;
    private final LongSupplier nowUnixNanos;
    /** Accepted transitions of the batch being processed, by source number (flushed to the metrics per batch). */
    private final long[] acceptedLive = new long[4];
    private final long[] acceptedBulk = new long[4];
    /** The validator's clock read once at the start of the batch being processed. */
    private long batchNowUnixNanos;

    BatchProcessor(DecodedTransition scratch, TransitionValidator validator, TransitionSink sink, IngestMetrics metrics,
            DeadLetters deadLetters, IngestThrottle throttle, Map<TopicPartition, PartitionState> assigned,
            Map<TopicPartition, Long> reached, LongSupplier nowUnixNanos) {
        this.decoded = scratch;
        this.validator = validator;
        this.sink = sink;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.throttle = throttle;
        this.assigned = assigned;
        this.reached = reached;
        this.nowUnixNanos = nowUnixNanos;
    }

    /** Decodes, validates and stores a polled batch; its dead letters are durable when it returns. */
    Result process(ConsumerRecords<byte[], ByteBuffer> records) throws Exception {
        Result result = new Result();
        // Every record of the batch was fetched by now: one clock read serves their time checks.
        batchNowUnixNanos = validator.nowUnixNanos();
        throttle.startBatch();
        deadLetters.startBatch();
        try {
            processPartitions(records, result);
        } finally {
            // What went into replay is counted even when a later record failed the batch.
            metrics.acceptedBatch(acceptedLive, acceptedBulk, System.nanoTime());
        }
        // Dead letters must be durable before the offsets that dropped them are committed.
        deadLetters.awaitDurable();
        return result;
    }

    private void processPartitions(ConsumerRecords<byte[], ByteBuffer> records, Result result) {
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
                    handleEvent(record);
                } else {
                    boolean live = record.offset() >= st.catchUpEnd;
                    if (!throttle.admit(live)) {
                        blocked = true;
                        result.heldBack.put(tp, record.offset());
                        break;
                    }
                    handleTransition(record, live);
                }
                st.position = record.offset() + 1;
            }
            if (st.position > list.get(0).offset()) {
                reached.put(tp, st.position);
                result.commit.put(tp, new OffsetAndMetadata(st.position));
            }
        }
    }

    private void handleTransition(ConsumerRecord<byte[], ByteBuffer> record, boolean live) {
        try {
            decoder.decode(record.value(), decoded);
        } catch (TransitionDecoder.MalformedException e) {
            deadLetters.send(record, new Rejection(DeadLetterReason.UNPARSEABLE, e.getMessage()));
            return;
        }
        Rejection rejection = validator.check(decoded, record.key(), batchNowUnixNanos);
        if (rejection != null) {
            deadLetters.send(record, rejection);
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

    private void handleEvent(ConsumerRecord<byte[], ByteBuffer> record) {
        EpisodeEvent event;
        try {
            event = EpisodeEvent.parseFrom(record.value() == null ? ByteBuffer.allocate(0) : record.value().duplicate());
        } catch (InvalidProtocolBufferException e) {
            deadLetters.send(record, new Rejection(DeadLetterReason.UNPARSEABLE, e.getMessage()));
            return;
        }
        Rejection rejection = checkEvent(event, record.key());
        if (rejection != null) {
            deadLetters.send(record, rejection);
            return;
        }
        Outcome outcome = switch (event.getKind()) {
            case SUCCESS -> Outcome.SUCCESS;
            case FAILURE, TIMEOUT, ABORT -> Outcome.FAILURE;
            // START, and a robot's policy swaps and rollbacks: nothing to record in the replay.
            default -> null;
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
        if (event.getKind() == EpisodeEvent.Kind.KIND_UNSPECIFIED || event.getKind() == EpisodeEvent.Kind.UNRECOGNIZED) {
            return new Rejection(DeadLetterReason.MISSING_FIELD, "kind is missing");
        }
        // A policy swap may happen before a robot's first episode: only episode markers need an episode.
        boolean policyEvent = event.getKind() == EpisodeEvent.Kind.POLICY_APPLIED
                || event.getKind() == EpisodeEvent.Kind.POLICY_ROLLED_BACK;
        if (event.getEpisodeId().isEmpty() && !policyEvent) {
            return new Rejection(DeadLetterReason.MISSING_FIELD, "episode_id is missing");
        }
        if (!TransitionValidator.isId(event.getRobotId())
                || !event.getEpisodeId().isEmpty() && !TransitionValidator.isId(event.getEpisodeId())) {
            return new Rejection(DeadLetterReason.BAD_ID, "robot_id or episode_id is not [A-Za-z0-9._:-]{1,128}");
        }
        if (key != null && !new String(key, StandardCharsets.UTF_8).equals(event.getRobotId())) {
            return new Rejection(DeadLetterReason.BAD_ID, "record key differs from robot_id '" + event.getRobotId() + "'");
        }
        return null;
    }
}
