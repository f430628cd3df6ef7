package io.tendon.edge.policy;

import io.tendon.edge.control.LatestValue;

import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.PolicyMode;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * A loaded policy bundle ready to act: its graphs bound in ONNX Runtime, the mode's step
 * (chunk, two-rate or flow) with residual composition, the scheduler that turns predictions
 * into plans, and the {@link ChunkExecutor} the control loop reads targets from.
 *
 * <p>{@link #step} is called by one thread (the policy thread) once per policy tick and
 * allocates nothing on the Java heap. A step's result reaches the control loop only when it is
 * finite and on time: a step that finishes after its deadline ({@code max(1, latency_steps)}
 * policy periods after its tick) is discarded and counted as a miss, and a step with a NaN or
 * infinite action is refused and counted; either way the control loop stays on the plan it has.
 * Actions outside the bundle's bounds are clamped and counted.
 */
public final class PolicyRuntime implements AutoCloseable {

    /** Optional settings of a runtime; the defaults come from the bundle. */
    public static final class Options {
        NoiseSource noise;
        long noiseSeed = ThreadLocalRandom.current().nextLong();
        Double ensembleDecay;
        Double policyHz;
        LongSupplier clock = System::nanoTime;
        ChunkExecutor executor;
        LatestValue<ChunkRecord> proposals;
        ObservationHistory history;
        PolicyInstruments instruments;
        Map<GraphRole, PolicyGraphSource> graphs = Map.of();
        Long version;

        /** Where initial noise comes from (default: Gaussian, seeded by {@link #noiseSeed}). */
        public Options noise(NoiseSource source) {
            this.noise = source;
            return this;
        }

        public Options noiseSeed(long seed) {
            this.noiseSeed = seed;
            return this;
        }

        /** Overrides the manifest's temporal ensembling decay (per policy step, >= 0). */
        public Options ensembleDecay(double decay) {
            this.ensembleDecay = decay;
            return this;
        }

        /** Overrides the manifest's policy rate (Hz, in (0, control_hz]). */
        public Options policyHz(double hz) {
            this.policyHz = hz;
            return this;
        }

        /** The control loop's clock (nanoseconds): the wall clock, or a simulated one. */
        public Options clock(LongSupplier clock) {
            this.clock = clock;
            return this;
        }

        /** Publish into this executor (e.g. one the control loop already holds) instead of a new one. */
        public Options executor(ChunkExecutor executor) {
            this.executor = executor;
            return this;
        }

        /** Publish proposals here (a buffer the transition recorder already reads) instead of a new one. */
        public Options proposals(LatestValue<ChunkRecord> buffer) {
            this.proposals = buffer;
            return this;
        }

        /** Record every published step's observation and proposal here (for shadow checks of updates). */
        public Options history(ObservationHistory into) {
            this.history = into;
            return this;
        }

        /** Record counters and latencies here (kept across policy updates) instead of in new ones. */
        public Options instruments(PolicyInstruments into) {
            this.instruments = into;
            return this;
        }

        /** Graphs that replace the bundle's, or fill those that arrive by update, by role. */
        public Options graphs(Map<GraphRole, PolicyGraphSource> replacements) {
            this.graphs = Map.copyOf(replacements);
            return this;
        }

        /** The policy version the runtime's plans and proposals carry (default: the bundle's). */
        public Options version(long policyVersion) {
            this.version = policyVersion;
            return this;
        }
    }

    private final PolicyBundle bundle;
    private final SessionFactory sessions;
    private final PolicyGraphs graphs;
    private final ModeStep mode;
    private final ChunkScheduler scheduler;
    private final ChunkExecutor executor;
    private final Prediction prediction;
    private final Prediction shadowPrediction;
    private final PolicyInstruments instruments;
    private final PolicyStats stats;
    private final LatestValue<ChunkRecord> proposals;
    private final ObservationHistory history;
    private final long version;
    private volatile LongSupplier clock;
    private final long periodNanos;
    private final long deadlineNanos;
    private final double controlHz;
    private final double decay;
    private final int actionDim;
    private final Map<String, LatencyStats> latencies;
    private final LatencyStats inferenceLatency;
    private final LatencyStats stepLatency;
    private volatile RuntimeException lastFailure;

    private PolicyRuntime(PolicyBundle bundle, OrtSettings settings, Options options) {
        this.bundle = bundle;
        this.controlHz = bundle.controlHz();
        double policyHz = options.policyHz != null ? options.policyHz : bundle.policyHz();
        if (!(policyHz > 0 && policyHz <= controlHz)) {
            throw new PolicyBundleException("policy rate " + policyHz + " Hz must be in (0, control_hz = " + controlHz
                    + "] for bundle " + bundle.policyId());
        }
        this.decay = options.ensembleDecay != null ? options.ensembleDecay : bundle.ensembleDecay;
        if (!(decay >= 0 && decay <= 100)) {
            throw new IllegalArgumentException("ensemble decay must be in [0, 100], was " + decay);
        }
        this.periodNanos = Math.round(1e9 / policyHz);
        this.deadlineNanos = Math.max(1, bundle.latencySteps) * periodNanos;
        this.clock = options.clock;
        this.actionDim = bundle.actionDim;
        this.version = options.version != null ? options.version : bundle.version();
        this.history = options.history;
        this.instruments = options.instruments != null ? options.instruments : new PolicyInstruments();
        this.stats = instruments.stats;
        this.inferenceLatency = instruments.inference;
        this.stepLatency = instruments.step;
        this.sessions = new SessionFactory(settings);
        this.graphs = new PolicyGraphs(bundle, sessions, options.graphs, instruments);
        try {
            NoiseSource noise = options.noise != null ? options.noise : new GaussianNoise(options.noiseSeed);
            ResidualComposer residual = new ResidualComposer(graphs.residual, bundle.residualScale());
            int h = bundle.chunkLength;
            if (bundle.mode == PolicyMode.CHUNK) {
                mode = new ChunkMode(graphs, residual, noise);
            } else if (bundle.mode == PolicyMode.FLOW) {
                mode = new FlowMode(graphs, residual, FlowMode.sampler(graphs, noise));
            } else {
                mode = new TwoRateMode(graphs, residual, noise);
            }
            // A plan holds the committed rows during the latency, the executed horizon and one end point.
            int planRows = bundle.latencySteps + bundle.execHorizon + 1;
            this.executor = options.executor != null ? options.executor : new ChunkExecutor(planRows);
            int capacity = executor.publisher().beginWrite().capacity;
            if (capacity < planRows) {
                throw new IllegalArgumentException("the executor holds plans of " + capacity + " rows, this bundle needs "
                        + planRows);
            }
            int chunks = bundle.mode == PolicyMode.TWO_RATE ? 2 : (h + bundle.execHorizon - 1) / bundle.execHorizon + 1;
            this.scheduler = new ChunkScheduler(new TemporalEnsembler(chunks, h, decay),
                    executor.publisher(), h + planRows + 2, bundle.actionSpace.scalarStiffness, periodNanos);
            this.prediction = new Prediction(h * actionDim);
            this.shadowPrediction = new Prediction(h * actionDim);
            int rows = bundle.mode == PolicyMode.TWO_RATE ? 1 : h;
            this.proposals = options.proposals != null ? options.proposals
                    : new LatestValue<>(() -> new ChunkRecord(bundle.latentDim, rows, actionDim));
            Map<String, LatencyStats> map = new LinkedHashMap<>();
            for (BoundGraph g : graphs.all()) {
                map.put(g.name, g.latency);
            }
            this.latencies = Collections.unmodifiableMap(map);
        } catch (RuntimeException e) {
            graphs.close();
            throw e;
        }
    }

    /** True when the bundle's mode cannot run without graph {@code role} (a CHUNK head, a FLOW step graph). */
    public static boolean required(PolicyBundle bundle, GraphRole role) {
        return PolicyGraphs.requiredBy(bundle, role);
    }

    /** Loads the bundle in {@code directory}. */
    public static PolicyRuntime load(Path directory, OrtSettings settings, Options options) {
        return load(PolicyBundle.open(directory), settings, options);
    }

    public static PolicyRuntime load(PolicyBundle bundle, OrtSettings settings, Options options) {
        return new PolicyRuntime(bundle, settings, options == null ? new Options() : options);
    }

    /**
     * Runs policy tick {@code tick}, which began at {@code tickNanos} on the control clock, on
     * observation {@code obs}. Policy thread only; allocation-free.
     */
    public StepOutcome step(long tick, long tickNanos, Observation obs) {
        stats.steps = stats.steps + 1;
        Prediction p = prediction;
        boolean due;
        long started = System.nanoTime();
        try {
            due = mode.compute(tick, obs, p);
        } catch (RuntimeException e) {
            lastFailure = e;
            stats.failures = stats.failures + 1;
            mode.retry(tick);
            return StepOutcome.FAILED;
        }
        if (!due) {
            return StepOutcome.IDLE;
        }
        inferenceLatency.record(System.nanoTime() - started);
        int length = p.rows * actionDim;
        if (!ActionSpace.allFinite(p.actions, 0, length)) {
            stats.nonFinite = stats.nonFinite + 1;
            mode.retry(tick);
            return StepOutcome.NON_FINITE;
        }
        int clamped = bundle.actionSpace.clamp(p.actions, 0, p.rows);
        if (clamped > 0) {
            stats.clampedComponents = stats.clampedComponents + clamped;
        }
        long now = clock.getAsLong();
        double delay = (now - tickNanos) * controlHz / 1e9;
        stats.recordDelay(delay);
        if (now - tickNanos > deadlineNanos) {
            stats.misses = stats.misses + 1;
            mode.retry(tick);
            return StepOutcome.LATE;
        }
        // Rows before commitFrom (dropped for latency) are never executed: only the rest is kept.
        int skip = (int) (p.commitFrom - p.firstTick);
        scheduler.accept(p.commitFrom, p.actions, skip * actionDim, p.rows - skip, actionDim);
        scheduler.commit(p.commitFrom, p.commitTo);
        scheduler.publish(p.planFrom, p.planTo, tick, tickNanos, now, version);
        stats.published = stats.published + 1;
        recordProposal(p, obs, delay);
        if (history != null) {
            history.record(obs, p.actions, p.rows * actionDim, p.rows);
        }
        stepLatency.record(System.nanoTime() - started);
        return StepOutcome.PUBLISHED;
    }

    private void recordProposal(Prediction p, Observation obs, double delay) {
        ChunkRecord r = proposals.beginWrite();
        System.arraycopy(graphs.latent, 0, r.latent, 0, r.latent.length);
        System.arraycopy(p.actions, 0, r.actions, 0, p.rows * actionDim);
        r.rows = p.rows;
        r.firstTick = p.firstTick;
        r.observationNanos = obs.stampNanos;
        r.observationSequence = obs.sequence;
        r.policyVersion = version;
        r.inferenceDelayControlSteps = delay;
        proposals.publish();
    }

    /**
     * From now on, steps read the control loop's time from {@code clock} (for example a
     * simulated clock that stands still while the policy infers). Call before stepping from
     * another thread, not while a step runs.
     */
    public void useClock(LongSupplier clock) {
        this.clock = clock;
    }

    /**
     * What this policy would act on {@code obs} at policy tick {@code tick}, without acting: its
     * raw actions (denormalised, with the residual, not clamped to the bounds) into {@code out}
     * ({@code H x A}, or one row for two-rate), returning the rows. Feed a history in order (a
     * two-rate policy builds its windows from it). For checking a policy update against recent observations
     * before it runs; not on the policy thread of a runtime that steps (it uses its own graphs'
     * bound tensors). Returns -1 when the graphs fail.
     */
    public int shadow(long tick, Observation obs, float[] out) {
        Prediction p = shadowPrediction;
        try {
            mode.shadow(tick, obs, p);
        } catch (RuntimeException e) {
            lastFailure = e;
            return -1;
        }
        System.arraycopy(p.actions, 0, out, 0, p.rows * actionDim);
        return p.rows;
    }

    /** The version this runtime's plans and proposals carry. */
    public long version() {
        return version;
    }

    /** Its counters and latencies (shared with the runtimes of later policy updates). */
    public PolicyInstruments instruments() {
        return instruments;
    }

    /** Forgets per-episode state: ensembled chunks, the committed timeline, two-rate caches. */
    public void reset() {
        mode.reset();
        scheduler.reset();
    }

    /** An observation sized for this bundle. */
    public Observation newObservation() {
        return new Observation(bundle.featureDim, bundle.stateDim);
    }

    /** A hand-over buffer of observations sized for this bundle. */
    public ObservationBuffer newObservationBuffer() {
        return new ObservationBuffer(bundle.featureDim, bundle.stateDim);
    }

    /** The control loop's target source: interpolates the published plans at every control tick. */
    public ChunkExecutor executor() {
        return executor;
    }

    /** What the policy proposed at each published step, for transitions (reader: one thread). */
    public LatestValue<ChunkRecord> proposals() {
        return proposals;
    }

    public PolicyBundle bundle() {
        return bundle;
    }

    public PolicyStats stats() {
        return stats;
    }

    /** Per graph ("head", "step", ...), its run latencies. */
    public Map<String, LatencyStats> graphLatencies() {
        return latencies;
    }

    /**
     * Inference of each step that produced a prediction: observation normalised, every graph of
     * the mode run through its binding (the sampler's loop included), actions read out,
     * denormalised and composed with the residual.
     */
    public LatencyStats inferenceLatency() {
        return inferenceLatency;
    }

    /** Whole published steps: inference, checks, ensembling and the plan handed to the executor. */
    public LatencyStats stepLatency() {
        return stepLatency;
    }

    /** One policy tick, nanoseconds. */
    public long periodNanos() {
        return periodNanos;
    }

    /** How long after its tick a step's result may still be published, nanoseconds. */
    public long deadlineNanos() {
        return deadlineNanos;
    }

    public double ensembleDecay() {
        return decay;
    }

    /** The execution provider the graphs run on (CPU when CUDA was asked for but is not available). */
    public ExecutionProvider provider() {
        return sessions.effectiveProvider();
    }

    /** Why CUDA was not used although configured, or null. */
    public String providerFallbackReason() {
        return sessions.fallbackReason();
    }

    /** The last failure's message, or "unknown". */
    public String lastFailureMessage() {
        RuntimeException e = lastFailure;
        return e == null ? "unknown" : e.getMessage();
    }

    /** The last ONNX Runtime failure of a step, or null. */
    public RuntimeException lastFailure() {
        return lastFailure;
    }

    /** TWO_RATE: slow-graph runs so far (tests, diagnostics); 0 in other modes. */
    public long slowRuns() {
        return mode instanceof TwoRateMode ? ((TwoRateMode) mode).slowRuns() : 0;
    }

    /** The loaded graph with {@code name} ("head", "step", ...), for measuring it directly. */
    public BoundGraph graph(String name) {
        for (BoundGraph g : graphs.all()) {
            if (g.name.equals(name)) {
                return g;
            }
        }
        throw new IllegalArgumentException("bundle " + bundle.policyId() + " has no graph " + name);
    }

    void recordRate(double hz) {
        stats.achievedRateHz = hz;
    }

    void countStale() {
        stats.staleObservations = stats.staleObservations + 1;
    }

    @Override
    public void close() {
        graphs.close();
    }
}
