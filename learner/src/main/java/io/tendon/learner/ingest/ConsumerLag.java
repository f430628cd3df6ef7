package io.tendon.learner.ingest;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * How far the learner is behind the robots: records on its transitions partitions that it has
 * not consumed yet (the log end minus the consumer's position, {@link KafkaConsumer#currentLag},
 * summed). Sampled on the ingest thread (the consumer is not thread-safe) at most every
 * {@link #SAMPLE_EVERY_MS} ms; read from any thread. Gauge {@code tendon.learner.consumer.lag.records}.
 */
public final class ConsumerLag {

    static final long SAMPLE_EVERY_MS = 500;

    /** -1 until a partition's lag is known. */
    private volatile long records = -1;
    private long lastSampleNanos;

    ConsumerLag(MeterRegistry registry) {
        Gauge.builder("tendon.learner.consumer.lag.records", this, l -> l.records < 0 ? Double.NaN : l.records)
                .description("Records of the transitions topic not consumed yet (log end - position, all assigned"
                        + " partitions); NaN until known")
                .strongReference(true)
                .register(registry);
    }

    /** Sums the consumer's cached lag over {@code partitions} (ingest thread only), at most every 500 ms. */
    void sample(KafkaConsumer<?, ?> consumer, Iterable<TopicPartition> partitions, long nowNanos) {
        if (lastSampleNanos != 0 && nowNanos - lastSampleNanos < TimeUnit.MILLISECONDS.toNanos(SAMPLE_EVERY_MS)) {
            return;
        }
        lastSampleNanos = nowNanos;
        long sum = 0;
        boolean known = false;
        for (TopicPartition tp : partitions) {
            OptionalLong lag = consumer.currentLag(tp);
            if (lag.isPresent()) {
                sum += lag.getAsLong();
                known = true;
            }
        }
        records = known ? sum : -1;
    }

    /** Records not consumed yet, or -1 while unknown (no partition, or no fetch response yet). */
    public long records() {
        return records;
    }
}
