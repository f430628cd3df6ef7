package io.tendon.schemas.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The Kafka clients' own metrics (Kafka's {@code metrics()}) as Micrometer meters
 * ({@code kafka_producer_*}, {@code kafka_consumer_*}, tagged with the client id), for both
 * services: the edge's transition producer (buffer, batches, errors, request latency) and update
 * consumer (lag), the learner's ingest consumer (lag, fetch rates) and its dead-letter and update
 * producers.
 * New Kafka metrics (a partition assigned later) are picked up every {@link #REFRESH}.
 */
@ApplicationScoped
public class KafkaClientMeters {

    static final Duration REFRESH = Duration.ofSeconds(10);

    @Inject
    MeterRegistry registry;

    private final List<KafkaClientMetrics> bound = new ArrayList<>();
    private ScheduledExecutorService scheduler;

    public synchronized void bind(Producer<?, ?> producer) {
        add(new KafkaClientMetrics(producer, List.of(), scheduler(), REFRESH));
    }

    public synchronized void bind(Consumer<?, ?> consumer) {
        add(new KafkaClientMetrics(consumer, List.of(), scheduler(), REFRESH));
    }

    private void add(KafkaClientMetrics metrics) {
        metrics.bindTo(registry);
        bound.add(metrics);
    }

    private ScheduledExecutorService scheduler() {
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tendon-kafka-meters");
                t.setDaemon(true);
                return t;
            });
        }
        return scheduler;
    }

    @PreDestroy
    synchronized void close() throws InterruptedException {
        bound.forEach(KafkaClientMetrics::close);
        bound.clear();
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
