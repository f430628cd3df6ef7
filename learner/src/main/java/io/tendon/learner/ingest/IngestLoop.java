package io.tendon.learner.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tendon.schemas.v1.Transition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
 * The ingest thread: poll a batch of transitions, validate each, store the good ones in the
 * sink and send the bad ones to the dead-letter topic, then commit the batch's offsets.
 * Offsets are committed only after every record of the batch is stored or durably
 * dead-lettered, so a crash re-reads the batch and the sink's de-duplication makes the result
 * effectively once. A batch that fails (broker away) is re-read from its first offsets.
 */
public final class IngestLoop implements Runnable {

    public static final String HEADER_REASON = "tendon.dead-letter.reason";
    public static final String HEADER_DETAIL = "tendon.dead-letter.detail";
    public static final String HEADER_TOPIC = "tendon.dead-letter.topic";
    public static final String HEADER_PARTITION = "tendon.dead-letter.partition";
    public static final String HEADER_OFFSET = "tendon.dead-letter.offset";

    private static final Logger LOG = Logger.getLogger(IngestLoop.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> deadLetterProducer;
    private final String topic;
    private final String deadLetterTopic;
    private final TransitionValidator validator;
    private final TransitionSink sink;
    private final IngestMetrics metrics;
    private final Duration pollTimeout;
    private final long retryBackoffMs;
    private volatile boolean running = true;
    private volatile long lastPollNanos = System.nanoTime();

    public IngestLoop(KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> deadLetterProducer,
            String topic, String deadLetterTopic, TransitionValidator validator, TransitionSink sink,
            IngestMetrics metrics, Duration pollTimeout, long retryBackoffMs) {
        this.consumer = consumer;
        this.deadLetterProducer = deadLetterProducer;
        this.topic = topic;
        this.deadLetterTopic = deadLetterTopic;
        this.validator = validator;
        this.sink = sink;
        this.metrics = metrics;
        this.pollTimeout = pollTimeout;
        this.retryBackoffMs = retryBackoffMs;
    }

    @Override
    public void run() {
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // Everything polled so far was committed at the end of its batch.
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                LOG.infof("ingest assigned %s", partitions);
            }
        });
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
                lastPollNanos = System.nanoTime();
                if (records.isEmpty()) {
                    continue;
                }
                try {
                    process(records);
                    consumer.commitSync(nextOffsets(records));
                } catch (WakeupException e) {
                    throw e;
                } catch (Exception e) {
                    if (!running) {
                        break;
                    }
                    metrics.batchRetried();
                    LOG.warnf("ingest batch of %d records failed, re-reading it in %d ms: %s",
                            records.count(), retryBackoffMs, e.toString());
                    rewind(records);
                    sleep(retryBackoffMs);
                }
            }
        } catch (WakeupException e) {
            // stop() woke the consumer up.
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void process(ConsumerRecords<byte[], byte[]> records) throws Exception {
        List<PendingDeadLetter> deadLetters = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            Transition transition;
            try {
                transition = Transition.parseFrom(record.value() == null ? new byte[0] : record.value());
            } catch (InvalidProtocolBufferException e) {
                deadLetters.add(deadLetter(record, new Rejection(DeadLetterReason.UNPARSEABLE, e.getMessage())));
                continue;
            }
            Rejection rejection = validator.check(transition, key);
            if (rejection != null) {
                deadLetters.add(deadLetter(record, rejection));
            } else if (sink.insert(transition, record.partition(), record.offset())) {
                metrics.accepted(transition.getSource());
            } else {
                metrics.duplicate();
            }
        }
        // Dead letters must be durable before the offsets that dropped them are committed.
        for (PendingDeadLetter sent : deadLetters) {
            sent.send().get(30, TimeUnit.SECONDS);
        }
        for (PendingDeadLetter sent : deadLetters) {
            metrics.deadLettered(sent.reason());
        }
    }

    private record PendingDeadLetter(DeadLetterReason reason, Future<RecordMetadata> send) {
    }

    private PendingDeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record, Rejection rejection) {
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(deadLetterTopic, record.key(), record.value());
        Headers headers = out.headers();
        headers.add(HEADER_REASON, rejection.reason().name().getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_DETAIL, rejection.detail().getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_PARTITION, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_OFFSET, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        return new PendingDeadLetter(rejection.reason(), deadLetterProducer.send(out));
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = records.records(partition);
            offsets.put(partition, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
        }
        return offsets;
    }

    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            if (consumer.assignment().contains(partition)) {
                consumer.seek(partition, records.records(partition).get(0).offset());
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

    /** Asks the loop to finish its current batch and close the consumer. */
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    /** Nanos (System.nanoTime) of the last completed poll, for health checks. */
    public long lastPollNanos() {
        return lastPollNanos;
    }
}
