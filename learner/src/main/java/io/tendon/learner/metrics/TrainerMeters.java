package io.tendon.learner.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What the trainer reports beyond its status: {@code tendon_learner_train_step_duration_seconds}
 * (a histogram of one unit of work of a stage: a BC, critic or online step),
 * {@code tendon_learner_train_step_failures_total}, {@code tendon_learner_updates_published_total{graph}},
 * {@code tendon_learner_publish_failures_total{stage=sign|send}} and
 * {@code tendon_learner_publish_age_seconds} (since the last update went out; since start-up before
 * the first), and the training checkpoints' {@link CheckpointMeters}.
 */
public final class TrainerMeters {

    /** Histogram edges: 100 us to 10 s. */
    static final Duration[] BUCKETS = {Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
            Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(10)};

    private final MeterRegistry registry;
    private final Timer step;
    private final Counter stepFailures;
    private final Counter signFailures;
    private final Counter sendFailures;
    private final Map<String, Counter> published = new ConcurrentHashMap<>();
    private final CheckpointMeters checkpoints;
    private volatile long lastPublishMillis = System.currentTimeMillis();

    public TrainerMeters(MeterRegistry registry) {
        this.registry = registry;
        step = Timer.builder("tendon.learner.train.step.duration")
                .description("One unit of work of the current stage (BC step; critic step; K critic steps and a residual step)")
                .serviceLevelObjectives(BUCKETS).register(registry);
        stepFailures = Counter.builder("tendon.learner.train.step.failures")
                .description("Training steps that threw (the trainer backs off and retries)").register(registry);
        signFailures = Counter.builder("tendon.learner.publish.failures").tag("stage", "sign")
                .description("Verified exports not published: signing or splitting failed (sign), or the broker"
                        + " did not take them (send)").register(registry);
        sendFailures = Counter.builder("tendon.learner.publish.failures").tag("stage", "send")
                .description("Verified exports not published: signing or splitting failed (sign), or the broker"
                        + " did not take them (send)").register(registry);
        for (String graph : new String[] {"head", "residual"}) {
            published(graph);
        }
        Gauge.builder("tendon.learner.publish.age", this, m -> (System.currentTimeMillis() - m.lastPublishMillis) / 1000.0)
                .baseUnit("seconds").description("Seconds since the last policy update was published (since start-up"
                        + " before the first)")
                .strongReference(true).register(registry);
        checkpoints = new CheckpointMeters(registry, "training");
    }

    /** Meters nobody scrapes, for trainers built without a registry (tests, benchmarks). */
    public static TrainerMeters detached() {
        return new TrainerMeters(new SimpleMeterRegistry());
    }

    public void stepDone(long nanos) {
        step.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void stepFailed() {
        stepFailures.increment();
    }

    public void published(String graph, long version) {
        published(graph).increment();
        lastPublishMillis = System.currentTimeMillis();
    }

    /** Signing or cutting into parts failed. */
    public void signFailed() {
        signFailures.increment();
    }

    /** The broker did not take the update (refused, timed out, fenced). */
    public void sendFailed() {
        sendFailures.increment();
    }

    public CheckpointMeters checkpoints() {
        return checkpoints;
    }

    private Counter published(String graph) {
        return published.computeIfAbsent(graph, g -> Counter.builder("tendon.learner.updates.published").tag("graph", g)
                .description("Policy updates published, by graph").register(registry));
    }
}
