package io.tendon.learner.replay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tendon.learner.quality.EpisodeScorer;
import io.tendon.learner.record.Outcome;
import io.tendon.schemas.v1.Source;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/** Meters of the replay buffer (tendon.learner.replay.*, tendon.learner.quality.*), registered once. */
final class ReplayMetrics {

    /**
     * Rows inserted and evicted per table. Written per row under the replay's lock (one writer),
     * so a release store of a plain count replaces a Counter's atomic add on the ingest path;
     * exported as counters that read them.
     */
    private final AtomicLongArray inserts = new AtomicLongArray(3);
    private final AtomicLongArray evictions = new AtomicLongArray(3);
    private final Counter samplesMixed;
    private final Counter samplesDemonstrations;
    /** Histogram edges of the rate limiter's waits: 100 us to 1 min. */
    private static final Duration[] WAIT_BUCKETS = {Duration.ofNanos(100_000), Duration.ofMillis(1),
            Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofMinutes(1)};
    private final Timer sampleWait;
    private final Timer insertWait;
    private final Counter sampleTimeouts;
    private final Counter staleUpdates;
    private final Map<Outcome, Counter> episodes = new EnumMap<>(Outcome.class);
    private final Map<EpisodeScorer.Criterion, Counter> violations = new EnumMap<>(EpisodeScorer.Criterion.class);
    private final Counter filtered;
    private final DistributionSummary episodeWeight;

    ReplayMetrics(MeterRegistry registry, ReplayBuffer replay) {
        for (Source source : ReplayBuffer.SOURCES) {
            int t = source.getNumber() - 1;
            String tag = source.name();
            FunctionCounter.builder("tendon.learner.replay.inserts", inserts, a -> a.get(t)).tag("source", tag)
                    .description("Rows inserted into the table").register(registry);
            FunctionCounter.builder("tendon.learner.replay.evictions", evictions, a -> a.get(t)).tag("source", tag)
                    .description("Oldest rows evicted by a full table (FIFO)").register(registry);
            Gauge.builder("tendon.learner.replay.size", replay, r -> r.size(source)).tag("source", tag)
                    .description("Rows held by the table").strongReference(true).register(registry);
            Gauge.builder("tendon.learner.replay.sampleable", replay, r -> r.sampleable(source)).tag("source", tag)
                    .description("Rows that can be sampled (episode weight above 0)").strongReference(true)
                    .register(registry);
            Gauge.builder("tendon.learner.replay.capacity", replay, r -> r.capacity(source)).tag("source", tag)
                    .description("Rows the table can hold").strongReference(true).register(registry);
        }
        samplesMixed = Counter.builder("tendon.learner.replay.samples").tag("kind", "mixed")
                .description("Rows sampled (mixed batches count against the rate limiter)").register(registry);
        samplesDemonstrations = Counter.builder("tendon.learner.replay.samples").tag("kind", "demonstrations")
                .description("Rows sampled").register(registry);
        Gauge.builder("tendon.learner.replay.sample.insert.ratio", replay, ReplayBuffer::sampleInsertRatio)
                .description("Rows sampled in mixed batches per row inserted, since start")
                .strongReference(true).register(registry);
        Gauge.builder("tendon.learner.replay.rate.limiter.diff", replay, ReplayBuffer::limiterDiff)
                .description("inserts x samples-per-insert - samples; sampling needs >= minDiff, ingest <= maxDiff")
                .strongReference(true).register(registry);
        Gauge.builder("tendon.learner.replay.episodes", replay, ReplayBuffer::episodeCount)
                .description("Episodes with rows in replay").strongReference(true).register(registry);
        Gauge.builder("tendon.learner.replay.memory", replay, r -> (double) r.memoryBytes()).baseUnit("bytes")
                .description("Preallocated row storage").strongReference(true).register(registry);
        sampleWait = Timer.builder("tendon.learner.replay.rate.limiter.wait").tag("side", "sample")
                .description("Time a sample call waited for the rate limiter or for data")
                .serviceLevelObjectives(WAIT_BUCKETS).register(registry);
        insertWait = Timer.builder("tendon.learner.replay.rate.limiter.wait").tag("side", "insert")
                .description("Time live ingest was paused by the rate limiter")
                .serviceLevelObjectives(WAIT_BUCKETS).register(registry);
        sampleTimeouts = Counter.builder("tendon.learner.replay.rate.limiter.timeouts")
                .description("Sample calls that gave up waiting").register(registry);
        staleUpdates = Counter.builder("tendon.learner.replay.priority.stale.updates")
                .description("Priority updates for rows already evicted, ignored").register(registry);
        for (Outcome o : Outcome.values()) {
            episodes.put(o, Counter.builder("tendon.learner.quality.episodes").tag("outcome", o.name())
                    .description("Episodes that ended and were scored").register(registry));
        }
        for (EpisodeScorer.Criterion c : EpisodeScorer.Criterion.values()) {
            violations.put(c, Counter.builder("tendon.learner.quality.violations").tag("criterion", c.name())
                    .description("Ended episodes that lost weight on this criterion").register(registry));
        }
        filtered = Counter.builder("tendon.learner.quality.filtered")
                .description("Ended episodes whose weight is 0 (never sampled)").register(registry);
        episodeWeight = DistributionSummary.builder("tendon.learner.quality.weight")
                .description("Weight of ended episodes")
                .serviceLevelObjectives(0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0).register(registry);
    }

    /** Call under the replay's lock. */
    void inserted(int table) {
        inserts.lazySet(table, inserts.get(table) + 1);
    }

    /** Call under the replay's lock. */
    void evicted(int table) {
        evictions.lazySet(table, evictions.get(table) + 1);
    }

    void sampled(int rows, boolean mixed) {
        (mixed ? samplesMixed : samplesDemonstrations).increment(rows);
    }

    void sampleWaited(long nanos) {
        sampleWait.record(nanos, TimeUnit.NANOSECONDS);
    }

    void insertWaited(long nanos) {
        insertWait.record(nanos, TimeUnit.NANOSECONDS);
    }

    void sampleTimedOut() {
        sampleTimeouts.increment();
    }

    void staleUpdate() {
        staleUpdates.increment();
    }

    void scored(EpisodeScorer.Score score) {
        episodes.get(score.outcome()).increment();
        for (EpisodeScorer.Criterion c : EpisodeScorer.Criterion.values()) {
            if (score.violated(c)) {
                violations.get(c).increment();
            }
        }
        if (score.weight() == 0) {
            filtered.increment();
        }
        episodeWeight.record(score.weight());
    }
}
