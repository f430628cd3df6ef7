package io.tendon.learner.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tendon.schemas.v1.Source;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Meters of the ingest path (tendon.learner.*), registered once so the hot loop only records. */
public final class IngestMetrics {

    private final Map<DeadLetterReason, Counter> deadLetters = new EnumMap<>(DeadLetterReason.class);
    private final Counter[] accepted = new Counter[4];
    private final Counter duplicates;
    private final Counter batchRetries;
    private final Counter events;
    private final Timer fromStart;
    private final Timer fromPublish;
    private final AtomicInteger pausedPartitions = new AtomicInteger();
    private final AtomicInteger catchingUpPartitions = new AtomicInteger();
    /** Written by the ingest (processor) thread once per batch, read by tick(). */
    private volatile long acceptedTotal;

    /** Ring of (time, accepted total) samples, one per second, for {@link #ratePerSecond()}. */
    private final long[] rateTimes = new long[11];
    private final long[] rateCounts = new long[11];
    private int rateNext;
    private int rateFilled;

    /** Most experience-to-replay latencies recorded per second, about (below it: every live insert). */
    private final double maxLatencySamplesPerSecond;
    /** Chance that a live insert is timed, from the live rate of the last window (ingest thread only). */
    private double latencySampleProbability = 1;
    private static final long RATE_WINDOW_NANOS = 1_000_000_000L;
    private long rateWindowStartNanos;
    private long rateWindowLive;
    private final SplittableRandom latencySampler = new SplittableRandom(0x7E0D0DL);

    /** Times every live insert. */
    public IngestMetrics(MeterRegistry registry) {
        this(registry, Double.POSITIVE_INFINITY);
    }

    /**
     * @param maxLatencySamplesPerSecond time about this many live inserts a second at most: below
     *     that rate every one, above it each with the same probability. A random choice, not
     *     every n-th or the first after a pause: records arrive in batches, oldest first, and a
     *     choice tied to position or time would favour the oldest and bias the percentiles. At
     *     fleet rates this saves most of the percentile histogram's cost per record.
     */
    public IngestMetrics(MeterRegistry registry, double maxLatencySamplesPerSecond) {
        if (!(maxLatencySamplesPerSecond > 0)) {
            throw new IllegalArgumentException("latency samples per second " + maxLatencySamplesPerSecond + " must be > 0");
        }
        this.maxLatencySamplesPerSecond = maxLatencySamplesPerSecond;
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            deadLetters.put(reason, Counter.builder("tendon.learner.dead.letters")
                    .description("Records refused on ingest and sent to the dead-letter topic")
                    .tag("reason", reason.name())
                    .register(registry));
        }
        for (Source source : new Source[] {Source.DEMO, Source.INTERVENTION, Source.ROLLOUT}) {
            accepted[source.getNumber()] = Counter.builder("tendon.learner.transitions.accepted")
                    .description("Transitions validated and stored")
                    .tag("source", source.name())
                    .register(registry);
        }
        duplicates = Counter.builder("tendon.learner.transitions.duplicates")
                .description("Transitions already stored (same robot, episode and step), skipped")
                .register(registry);
        batchRetries = Counter.builder("tendon.learner.ingest.batch.retries")
                .description("Batches re-read after a failure (broker away, dead-letter send failed)")
                .register(registry);
        events = Counter.builder("tendon.learner.episode.events")
                .description("Episode outcome events applied to replay")
                .register(registry);
        fromStart = Timer.builder("tendon.learner.experience.to.replay")
                .description("From a chunk's start_time_unix_nanos on the robot to its insert into replay")
                .tag("from", "start")
                .publishPercentiles(0.5, 0.9, 0.99)
                .distributionStatisticExpiry(Duration.ofMinutes(1))
                .register(registry);
        // Count, sum and max only: the percentiles that matter are the end-to-end ones above,
        // and each percentile histogram costs every record a few hundred nanoseconds.
        fromPublish = Timer.builder("tendon.learner.experience.to.replay")
                .description("From a transition's publish_time_unix_nanos to its insert into replay")
                .tag("from", "publish")
                .register(registry);
        Gauge.builder("tendon.learner.ingest.rate", this, IngestMetrics::ratePerSecond)
                .description("Transitions accepted per second over the last 10 s").strongReference(true)
                .register(registry);
        Gauge.builder("tendon.learner.ingest.paused.partitions", pausedPartitions, AtomicInteger::get)
                .description("Transition partitions paused by the rate limiter").register(registry);
        Gauge.builder("tendon.learner.ingest.catching.up.partitions", catchingUpPartitions, AtomicInteger::get)
                .description("Partitions still re-reading what was in the log when this learner took them")
                .register(registry);
    }

    void deadLettered(DeadLetterReason reason) {
        deadLetters.get(reason).increment();
    }

    /**
     * Counts a batch's accepted transitions, live and catch-up, by source number, and zeroes both
     * arrays; once a window of at least a second has passed, sets the chance of timing a live
     * insert from that window's live rate.
     * Once per batch rather than per record: a counter update costs about as much as validating
     * a record. One thread calls this.
     */
    void acceptedBatch(long[] live, long[] bulk, long nowNanos) {
        long liveCount = 0;
        for (int s = 1; s <= 3; s++) {
            long n = live[s] + bulk[s];
            if (n != 0) {
                accepted[s].increment(n);
                acceptedTotal += n;
            }
            liveCount += live[s];
            live[s] = 0;
            bulk[s] = 0;
        }
        // The rate over whole windows of at least a second, never over one batch: the gap before
        // a batch is long exactly when the batch is a stalled backlog, and a chance set from it
        // would time the stalled records and skip the smooth ones.
        if (rateWindowStartNanos == 0) {
            rateWindowStartNanos = nowNanos;
        }
        rateWindowLive += liveCount;
        long elapsed = nowNanos - rateWindowStartNanos;
        if (elapsed >= RATE_WINDOW_NANOS) {
            double rate = rateWindowLive * 1e9 / elapsed;
            latencySampleProbability = rate <= maxLatencySamplesPerSecond ? 1 : maxLatencySamplesPerSecond / rate;
            rateWindowStartNanos = nowNanos;
            rateWindowLive = 0;
        }
    }

    /** Whether to time this live insert (see the constructor); one thread calls this. */
    boolean timeThisInsert() {
        return latencySampleProbability >= 1 || latencySampler.nextDouble() < latencySampleProbability;
    }

    /** Records the age of a live transition at its insert (catch-up inserts are history, not latency). */
    void experienceToReplay(long nowNanos, long startNanos, long publishNanos) {
        fromStart.record(Math.max(0, nowNanos - startNanos), TimeUnit.NANOSECONDS);
        if (publishNanos != 0) {
            fromPublish.record(Math.max(0, nowNanos - publishNanos), TimeUnit.NANOSECONDS);
        }
    }

    void duplicate() {
        duplicates.increment();
    }

    void batchRetried() {
        batchRetries.increment();
    }

    void event() {
        events.increment();
    }

    void partitions(int paused, int catchingUp) {
        pausedPartitions.set(paused);
        catchingUpPartitions.set(catchingUp);
    }

    /** Called by the ingest loop each iteration; keeps one sample per second for the rate. */
    synchronized void tick(long monotonicNanos) {
        int last = (rateNext + rateTimes.length - 1) % rateTimes.length;
        if (rateFilled > 0 && monotonicNanos - rateTimes[last] < 1_000_000_000L) {
            return;
        }
        rateTimes[rateNext] = monotonicNanos;
        rateCounts[rateNext] = acceptedTotal;
        rateNext = (rateNext + 1) % rateTimes.length;
        rateFilled = Math.min(rateFilled + 1, rateTimes.length);
    }

    /** Transitions accepted per second over the last 10 s (0 until two samples a second apart exist). */
    public synchronized double ratePerSecond() {
        if (rateFilled < 2) {
            return 0;
        }
        int newest = (rateNext + rateTimes.length - 1) % rateTimes.length;
        int oldest = rateFilled < rateTimes.length ? 0 : rateNext;
        long dt = rateTimes[newest] - rateTimes[oldest];
        return dt <= 0 ? 0 : (rateCounts[newest] - rateCounts[oldest]) * 1e9 / dt;
    }

    public double deadLetterCount(DeadLetterReason reason) {
        return deadLetters.get(reason).count();
    }

    public double acceptedCount() {
        double sum = 0;
        for (int s = 1; s <= 3; s++) {
            sum += accepted[s].count();
        }
        return sum;
    }

    public double duplicateCount() {
        return duplicates.count();
    }

    public double totalDeadLetters() {
        return deadLetters.values().stream().mapToDouble(Counter::count).sum();
    }

    /** Experience-to-replay latency from the chunk's start time (for benchmarks and status). */
    public Timer experienceToReplay() {
        return fromStart;
    }
}
