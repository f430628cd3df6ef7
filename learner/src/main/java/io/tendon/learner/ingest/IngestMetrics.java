package io.tendon.learner.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tendon.schemas.v1.Source;
import java.util.EnumMap;
import java.util.Map;

/** Counters of the ingest path, registered once so the hot loop only increments. */
public final class IngestMetrics {

    private final Map<DeadLetterReason, Counter> deadLetters = new EnumMap<>(DeadLetterReason.class);
    private final Map<Source, Counter> accepted = new EnumMap<>(Source.class);
    private final Counter duplicates;
    private final Counter batchRetries;

    public IngestMetrics(MeterRegistry registry) {
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            deadLetters.put(reason, Counter.builder("tendon.learner.dead.letters")
                    .description("Transitions refused on ingest and sent to the dead-letter topic")
                    .tag("reason", reason.name())
                    .register(registry));
        }
        for (Source source : new Source[] {Source.DEMO, Source.INTERVENTION, Source.ROLLOUT}) {
            accepted.put(source, Counter.builder("tendon.learner.transitions.accepted")
                    .description("Transitions validated and stored")
                    .tag("source", source.name())
                    .register(registry));
        }
        duplicates = Counter.builder("tendon.learner.transitions.duplicates")
                .description("Transitions already stored (same robot, episode and step), skipped")
                .register(registry);
        batchRetries = Counter.builder("tendon.learner.ingest.batch.retries")
                .description("Batches re-read after a failure (broker away, dead-letter send failed)")
                .register(registry);
    }

    void deadLettered(DeadLetterReason reason) {
        deadLetters.get(reason).increment();
    }

    void accepted(Source source) {
        accepted.get(source).increment();
    }

    void duplicate() {
        duplicates.increment();
    }

    void batchRetried() {
        batchRetries.increment();
    }

    public double deadLetterCount(DeadLetterReason reason) {
        return deadLetters.get(reason).count();
    }

    public double acceptedCount() {
        return accepted.values().stream().mapToDouble(Counter::count).sum();
    }

    public double totalDeadLetters() {
        return deadLetters.values().stream().mapToDouble(Counter::count).sum();
    }
}
