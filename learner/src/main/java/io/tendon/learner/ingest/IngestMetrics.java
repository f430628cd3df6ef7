package io.tendon.learner.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tendon.learner.record.DeadLetterReason;
import io.tendon.schemas.v1.Source;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Meters of the ingest path (tendon.learner.*), registered once so the hot loop only records. */
public final class IngestMetrics {

    private final ConsumerLag consumerLag;
    /** Histogram edges of the experience-to-replay latencies: 1 ms to 10 min. */
    static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1),
            Duration.ofMinutes(5), Duration.ofMinutes(10)};

    private final Map<DeadLetterReason, Counter> deadLetters = new EnumMap<>(DeadLetterReason.class);
    private final Counter[] accepted = new Counter[4];
    private final Counter duplicates;
    private final Counter batchRetries;
    private final Counter events;
    private final Timer fromStart;
    private final Timer fromPublish;
    /**
     * The same samples as {@link #fromStart} with client-side percentiles, for benchmarks and status only:
     * registered in a registry of its own, never exported (percentiles cannot be summed across learners
     * or windows; the exported timer is a histogram).
     */
    private final Timer fromStartPercentiles;
    private final AtomicInteger pausedPartitions = new AtomicInteger();
    private final AtomicInteger catchingUpPartitions = new AtomicInteger();
    /** Written by the ingest (processor) thread once per batch, read by tick(). */
    private volatile long acceptedTotal;

    /** Ring of (time, accepted total) samples, one per second, for {@link #ratePerSecond()}. */
    private final long[] rateTimes = new long[11];
    private final long[] rateCounts = new long[11];
    private int rateNext;
    private int rateFilled;

    /**
     * Experience-to-replay latencies are sampled per window (a second, or less when ingest goes
     * idle): every live insert while a window has at most {@link #reservoir} of them, else a
     * uniform random sample of exactly that many (reservoir sampling, Li's Algorithm L), recorded
     * into the timers when the window ends. Null: every live insert is recorded at once.
     * Touched only by the thread processing batches (never two at a time).
     */
    private final long[] reservoirFromStart;
    private final long[] reservoirFromPublish;
    private final int reservoir;
    private static final long WINDOW_NANOS = 1_000_000_000L;
    private long windowStartNanos;
    /** Live inserts offered to the window's sample so far, and how many of them it holds. */
    private long offered;
    private int held;
    /** Algorithm L: the offered count at which the next insert replaces a held one, and its weight. */
    private long nextReplacement;
    private double replacementWeight;
    /** Slot of the sample that {@link #timeThisInsert} chose for the next {@link #experienceToReplay}. */
    private int chosenSlot;
    private final SplittableRandom latencySampler = new SplittableRandom(0x7E0D0DL);

    /** Records every live insert's latency at once (no sampling). */
    public IngestMetrics(MeterRegistry registry) {
        this(registry, 0);
    }

    /**
     * @param latencySamplesPerSecond most live inserts timed per window (about a second), 0 for
     *     all of them at once. A uniform random sample, not every n-th or the first of a batch:
     *     records arrive in batches, oldest first, and a choice tied to position or time would
     *     favour some of them and bias the percentiles. At fleet rates this saves nearly all of
     *     the percentile histogram's cost per record (a few hundred nanoseconds).
     */
    public IngestMetrics(MeterRegistry registry, int latencySamplesPerSecond) {
        if (latencySamplesPerSecond < 0) {
            throw new IllegalArgumentException("latency samples per second " + latencySamplesPerSecond + " must be >= 0");
        }
        reservoir = latencySamplesPerSecond;
        reservoirFromStart = reservoir == 0 ? null : new long[reservoir];
        reservoirFromPublish = reservoir == 0 ? null : new long[reservoir];
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
        // A Prometheus histogram (fixed buckets): sums across learners and windows.
        fromStart = Timer.builder("tendon.learner.experience.to.replay")
                .description("From a chunk's start_time_unix_nanos on the robot (from=start), or a transition's"
                        + " publish_time_unix_nanos (from=publish), to its insert into replay")
                .tag("from", "start")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        fromStartPercentiles = Timer.builder("tendon.learner.experience.to.replay")
                .publishPercentiles(0.5, 0.9, 0.99)
                .distributionStatisticExpiry(Duration.ofMinutes(1))
                .register(new SimpleMeterRegistry());
        // Count, sum and max only: the latencies that matter are the end-to-end ones above.
        fromPublish = Timer.builder("tendon.learner.experience.to.replay")
                .description("From a chunk's start_time_unix_nanos on the robot (from=start), or a transition's"
                        + " publish_time_unix_nanos (from=publish), to its insert into replay")
                .tag("from", "publish")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        Gauge.builder("tendon.learner.ingest.rate", this, IngestMetrics::ratePerSecond)
                .description("Transitions accepted per second over the last 10 s").strongReference(true)
                .register(registry);
        Gauge.builder("tendon.learner.ingest.paused.partitions", pausedPartitions, AtomicInteger::get)
                .description("Transition partitions paused by the rate limiter").register(registry);
        Gauge.builder("tendon.learner.ingest.catching.up.partitions", catchingUpPartitions, AtomicInteger::get)
                .description("Partitions still re-reading what was in the log when this learner took them")
                .register(registry);
        consumerLag = new ConsumerLag(registry);
    }

    /** The ingest consumer's lag behind the log end, in records. */
    public ConsumerLag consumerLag() {
        return consumerLag;
    }

    void deadLettered(DeadLetterReason reason) {
        deadLetters.get(reason).increment();
    }

    /**
     * Counts a batch's accepted transitions, live and catch-up, by source number, and zeroes both
     * arrays; ends the latency window once it is a second old. Once per batch rather than per
     * record: a counter update costs about as much as validating a record.
     */
    void acceptedBatch(long[] live, long[] bulk, long nowNanos) {
        for (int s = 1; s <= 3; s++) {
            long n = live[s] + bulk[s];
            if (n != 0) {
                accepted[s].increment(n);
                acceptedTotal += n;
            }
            live[s] = 0;
            bulk[s] = 0;
        }
        if (windowStartNanos == 0) {
            windowStartNanos = nowNanos;
        } else if (nowNanos - windowStartNanos >= WINDOW_NANOS) {
            endLatencyWindow();
            windowStartNanos = nowNanos;
        }
    }

    /**
     * Whether to time this live insert: true while the window's sample has room, then for a
     * uniformly random choice of later inserts (each then replaces a random held one). When true
     * the caller reads the clock and calls {@link #experienceToReplay} next.
     */
    boolean timeThisInsert() {
        if (reservoir == 0) {
            return true;
        }
        offered++;
        if (held < reservoir) {
            chosenSlot = held++;
            if (held == reservoir) {
                replacementWeight = Math.exp(Math.log(uniformOpen()) / reservoir);
                nextReplacement = offered + skip();
            }
            return true;
        }
        if (offered < nextReplacement) {
            return false;
        }
        chosenSlot = latencySampler.nextInt(reservoir);
        replacementWeight *= Math.exp(Math.log(uniformOpen()) / reservoir);
        nextReplacement = offered + skip();
        return true;
    }

    /** Algorithm L's gap to the next replacement, at least 1. */
    private long skip() {
        double gap = Math.floor(Math.log(uniformOpen()) / Math.log1p(-replacementWeight)) + 1;
        return gap >= 1 ? (long) Math.min(gap, 1e15) : 1; // NaN (weight 1) and overflow stay finite
    }

    /** Uniform in (0, 1]: a logarithm of it is finite. */
    private double uniformOpen() {
        return 1.0 - latencySampler.nextDouble();
    }

    /** Records the age of a live transition at its insert (catch-up inserts are history, not latency). */
    void experienceToReplay(long nowNanos, long startNanos, long publishNanos) {
        long fromStartNanos = Math.max(0, nowNanos - startNanos);
        long fromPublishNanos = publishNanos == 0 ? -1 : Math.max(0, nowNanos - publishNanos);
        if (reservoir == 0) {
            record(fromStartNanos, fromPublishNanos);
        } else {
            reservoirFromStart[chosenSlot] = fromStartNanos;
            reservoirFromPublish[chosenSlot] = fromPublishNanos;
        }
    }

    private void record(long fromStartNanos, long fromPublishNanos) {
        fromStart.record(fromStartNanos, TimeUnit.NANOSECONDS);
        fromStartPercentiles.record(fromStartNanos, TimeUnit.NANOSECONDS);
        if (fromPublishNanos >= 0) {
            fromPublish.record(fromPublishNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Records the window's sample into the timers and starts a new window. The ingest loop calls
     * it when a poll comes back empty with nothing in flight, so a quiet learner's latencies show
     * within a poll timeout; a busy one's within a second.
     */
    void endLatencyWindow() {
        for (int i = 0; i < held; i++) {
            record(reservoirFromStart[i], reservoirFromPublish[i]);
        }
        held = 0;
        offered = 0;
        windowStartNanos = 0;
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

    /**
     * Experience-to-replay latency from the chunk's start time with client-side percentiles (p50,
     * p90, p99 over the last minute), for benchmarks and status; not exported.
     */
    public Timer experienceToReplay() {
        return fromStartPercentiles;
    }
}
