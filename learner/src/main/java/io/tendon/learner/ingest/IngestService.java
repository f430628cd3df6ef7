package io.tendon.learner.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.kafka.KafkaClients;
import io.tendon.learner.kafka.TopicProvisioner;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import org.apache.kafka.clients.producer.KafkaProducer;

/** Runs the ingest loop on its own thread for the life of the application. */
@ApplicationScoped
public class IngestService {

    @Inject
    LearnerConfig config;

    @Inject
    KafkaClients clients;

    @Inject
    TransitionSink sink;

    @Inject
    MeterRegistry registry;

    private IngestMetrics metrics;
    private IngestLoop loop;
    private Thread thread;
    private KafkaProducer<byte[], byte[]> deadLetterProducer;

    void onStart(@Observes @Priority(TopicProvisioner.STARTUP_PRIORITY + 10) StartupEvent event) {
        metrics = new IngestMetrics(registry);
        LearnerConfig.Ingest ingest = config.ingest();
        TransitionValidator validator = new TransitionValidator(config.layout(), ingest.maxClockSkewSeconds(),
                () -> System.currentTimeMillis() * 1_000_000L);
        deadLetterProducer = clients.producer(config.learnerId() + "-dead-letters");
        loop = new IngestLoop(
                clients.consumer(ingest.groupId(), config.learnerId() + "-ingest", ingest.maxPollRecords()),
                deadLetterProducer, config.topics().transitions(), config.topics().deadLetter(), validator, sink,
                metrics, Duration.ofMillis(ingest.pollTimeoutMs()), ingest.retryBackoffMs());
        thread = new Thread(loop, "tendon-ingest");
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (loop != null) {
            loop.stop();
            thread.join(10_000);
            deadLetterProducer.close(Duration.ofSeconds(5));
        }
    }

    public IngestMetrics metrics() {
        return metrics;
    }

    /** True while the ingest thread runs and has polled within {@code maxSilence}. */
    public boolean healthy(Duration maxSilence) {
        return thread != null && thread.isAlive()
                && System.nanoTime() - loop.lastPollNanos() < maxSilence.toNanos();
    }
}
