package io.tendon.learner.ingest;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * How far the learner is behind the robots: records on its transitions partitions that it has
 * not consumed yet (log end minus the consumer's position, summed). Fetching partitions use
 * {@link KafkaConsumer#currentLag} (the end offsets the fetches bring, no request); a partition
 * paused by the rate limiter is fetched no more, so its end offset is asked for (one
 * {@code endOffsets} request for all of them, at most every {@link #PAUSED_END_EVERY_MS} ms).
 * Sampled on the ingest thread (the consumer is not thread-safe) at most every
 * {@link #SAMPLE_EVERY_MS} ms; read from any thread. Gauge {@code tendon.learner.consumer.lag.records}.
 */
public final class ConsumerLag {

    static final long SAMPLE_EVERY_MS = 500;
    static final long PAUSED_END_EVERY_MS = 2000;

    /** -1 until a partition's lag is known. */
    private volatile long records = -1;
    private long lastSampleNanos;
    private long lastPausedEndNanos;
    private final Map<TopicPartition, Long> pausedEnds = new HashMap<>();

    ConsumerLag(MeterRegistry registry) {
        Gauge.builder("tendon.learner.consumer.lag.records", this, l -> l.records < 0 ? Double.NaN : l.records)
                .description("Records of the transitions topic not consumed yet (log end - position, all assigned"
                        + " partitions); NaN until known")
                .strongReference(true)
                .register(registry);
    }

    /**
     * Sums the lag over the assigned transitions partitions (ingest thread only), at most every
     * 500 ms; {@code paused} are those the rate limiter paused.
     */
    void sample(KafkaConsumer<?, ?> consumer, List<TopicPartition> fetching, List<TopicPartition> paused, long nowNanos) {
        if (lastSampleNanos != 0 && nowNanos - lastSampleNanos < TimeUnit.MILLISECONDS.toNanos(SAMPLE_EVERY_MS)) {
            return;
        }
        lastSampleNanos = nowNanos;
        long sum = 0;
        boolean known = false;
        for (TopicPartition tp : fetching) {
            OptionalLong lag = consumer.currentLag(tp);
            if (lag.isPresent()) {
                sum += lag.getAsLong();
                known = true;
            }
        }
        if (!paused.isEmpty()) {
            if (nowNanos - lastPausedEndNanos >= TimeUnit.MILLISECONDS.toNanos(PAUSED_END_EVERY_MS)
                    || !pausedEnds.keySet().containsAll(paused)) {
                lastPausedEndNanos = nowNanos;
                try {
                    pausedEnds.putAll(consumer.endOffsets(paused, Duration.ofSeconds(1)));
                } catch (KafkaException e) {
                    // The broker did not answer in time: keep the end offsets last seen.
                }
            }
            for (TopicPartition tp : paused) {
                Long end = pausedEnds.get(tp);
                if (end != null) {
                    try {
                        sum += Math.max(0, end - consumer.position(tp, Duration.ZERO));
                        known = true;
                    } catch (KafkaException e) {
                        // No position yet: the lag of this partition is unknown.
                    }
                }
            }
        }
        records = known ? sum : -1;
    }

    /** Records not consumed yet, or -1 while unknown (no partition, or no fetch response yet). */
    public long records() {
        return records;
    }
}
