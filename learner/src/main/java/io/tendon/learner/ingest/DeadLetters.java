package io.tendon.learner.ingest;

import io.tendon.learner.record.DeadLetterReason;
import io.tendon.learner.record.Rejection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;

/**
 * Dead-lettering of refused records: each goes to the dead-letter topic with its key and value as
 * they came, and headers for its reason, a detail for people and where it was read (topic,
 * partition, offset). A batch's offsets may be committed only once its dead letters are durable,
 * so {@link #awaitDurable} waits for the broker to acknowledge every one the batch sent, and only
 * then counts them by reason.
 */
public final class DeadLetters {

    public static final String HEADER_REASON = "tendon.dead-letter.reason";
    public static final String HEADER_DETAIL = "tendon.dead-letter.detail";
    public static final String HEADER_TOPIC = "tendon.dead-letter.topic";
    public static final String HEADER_PARTITION = "tendon.dead-letter.partition";
    public static final String HEADER_OFFSET = "tendon.dead-letter.offset";

    private record Pending(DeadLetterReason reason, Future<RecordMetadata> send) {
    }

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final IngestMetrics metrics;
    /** Sent for the batch being processed, not yet known to be durable. */
    private final List<Pending> pending = new ArrayList<>();

    DeadLetters(KafkaProducer<byte[], byte[]> producer, String topic, IngestMetrics metrics) {
        this.producer = producer;
        this.topic = topic;
        this.metrics = metrics;
    }

    /** A new batch; whatever a failed one sent is forgotten, as that batch is re-read and sends it again. */
    void startBatch() {
        pending.clear();
    }

    void send(ConsumerRecord<byte[], ByteBuffer> record, Rejection rejection) {
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(topic, record.key(), bytesOf(record.value()));
        Headers headers = out.headers();
        headers.add(HEADER_REASON, rejection.reason().name().getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_DETAIL, rejection.detail().getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_PARTITION, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_OFFSET, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        pending.add(new Pending(rejection.reason(), producer.send(out)));
    }

    /** Waits until the broker has every dead letter of this batch, then counts them; throws when one failed. */
    void awaitDurable() throws Exception {
        for (Pending sent : pending) {
            sent.send().get(30, TimeUnit.SECONDS);
        }
        for (Pending sent : pending) {
            metrics.deadLettered(sent.reason());
        }
        pending.clear();
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
}
