package io.tendon.learner.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Meters of one kind of checkpoint ({@code training} or {@code replay}):
 * {@code tendon_learner_checkpoint_duration_seconds} (a histogram),
 * {@code tendon_learner_checkpoint_failures_total} and {@code tendon_learner_checkpoint_age_seconds},
 * the time since the last checkpoint that was written or restored (since start-up before the
 * first), for "checkpoint too old" alerts.
 */
public final class CheckpointMeters {

    /** Histogram edges: 10 ms to 30 min. */
    static final Duration[] BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1),
            Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30)};

    private final Timer duration;
    private final Counter failures;
    private final LongSupplier wallMillis;
    private volatile long lastGoodMillis;

    public CheckpointMeters(MeterRegistry registry, String kind) {
        this(registry, kind, System::currentTimeMillis);
    }

    CheckpointMeters(MeterRegistry registry, String kind, LongSupplier wallMillis) {
        this.wallMillis = wallMillis;
        this.lastGoodMillis = wallMillis.getAsLong();
        duration = Timer.builder("tendon.learner.checkpoint.duration").tag("kind", kind)
                .description("Time to write a checkpoint (successful ones)").serviceLevelObjectives(BUCKETS)
                .register(registry);
        failures = Counter.builder("tendon.learner.checkpoint.failures").tag("kind", kind)
                .description("Checkpoints that could not be written (the previous one stays current)")
                .register(registry);
        Gauge.builder("tendon.learner.checkpoint.age", this, CheckpointMeters::ageSeconds).tag("kind", kind)
                .baseUnit("seconds").description("Seconds since the newest checkpoint was written or restored"
                        + " (since start-up before the first)")
                .strongReference(true).register(registry);
    }

    /** Meters nobody scrapes, for code run without a registry (tests, tools). */
    public static CheckpointMeters detached(String kind) {
        return new CheckpointMeters(new SimpleMeterRegistry(), kind);
    }

    /** A checkpoint was written in {@code nanos}. */
    public void written(long nanos) {
        duration.record(nanos, TimeUnit.NANOSECONDS);
        lastGoodMillis = wallMillis.getAsLong();
    }

    /** A checkpoint was restored at start-up: it is the newest on disk, {@code ageMillis} old. */
    public void restored(long writtenAtMillis) {
        lastGoodMillis = Math.max(0, writtenAtMillis);
    }

    public void failed() {
        failures.increment();
    }

    public double ageSeconds() {
        return Math.max(0, wallMillis.getAsLong() - lastGoodMillis) / 1000.0;
    }
}
