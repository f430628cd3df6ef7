package io.tendon.learner.replay;

import io.micrometer.core.instrument.MeterRegistry;
import io.tendon.schemas.layout.LayoutConfig;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.config.ReplayConfig;
import io.tendon.learner.policy.PolicyBundle;
import io.tendon.learner.quality.EpisodeScorer;
import io.tendon.learner.record.DecodedTransition;
import io.tendon.learner.record.Outcome;
import io.tendon.learner.record.TransitionSink;
import io.tendon.schemas.v1.Source;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The learner's replay: one FIFO table per source (DEMO, INTERVENTION, ROLLOUT) in preallocated
 * primitive arrays, mixed batches, optional prioritised sampling, Reverb's samples-per-insert
 * rate limiter, per-episode quality weights and de-duplication of (robot, episode, step).
 *
 * <h2>API for the trainer</h2>
 * <pre>{@code
 *   Batch batch = replay.newBatch(256);                 // once; reused for every call
 *   SplittableRandom rng = new SplittableRandom(seed);  // one per sampling thread
 *
 *   // BC warm-up: DEMO + INTERVENTION rows only, through the rate limiter without waiting
 *   if (replay.sampleDemonstrations(batch, rng, true)) { ... }
 *
 *   // critic, head and residual steps: mixed batch, waits for the rate limiter up to
 *   // tendon.replay.rate-limit.sample-timeout-ms
 *   if (replay.sample(batch, rng)) {
 *       ... train on batch.state, batch.action, batch.rewards, ..., weighting each row's loss by batch.weight ...
 *       replay.updatePriorities(batch, tdErrors);       // after a critic step; no effect unless prioritised
 *   } else {
 *       String why = replay.whyNoSample(true, 256);     // "label: detail" for the trainer's status
 *   }
 * }</pre>
 * A sample call fills rows {@code [0, batch.size)} of {@link Batch} (size = capacity on
 * success). Rows are grouped by source (DEMO, then INTERVENTION, then ROLLOUT). {@code
 * batch.weight} = the row's episode quality weight x its importance-sampling weight
 * (prioritised sampling only, normalised so the batch's largest is 1). {@code batch.slot}
 * identifies the row for {@link #updatePriorities}; an update for a row evicted since is
 * ignored. {@code sample} returns false when it timed out (limiter or no data), when the
 * buffer was closed, or when the thread was interrupted (the interrupt flag stays set).
 *
 * <h2>Mixing</h2>
 * A batch of n rows takes {@code n x w_t / sum(w)} rows from table t, w = tendon.replay.mix.*,
 * over the tables that have a sampleable row (an empty table's share goes to the others in
 * proportion to their weights); the fractional remainder is drawn at random, so the expected
 * count is exact. Within a table sampling is uniform, or with priorities proportional to
 * {@code (|td| + epsilon)^alpha}, importance weight {@code (N P(i))^-beta} (N = sampleable rows).
 *
 * <h2>Rate limiter</h2>
 * {@link SampleToInsertRatio}. Mixed sampling waits while the trainer is ahead; BC warm-up's
 * demonstration sampling may be limited the same way ({@code sampleDemonstrations(.., true)}).
 * By default the limiter bounds the trainer only: live ingest never waits and the trainer's
 * unused credit is capped. With tendon.replay.rate-limit.throttle-ingest, live ingest asks
 * {@link #insertAllowed()} before each live record and pauses its partitions while the trainer
 * is behind (it never blocks inside {@link #insert}).
 *
 * <h2>Quality</h2>
 * Rows of an episode that has not ended carry tendon.quality.pending-weight; when the episode
 * ends (terminated or truncated chunk, or an outcome event) it is scored and every one of its
 * rows takes the new weight at once; weight 0 rows are never sampled.
 *
 * <h2>Threads</h2>
 * One lock guards the tables. Inserts (ingest thread), samples (trainer threads), priority
 * updates and snapshots may come from any thread; a sample holds the lock while it copies its
 * rows (tens of microseconds). A snapshot blocks inserts, not sampling.
 */
public final class ReplayBuffer implements TransitionSink {

    /** The tables, in table-index order (index = Source number - 1). */
    public static final Source[] SOURCES = {Source.DEMO, Source.INTERVENTION, Source.ROLLOUT};
    private static final int TABLES = 3;
    private static final long SEQ_MASK = (1L << 56) - 1;

    private final LayoutConfig layout;
    private final int baseSamples;
    final ReplayTable[] tables = new ReplayTable[TABLES];
    final Episodes episodes;
    private final EpisodeScorer scorer;
    final SampleToInsertRatio limiter;
    private final boolean prioritized;
    private final double alpha;
    private final double beta;
    private final double epsilon;
    private final long sampleTimeoutNanos;
    private final ReplayMetrics metrics;

    /** Guards everything below and the tables. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition sampleable = lock.newCondition();
    private final Condition insertable = lock.newCondition();
    /** Held by whoever changes rows (insert, event, restore) or reads them without {@link #lock} (snapshot). */
    final ReentrantLock writer = new ReentrantLock();
    private int samplersWaiting;
    private int insertersWaiting;
    private boolean closed;
    /** Mass of a new row in prioritised sampling: the largest (|td| + eps)^alpha seen. */
    double maxPriorityMass = 1.0;
    long mixedSamples;
    long insertsTotal;
    /** Rows sampled for training: mixed batches and rate-limited demonstration batches. */
    long trainingSamples;

    // For one sample call at a time (the lock serialises calls).
    private final MixPlan mixPlan;
    private final int[] sampleableRows = new int[TABLES];

    public ReplayBuffer(LearnerConfig config, MeterRegistry registry) {
        this(config, registry, PolicyBundle.declaredBaseSamples(config.policy().bundleDir()));
    }

    /**
     * @param baseSamples M, the bundle's base_samples_per_transition: rows that come with their
     *     2 x M base-policy chunks keep them (0: none are kept)
     */
    public ReplayBuffer(LearnerConfig config, MeterRegistry registry, int baseSamples) {
        this.layout = config.layout();
        this.baseSamples = baseSamples;
        ReplayConfig r = config.replay();
        ReplayConfig.Capacity c = r.capacity();
        int stateDim = layout.latentDim() + layout.proprioDim() + layout.wrenchDim();
        int[] capacities = {c.demo(), c.intervention(), c.rollout()};
        this.prioritized = r.priority().enabled();
        for (int t = 0; t < TABLES; t++) {
            tables[t] = new ReplayTable(SOURCES[t], t, capacities[t], stateDim, layout.horizon(), layout.actionDim(),
                    prioritized, baseSamples);
        }
        double[] mix = {r.mix().demo(), r.mix().intervention(), r.mix().rollout()};
        if (mix[0] + mix[1] + mix[2] <= 0) {
            throw new IllegalArgumentException("tendon.replay.mix.demo, .intervention and .rollout are all 0: "
                    + "at least one table must be sampled");
        }
        this.mixPlan = new MixPlan(mix);
        this.alpha = r.priority().alpha();
        this.beta = r.priority().beta();
        this.epsilon = r.priority().epsilon();
        ReplayConfig.RateLimit rl = r.rateLimit();
        this.limiter = new SampleToInsertRatio(rl.enabled(), rl.throttleIngest(), rl.samplesPerInsert(),
                rl.minSizeToSample(), rl.errorBuffer());
        this.sampleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(rl.sampleTimeoutMs());
        this.scorer = new EpisodeScorer(config.quality(), layout.horizon());
        this.episodes = new Episodes(config.quality().maxOrphanEvents());
        this.metrics = new ReplayMetrics(registry, this);
    }

    /** A batch of {@code rows} rows shaped for this buffer's layout (and its base samples). */
    public Batch newBatch(int rows) {
        return new Batch(rows, layout.latentDim() + layout.proprioDim() + layout.wrenchDim(), layout.horizon(),
                layout.actionDim(), baseSamples);
    }

    /** M: base-policy chunks kept per row at s and at s' (the bundle's base_samples_per_transition). */
    public int baseSamples() {
        return baseSamples;
    }

    // ---------------------------------------------------------------- inserting (ingest side)

    /**
     * Stores a validated transition in its source's table, evicting the table's oldest row when
     * full; returns false (and stores nothing) when its (robot, episode, step) is already held.
     * Never waits for the rate limiter: live ingest asks {@link #insertAllowed()} first.
     *
     * @param bulk true for a rebuild from the log or a file load: counted by the limiter, but
     *     the trainer's credit is clamped (see {@link SampleToInsertRatio})
     */
    @Override
    public boolean insert(DecodedTransition t, boolean bulk) {
        if (t.source < 1 || t.source > TABLES) {
            throw new IllegalArgumentException("source " + t.source + " has no table (validate first)");
        }
        writer.lock();
        lock.lock();
        try {
            Episode ep = episodes.find(t);
            if (ep != null && ep.rows.contains(t.step)) {
                return false;
            }
            ReplayTable table = tables[t.source - 1];
            if (table.full()) {
                evict(table, table.nextSlot());
                if (ep != null && ep.rows.size() == 0) {
                    ep = null; // its last row was the one evicted: it has been forgotten
                }
            }
            if (ep == null) {
                ep = episodes.create(t, scorer.pendingWeight());
                if (ep.stats.ended()) {
                    // A remembered outcome event already ended it.
                    episodes.setWeight(ep, scorer.weight(ep.stats));
                }
            }
            int slot = table.append(t, ep.index);
            ep.rows.put(t.step, Episode.ref(table.index, slot));
            if (ep.weight == 0) {
                table.ineligible++;
            }
            if (prioritized) {
                table.priority[slot] = maxPriorityMass;
                table.tree.set(slot, ep.weight > 0 ? maxPriorityMass : 0);
            }
            ep.stats.observe(t, scorer.actionPeriodS());
            rescore(ep);
            limiter.inserted(1, bulk);
            insertsTotal++;
            metrics.inserted(table.index);
            if (samplersWaiting > 0) {
                sampleable.signalAll();
            }
            return true;
        } finally {
            lock.unlock();
            writer.unlock();
        }
    }

    /**
     * Records an episode's outcome event (SUCCESS, FAILURE, TIMEOUT or ABORT end it; START is
     * ignored). An episode not held yet remembers the outcome for when its rows arrive.
     */
    @Override
    public void episodeEvent(String robotId, String episodeId, Outcome outcome) {
        writer.lock();
        lock.lock();
        try {
            EpisodeKey key = EpisodeKey.of(robotId, episodeId);
            Episode ep = episodes.find(key);
            if (ep == null) {
                episodes.rememberOutcome(key, outcome);
                return;
            }
            ep.stats.event(outcome);
            rescore(ep);
        } finally {
            lock.unlock();
            writer.unlock();
        }
    }

    /** True when live ingest may insert another row now (rate limiter). */
    @Override
    public boolean insertAllowed() {
        lock.lock();
        try {
            return limiter.canInsert(totalSize());
        } finally {
            lock.unlock();
        }
    }

    /** How many live rows may be inserted one after another from now (rate limiter; see SampleToInsertRatio). */
    @Override
    public long insertHeadroom() {
        lock.lock();
        try {
            return limiter.insertHeadroom(totalSize());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code timeoutNanos} until live ingest may insert; returns whether it may.
     * Returns early when the buffer is closed or the thread interrupted (flag kept).
     */
    @Override
    public boolean awaitInsertAllowed(long timeoutNanos) {
        lock.lock();
        try {
            long remaining = timeoutNanos;
            while (!limiter.canInsert(totalSize()) && !closed) {
                if (remaining <= 0) {
                    return false;
                }
                insertersWaiting++;
                try {
                    remaining = insertable.awaitNanos(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                } finally {
                    insertersWaiting--;
                }
            }
            return limiter.canInsert(totalSize());
        } finally {
            lock.unlock();
        }
    }

    /** Records that live ingest was paused by the limiter for {@code nanos}. */
    @Override
    public void insertWaited(long nanos) {
        metrics.insertWaited(nanos);
    }

    private void evict(ReplayTable table, int slot) {
        Episode ep = episodes.get(table.episodeOf(slot));
        ep.rows.remove(table.stepOf(slot));
        if (ep.weight == 0) {
            table.ineligible--;
        }
        if (prioritized) {
            table.tree.set(slot, 0);
        }
        if (ep.rows.size() == 0) {
            episodes.release(ep);
        }
        metrics.evicted(table.index);
    }

    /** Recomputes an episode's weight; when its rows' sampleability flips, updates every row. */
    private void rescore(Episode ep) {
        float w;
        if (ep.stats.ended()) {
            EpisodeScorer.Score score = scorer.score(ep.stats);
            w = score.weight();
            if (!ep.scored) {
                ep.scored = true;
                metrics.scored(score);
            }
        } else {
            w = scorer.pendingWeight();
        }
        setWeight(ep, w);
    }

    private void setWeight(Episode ep, float w) {
        boolean was = ep.weight > 0;
        boolean now = w > 0;
        episodes.setWeight(ep, w);
        if (was != now) {
            ep.rows.forEachRow(ref -> {
                ReplayTable table = tables[ref >>> Episode.SLOT_BITS];
                int slot = ref & Episode.SLOT_MASK;
                table.ineligible += now ? -1 : 1;
                if (prioritized) {
                    table.tree.set(slot, now ? table.priority[slot] : 0);
                }
            });
            if (now && samplersWaiting > 0) {
                sampleable.signalAll();
            }
        }
    }

    // ---------------------------------------------------------------- sampling (trainer side)

    /**
     * Fills {@code into} with a mixed batch, waiting up to tendon.replay.rate-limit.sample-timeout-ms
     * for the rate limiter and for sampleable rows. Returns false on timeout, close or interrupt.
     */
    public boolean sample(Batch into, SplittableRandom rng) {
        return sample(into, rng, sampleTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** As {@link #sample(Batch, SplittableRandom)} with an explicit wait limit (0: do not wait). */
    public boolean sample(Batch into, SplittableRandom rng, long timeout, TimeUnit unit) {
        checkShape(into);
        int n = into.capacity;
        limiter.checkBatch(n);
        lock.lock();
        try {
            long remaining = unit.toNanos(timeout);
            long waitStart = 0;
            while (!closed && !(limiter.canSample(n, totalSize()) && plan(n, false, rng))) {
                if (remaining <= 0) {
                    if (waitStart != 0) {
                        metrics.sampleWaited(System.nanoTime() - waitStart);
                        metrics.sampleTimedOut();
                    }
                    into.size = 0;
                    return false;
                }
                if (waitStart == 0) {
                    waitStart = System.nanoTime();
                }
                samplersWaiting++;
                try {
                    remaining = sampleable.awaitNanos(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    into.size = 0;
                    return false;
                } finally {
                    samplersWaiting--;
                }
            }
            if (closed) {
                into.size = 0;
                return false;
            }
            if (waitStart != 0) {
                metrics.sampleWaited(System.nanoTime() - waitStart);
            }
            fill(into, rng);
            limiter.sampled(n);
            mixedSamples += n;
            trainingSamples += n;
            metrics.sampled(n, true);
            if (insertersWaiting > 0) {
                insertable.signalAll();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** A mixed batch only if one can be had right now; never waits. */
    public boolean trySample(Batch into, SplittableRandom rng) {
        return sample(into, rng, 0, TimeUnit.NANOSECONDS);
    }

    /**
     * Fills {@code into} from DEMO and INTERVENTION rows only (BC warm-up, offline critic), in
     * the proportion of their mix weights (by their sizes when both weights are 0). Neither
     * waits for nor counts against the rate limiter. Returns false when neither table has a
     * sampleable row.
     */
    public boolean sampleDemonstrations(Batch into, SplittableRandom rng) {
        return sampleDemonstrations(into, rng, false);
    }

    /**
     * As {@link #sampleDemonstrations(Batch, SplittableRandom)}; {@code limited}: also only when
     * the rate limiter allows a batch now, and counted against it (BC warm-up: at most
     * samples-per-insert samples per row inserted, so a few demonstrations are not trained on
     * thousands of times before more arrive).
     */
    public boolean sampleDemonstrations(Batch into, SplittableRandom rng, boolean limited) {
        checkShape(into);
        lock.lock();
        try {
            int n = into.capacity;
            if (closed || (limited && !limiter.canSample(n, totalSize())) || !plan(n, true, rng)) {
                into.size = 0;
                return false;
            }
            fill(into, rng);
            if (limited) {
                limiter.sampled(n);
                trainingSamples += n;
            }
            metrics.sampled(n, false);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Why a batch of {@code n} rows cannot be sampled now ("" when it can), as "label: detail":
     * mixed batches ({@code mixed}) or demonstrations.
     */
    public String whyNoSample(boolean mixed, int n) {
        lock.lock();
        try {
            long size = totalSize();
            if (closed) {
                return "closed: the replay is closed";
            }
            int held = mixed ? tables[0].size + tables[1].size + tables[2].size : tables[0].size + tables[1].size;
            int eligible = mixed ? tables[0].eligible() + tables[1].eligible() + tables[2].eligible()
                    : tables[0].eligible() + tables[1].eligible();
            if (held == 0) {
                return mixed ? "empty: no transitions yet" : "no demonstrations: the DEMO and INTERVENTION tables are empty";
            }
            if (eligible == 0) {
                return "quality: all " + held + " rows belong to episodes whose quality weight is 0 (tendon.quality.*)";
            }
            if (size < limiter.minSizeToSample()) {
                return "minimum size: the replay holds " + size + " rows, sampling starts at "
                        + limiter.minSizeToSample() + " (tendon.replay.rate-limit.min-size-to-sample)";
            }
            if (!limiter.canSample(n, size)) {
                return String.format(java.util.Locale.ROOT, "rate limiter: the trainer is ahead of the data (%.0f sampled"
                        + " rows per inserted row allowed, tendon.replay.rate-limit.samples-per-insert)",
                        limiter.samplesPerInsert());
            }
            return "";
        } finally {
            lock.unlock();
        }
    }

    /**
     * Calls {@code each} with consecutive batches holding every sampleable row of {@code source}
     * (the last batch may be partial), under the lock: for statistics over a whole table.
     */
    public void scan(Source source, Batch into, java.util.function.Consumer<Batch> each) {
        checkShape(into);
        lock.lock();
        try {
            ReplayTable table = tables[source.getNumber() - 1];
            int row = 0;
            for (int slot = 0; slot < table.size; slot++) {
                if (episodes.weight[table.episodeOf(slot)] <= 0) {
                    continue;
                }
                table.copyTo(slot, into, row++);
                if (row == into.capacity) {
                    into.size = row;
                    each.accept(into);
                    row = 0;
                }
            }
            if (row > 0) {
                into.size = row;
                each.accept(into);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sets new priorities from the TD errors of a sampled batch: priority of row i becomes
     * {@code (|tdErrors[i]| + epsilon)^alpha}. Rows evicted since sampling are skipped; NaN
     * errors are ignored. No effect with uniform sampling.
     */
    public void updatePriorities(Batch batch, float[] tdErrors) {
        updatePriorities(batch.slot, tdErrors, batch.size);
    }

    /** As {@link #updatePriorities(Batch, float[])} for the first {@code n} of {@code slots} (Batch.slot values). */
    public void updatePriorities(long[] slots, float[] tdErrors, int n) {
        if (!prioritized) {
            return;
        }
        lock.lock();
        try {
            for (int i = 0; i < n; i++) {
                int t = (int) (slots[i] >>> 56);
                long seq = slots[i] & SEQ_MASK;
                float td = tdErrors[i];
                if (t >= TABLES || !Float.isFinite(td)) {
                    continue;
                }
                ReplayTable table = tables[t];
                if (seq >= table.inserted || seq < table.inserted - table.size) {
                    metrics.staleUpdate();
                    continue;
                }
                int slot = (int) (seq % table.capacity);
                double mass = Math.pow(Math.abs(td) + epsilon, alpha);
                table.priority[slot] = mass;
                maxPriorityMass = Math.max(maxPriorityMass, mass);
                if (episodes.weight[table.episodeOf(slot)] > 0) {
                    table.tree.set(slot, mass);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Plans the batch over all tables, or over DEMO and INTERVENTION only. */
    private boolean plan(int n, boolean demonstrationsOnly, SplittableRandom rng) {
        for (int t = 0; t < TABLES; t++) {
            sampleableRows[t] = tables[t].eligible();
        }
        return mixPlan.plan(n, demonstrationsOnly ? 2 : TABLES, sampleableRows, demonstrationsOnly, rng);
    }

    private void fill(Batch b, SplittableRandom rng) {
        int row = 0;
        double maxIs = 0;
        int[] counts = mixPlan.counts;
        for (int t = 0; t < TABLES; t++) {
            ReplayTable table = tables[t];
            for (int k = 0; k < counts[t]; k++, row++) {
                int slot;
                double is = 1;
                if (prioritized) {
                    double total = table.tree.total();
                    slot = table.tree.find(rng.nextDouble() * total);
                    double p = table.tree.get(slot) / total;
                    is = Math.pow(table.eligible() * p, -beta);
                    maxIs = Math.max(maxIs, is);
                } else {
                    slot = pickUniform(table, rng);
                }
                table.copyTo(slot, b, row);
                b.weight[row] = (float) (episodes.weight[table.episodeOf(slot)] * is);
                b.slot[row] = (long) t << 56 | table.seqOf(slot);
            }
        }
        if (prioritized && maxIs > 0) {
            for (int i = 0; i < row; i++) {
                b.weight[i] = (float) (b.weight[i] / maxIs);
            }
        }
        b.size = row;
    }

    /** A uniformly drawn sampleable slot; rejection sampling over rows of weight 0. */
    private int pickUniform(ReplayTable table, SplittableRandom rng) {
        int size = table.size;
        if (table.ineligible == 0) {
            return rng.nextInt(size);
        }
        float[] w = episodes.weight;
        for (int tries = 0; tries < 4096; tries++) {
            int slot = rng.nextInt(size);
            if (w[table.episodeOf(slot)] > 0) {
                return slot;
            }
        }
        // Almost every row filtered out: take the k-th sampleable row, k uniform (exact, O(size)).
        int k = rng.nextInt(table.eligible());
        for (int slot = 0; ; slot++) {
            if (w[table.episodeOf(slot)] > 0 && k-- == 0) {
                return slot;
            }
        }
    }

    private void checkShape(Batch b) {
        if (b.stateDim != layout.latentDim() + layout.proprioDim() + layout.wrenchDim()
                || b.horizon != layout.horizon() || b.actionDim != layout.actionDim() || b.baseSamples != baseSamples) {
            throw new IllegalArgumentException("batch shape does not match the layout; use newBatch(rows)");
        }
    }

    // ---------------------------------------------------------------- state

    /** Rows held by the table of {@code source}. */
    public int size(Source source) {
        lock.lock();
        try {
            return tables[source.getNumber() - 1].size;
        } finally {
            lock.unlock();
        }
    }

    /** Rows of {@code source} that can be sampled (their episode's weight is above 0). */
    public int sampleable(Source source) {
        lock.lock();
        try {
            return tables[source.getNumber() - 1].eligible();
        } finally {
            lock.unlock();
        }
    }

    public int capacity(Source source) {
        return tables[source.getNumber() - 1].capacity;
    }

    /** Rows held by all tables. */
    public long totalSize() {
        lock.lock();
        try {
            return (long) tables[0].size + tables[1].size + tables[2].size;
        } finally {
            lock.unlock();
        }
    }

    /** Quality weight of a held episode's rows, or NaN when the episode is not held. */
    public float episodeWeight(String robotId, String episodeId) {
        lock.lock();
        try {
            Episode ep = episodes.find(EpisodeKey.of(robotId, episodeId));
            return ep == null ? Float.NaN : ep.weight;
        } finally {
            lock.unlock();
        }
    }

    /** Whether (robot, episode, step) is held. */
    public boolean contains(String robotId, String episodeId, long step) {
        lock.lock();
        try {
            Episode ep = episodes.find(EpisodeKey.of(robotId, episodeId));
            return ep != null && ep.rows.contains(step);
        } finally {
            lock.unlock();
        }
    }

    /** Episodes with rows in replay. */
    public int episodeCount() {
        lock.lock();
        try {
            return episodes.count();
        } finally {
            lock.unlock();
        }
    }

    /** Rows sampled in mixed batches per row inserted, since start (restored with a checkpoint). */
    public double sampleInsertRatio() {
        lock.lock();
        try {
            return insertsTotal == 0 ? 0 : (double) mixedSamples / insertsTotal;
        } finally {
            lock.unlock();
        }
    }

    /** Rows inserted since start (live and bulk, restored with a checkpoint). */
    public long insertsTotal() {
        lock.lock();
        try {
            return insertsTotal;
        } finally {
            lock.unlock();
        }
    }

    /** Rows sampled for training since start: mixed batches and rate-limited demonstration batches. */
    public long trainingSamples() {
        lock.lock();
        try {
            return trainingSamples;
        } finally {
            lock.unlock();
        }
    }

    double limiterDiff() {
        lock.lock();
        try {
            return limiter.diff();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of preallocated row storage, all tables. */
    public long memoryBytes() {
        long b = 0;
        for (ReplayTable t : tables) {
            b += t.bytesPerRow() * t.capacity;
        }
        return b;
    }

    /** Bytes of row storage per transition for a full table (what one row costs in memory). */
    public long bytesPerTransition() {
        return tables[2].bytesPerRow();
    }

    /** Wakes every waiting sampler and inserter; later sample calls return false. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            sampleable.signalAll();
            insertable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Forgets every row and episode and resets the limiter (a failed restore). */
    public void clear() {
        writer.lock();
        lock.lock();
        try {
            for (ReplayTable t : tables) {
                t.clear();
            }
            episodes.clear();
            limiter.clear();
            maxPriorityMass = 1.0;
            mixedSamples = 0;
            insertsTotal = 0;
            trainingSamples = 0;
        } finally {
            lock.unlock();
            writer.unlock();
        }
    }

    // ---------------------------------------------------------------- checkpoints

    /**
     * Writes every row, episode and counter (see {@link ReplaySnapshot} for the format). Blocks
     * inserts while it writes; sampling goes on.
     */
    public void writeSnapshot(OutputStream out) throws IOException {
        ReplaySnapshot.write(this, out);
    }

    /**
     * Replaces the contents with a snapshot. The stream is read twice (the opener is called
     * twice): first to verify its checksum, then to load, so a damaged snapshot changes nothing.
     *
     * @throws IOException when the snapshot is damaged or was written for another layout
     */
    public void restoreSnapshot(ReplaySnapshot.Opener opener) throws IOException {
        ReplaySnapshot.verify(opener);
        writer.lock();
        try {
            clear();
            try (InputStream in = opener.open()) {
                ReplaySnapshot.read(this, in);
            } catch (IOException | RuntimeException e) {
                clear();
                throw e;
            }
        } finally {
            writer.unlock();
        }
    }

    LayoutConfig layout() {
        return layout;
    }

    boolean prioritized() {
        return prioritized;
    }

    ReentrantLock lock() {
        return lock;
    }

    /** Evicts the oldest row of a full table before a restored row goes in. */
    void evictForRestore(ReplayTable table) {
        if (table.full()) {
            evict(table, table.nextSlot());
        }
    }

    void setEpisodeWeightForRestore(Episode ep, float w) {
        setWeight(ep, w);
    }
}
