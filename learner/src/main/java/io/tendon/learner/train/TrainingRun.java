package io.tendon.learner.train;

import io.tendon.learner.algo.AdvantageWeights;
import io.tendon.learner.algo.AloeCritic;
import io.tendon.learner.algo.BatchTensors;
import io.tendon.learner.algo.BcWarmup;
import io.tendon.learner.algo.BoraResidual;
import io.tendon.learner.algo.ChunkTargets;
import io.tendon.learner.algo.Cql;
import io.tendon.learner.algo.CriticEnsemble;
import io.tendon.learner.algo.CurrentPolicy;
import io.tendon.learner.algo.IqlCritic;
import io.tendon.learner.algo.Units;
import io.tendon.learner.checkpoint.AtomicFile;
import io.tendon.learner.checkpoint.CheckpointStore;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.config.Stage;
import io.tendon.learner.export.ExportMetadata;
import io.tendon.learner.export.ExportRefusedException;
import io.tendon.learner.export.ExportVerifier;
import io.tendon.learner.export.GraphSignature;
import io.tendon.learner.export.OnnxMlpWriter;
import io.tendon.learner.export.VerifiedExport;
import io.tendon.learner.nn.Tensors;
import io.tendon.learner.nn.TorchArchives;
import io.tendon.learner.policy.BasePolicy;
import io.tendon.learner.policy.OnnxHeadPolicy;
import io.tendon.learner.policy.OrtGraph;
import io.tendon.learner.policy.PolicyBundle;
import io.tendon.learner.policy.StateLayout;
import io.tendon.learner.replay.Batch;
import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.Provenance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Everything one training run owns: the networks and their optimisers, the frozen base policy,
 * the counters and the stage; one method per kind of gradient step, evaluation for
 * diagnostics, export, and checkpoint parts. Thread-safe through one lock (a step, an
 * evaluation and a checkpoint snapshot never interleave). No scheduling, Kafka or CDI here.
 */
public final class TrainingRun implements AutoCloseable {

    public static final String NET_CRITIC = "critic";
    public static final String NET_VALUE = "value";
    public static final String NET_RESIDUAL = "residual";
    public static final String NET_BC = "bc";

    private final ReentrantLock lock = new ReentrantLock();
    private final StateLayout layout;
    private final int horizon;
    private final int actionDim;
    private final int chunkSize;
    private final int batchSize;
    private final Device device;
    private final Optional<PolicyBundle> bundle;
    private final List<Stage> stages;
    private final CriticEnsemble critic;
    private final IqlCritic iql;
    private final AloeCritic aloe;
    private final BoraResidual residual;
    private final BcWarmup bc;
    private final CurrentPolicy policy;
    private final AdvantageWeights advantage;
    private final BatchTensors tensors;
    private final Cql cql;
    private final boolean headAdvantageWeighted;
    /** The manifest's per-row action bounds (raw units), if it declares them. */
    private final Optional<float[][]> rawBounds;
    /** Prioritised replay: critic steps report each row's TD error (tendon.replay.priority.enabled). */
    private final boolean prioritised;
    /** The last critic step's TD error per row, when prioritised. */
    private final float[] tdErrors;
    private final int policyThreads;
    /** M, base chunks per transition at s and at s' sent by the robots (0: the learner runs the base). */
    private final int baseSamples;
    private final int maxPolicyRows;
    private final SplittableRandom random;
    private final long seed;

    private final Map<String, Long> steps = new TreeMap<>();
    private final Map<String, Double> losses = new TreeMap<>();
    private int stageIndex;
    private long stageSteps;
    private long publishedVersion;
    /** Bytes of the head exported after BC warm-up, when it became the base (checkpointed). */
    private byte[] trainedBase;
    private Batch lastBatch;
    /** The units every network trains in: identity until frozen from the demonstrations (or a checkpoint). */
    private Units units;
    private boolean unitsFrozen;

    public TrainingRun(LearnerConfig config, Device device, Optional<PolicyBundle> bundle) throws IOException {
        var l = config.layout();
        this.layout = new StateLayout(l.latentDim(), l.proprioDim(), l.wrenchDim());
        this.horizon = l.horizon();
        this.actionDim = l.actionDim();
        this.chunkSize = horizon * actionDim;
        this.batchSize = config.train().batchSize();
        this.device = device;
        this.bundle = bundle;
        this.stages = List.copyOf(config.train().stages());
        this.seed = config.train().seed();
        this.random = new SplittableRandom(seed);
        int s = layout.stateDim();
        var c = config.critic();
        critic = new CriticEnsemble(s, chunkSize, c.perStepHeads() ? horizon : 1, c.hidden(), c.layerNorm(),
                c.ensembleSize(), c.batched(), device, ScalarType.Float, seed + 1, c.learningRate(), c.weightDecay(),
                c.gradClip());
        ChunkTargets targets = new ChunkTargets(horizon, c.gamma(), c.perStepHeads(), device, ScalarType.Float);
        var q = config.cql();
        rawBounds = bundle.flatMap(b -> b.actionBounds(actionDim));
        // Until the units are known, uniform CQL samples span the configured range (training units).
        float[] lo = new float[actionDim];
        float[] hi = new float[actionDim];
        Arrays.fill(lo, (float) q.uniformLow());
        Arrays.fill(hi, (float) q.uniformHigh());
        cql = new Cql(q.alpha(), q.policySamples(), q.uniformSamples(), lo, hi, horizon, device, ScalarType.Float);
        var v = config.value();
        iql = new IqlCritic(critic, targets, v.hidden(), v.layerNorm(), v.expectile(), v.learningRate(), v.gradClip(),
                c.polyakTau(), cql, device, ScalarType.Float, seed + 2);
        aloe = new AloeCritic(critic, targets, c.targetSubset(), c.polyakTau(), cql);
        var r = config.residual();
        residual = new BoraResidual(s, horizon, actionDim, r.hidden(), r.layerNorm(), device, ScalarType.Float, seed + 3,
                r.learningRate(), r.gradClip(), r.lambda(), r.lambdaRampSteps(), r.margin(), r.bcWeight(),
                r.referenceDropout(), batchSize);
        var a = config.advantage();
        advantage = new AdvantageWeights(a.valueSamples(), AdvantageWeights.Mode.valueOf(a.mode().name()), a.beta(),
                a.maxWeight());
        var b = config.bc();
        bc = new BcWarmup(s, horizon, actionDim, b.hidden(), b.layerNorm(), device, ScalarType.Float, seed + 4,
                b.learningRate(), b.gradClip());
        headAdvantageWeighted = b.advantageWeighted();
        prioritised = config.replay().priority().enabled();
        tdErrors = new float[batchSize];
        policyThreads = config.policy().threads();
        // The base runs on a batch times the most samples asked for at once, or on the export probe.
        maxPolicyRows = Math.max(batchSize * Math.max(1, Math.max(a.valueSamples(), q.policySamples())),
                config.export().probeRows());
        // The base: the chunks the robots send with each transition when the manifest declares
        // them (any mode: FLOW, TWO_RATE, CHUNK), else the bundle's CHUNK head run here.
        baseSamples = bundle.map(PolicyBundle::baseSamples).orElse(0);
        BasePolicy base = null;
        if (baseSamples == 0 && bundle.isPresent() && bundle.get().hasRunnableHead()) {
            base = new OnnxHeadPolicy(new OrtGraph(bundle.get().headBytes(), "bundle head", policyThreads, maxPolicyRows),
                    layout, chunkSize);
        }
        policy = new CurrentPolicy(base, residual, config.policy().sampleNoiseStd(), s, chunkSize, maxPolicyRows);
        if (baseSamples > 0) {
            policy.useBaseSamples(baseSamples);
        }
        tensors = new BatchTensors(batchSize, s, horizon, actionDim, baseSamples, device, ScalarType.Float);
        units = Units.identity(s, horizon, actionDim);
        policy.setUnits(units);
        residual.setClamp(policy::clamp);
        selectPolicy();
        for (String net : List.of(NET_CRITIC, NET_VALUE, NET_RESIDUAL, NET_BC)) {
            steps.put(net, 0L);
        }
    }

    /** A batch shaped for this run (callers keep and reuse it). */
    public Batch newBatch() {
        return new Batch(batchSize, layout.stateDim(), horizon, actionDim, baseSamples);
    }

    public StateLayout layout() {
        return layout;
    }

    public int chunkSize() {
        return chunkSize;
    }

    public int members() {
        return critic.members();
    }

    public boolean hasBase() {
        return policy.hasBase();
    }

    /** The bundle manifest's normalisation, or null without a bundle. */
    public io.tendon.schemas.v1.Normalisation bundleNormalisation() {
        return bundle.map(b -> b.manifest().getNormalisation()).orElse(null);
    }

    // ---- Stage -----------------------------------------------------------------------------

    public Stage stage() {
        lock.lock();
        try {
            return stageIndex < stages.size() ? stages.get(stageIndex) : Stage.DONE;
        } finally {
            lock.unlock();
        }
    }

    public long stageSteps() {
        lock.lock();
        try {
            return stageSteps;
        } finally {
            lock.unlock();
        }
    }

    /** Moves to the next configured stage. */
    public void advanceStage() {
        lock.lock();
        try {
            stageIndex++;
            stageSteps = 0;
            selectPolicy();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The online stages from the current one on: one stage, or ONLINE_HEAD and ONLINE_RESIDUAL
     * together when both are listed (they alternate); empty before the online part.
     */
    public List<Stage> onlineStages() {
        lock.lock();
        try {
            List<Stage> online = new ArrayList<>();
            for (int i = stageIndex; i < stages.size(); i++) {
                if (stages.get(i) == Stage.ONLINE_HEAD || stages.get(i) == Stage.ONLINE_RESIDUAL) {
                    online.add(stages.get(i));
                }
            }
            return stageIndex < stages.size() && online.contains(stages.get(stageIndex)) ? online : List.of();
        } finally {
            lock.unlock();
        }
    }

    /** pi_current of the stage: the head being improved (ALOE), or the frozen base with the residual (BORA). */
    private void selectPolicy() {
        List<Stage> online = new ArrayList<>();
        for (int i = stageIndex; i < stages.size(); i++) {
            online.add(stages.get(i));
        }
        if (stageIndex < stages.size() && online.contains(Stage.ONLINE_HEAD)
                && (stages.get(stageIndex) == Stage.ONLINE_HEAD || stages.get(stageIndex) == Stage.ONLINE_RESIDUAL)) {
            policy.useLiveHead(bc, online.contains(Stage.ONLINE_RESIDUAL));
        } else {
            policy.useGraphBase();
        }
    }

    // ---- Units -------------------------------------------------------------------------------

    public boolean unitsFrozen() {
        lock.lock();
        try {
            return unitsFrozen;
        } finally {
            lock.unlock();
        }
    }

    public Units units() {
        lock.lock();
        try {
            return units;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fixes the units every network trains in from now on (ALGORITHMS.md section 8): batches,
     * the policy's outputs, the action bounds and CQL's uniform range follow. Call once, before
     * the first gradient step (or when restoring a checkpoint).
     */
    public void freezeUnits(Units u) {
        lock.lock();
        try {
            units = u;
            unitsFrozen = true;
            tensors.setUnits(u);
            policy.setUnits(u);
            if (rawBounds.isPresent()) {
                float[][] n = u.normalisedChunkBounds(rawBounds.get()[0], rawBounds.get()[1]);
                policy.setBounds(Tensors.of(n[0], new long[] {1, chunkSize}, device, ScalarType.Float),
                        Tensors.of(n[1], new long[] {1, chunkSize}, device, ScalarType.Float));
                cql.setChunkBounds(n[0], n[1]);
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- Gradient steps ---------------------------------------------------------------------

    /** One BC warm-up step on demonstrations. */
    public void bcStep(Batch batch) {
        lock.lock();
        try (PointerScope scope = new PointerScope()) {
            load(batch);
            BcWarmup.Stats stats = bc.update(tensors, null);
            count(NET_BC);
            losses.put("bc", stats.loss());
            stageSteps++;
        } finally {
            lock.unlock();
        }
    }

    /**
     * One step of ALOE's policy improvement (ONLINE_HEAD): the head re-fitted on a mixed batch,
     * each chunk weighted by {@code min(exp(beta A), w_max)} or {@code 1[A > 0]} with
     * {@code A = min_k Q_k(s, a) - V(s)} from the current critic (V over the head's own chunks),
     * copying the person's steps of interventions and every valid step of the rest.
     */
    public void headStep(Batch batch) {
        lock.lock();
        try (PointerScope scope = new PointerScope()) {
            load(batch);
            Tensor weights = null;
            if (headAdvantageWeighted && steps.get(NET_CRITIC) > 0) {
                Tensor a = advantage.advantage(tensors, policy, critic);
                weights = advantage.weights(a);
                losses.put("head_advantage", a.mean().item_double());
            }
            BcWarmup.Stats stats = bc.update(tensors, weights);
            count(NET_BC);
            losses.put("head", stats.loss());
            losses.put("head_advantage_weight", stats.meanAdvantageWeight());
            stageSteps++;
        } finally {
            lock.unlock();
        }
    }

    /** One IQL step: V by expectile regression, then Q toward r + gamma^H V(s'). */
    public void offlineCriticStep(Batch batch) {
        lock.lock();
        try (PointerScope scope = new PointerScope()) {
            load(batch);
            IqlCritic.Stats stats = iql.update(tensors, policy, prioritised ? tdErrors : null);
            count(NET_CRITIC);
            count(NET_VALUE);
            losses.put("critic", stats.criticLoss());
            losses.put("value", stats.valueLoss());
            losses.put("critic_target", stats.meanTarget());
            stageSteps++;
        } finally {
            lock.unlock();
        }
    }

    /** One ALOE critic step with a' from the current policy (frozen base + residual). */
    public void onlineCriticStep(Batch batch) {
        lock.lock();
        try (PointerScope scope = new PointerScope()) {
            withoutRowsLackingBase(batch);
            load(batch);
            AloeCritic.CriticStats stats = aloe.update(tensors, policy, random, prioritised ? tdErrors : null);
            count(NET_CRITIC);
            losses.put("critic", stats.loss());
            losses.put("critic_target", stats.meanTarget());
        } finally {
            lock.unlock();
        }
    }

    /** One BORA residual step against the frozen critic. */
    public void residualStep(Batch batch) {
        lock.lock();
        try (PointerScope scope = new PointerScope()) {
            withoutRowsLackingBase(batch);
            load(batch);
            Tensor aBase = policy.base(tensors, CurrentPolicy.At.STATE);
            critic.setFrozen(true);
            BoraResidual.Stats stats;
            try {
                stats = residual.update(tensors, aBase, critic, random);
            } finally {
                critic.setFrozen(false);
            }
            count(NET_RESIDUAL);
            if (!onlineStages().contains(Stage.ONLINE_HEAD)) {
                stageSteps++;
            }
            losses.put("residual", stats.loss());
            losses.put("residual_q_gain", stats.qImprovement());
            losses.put("residual_lambda", stats.lambda());
            if (!Double.isNaN(stats.bcLoss())) {
                losses.put("residual_bc", stats.bcLoss());
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether critic steps report TD errors for prioritised replay. */
    public boolean prioritised() {
        return prioritised;
    }

    /**
     * The last critic step's TD error per row ({@code mean_k |Q_k(s, a) - y|} of the chunk value,
     * before the step), rows {@code [0, batch.size)}; zeros unless {@link #prioritised()}.
     */
    public float[] tdErrors() {
        lock.lock();
        try {
            return tdErrors.clone();
        } finally {
            lock.unlock();
        }
    }

    /**
     * With the robots' base chunks, a row that came without them has no a' and no a_base: its
     * weight becomes 0 for this step (online critic, residual).
     */
    private void withoutRowsLackingBase(Batch batch) {
        if (policy.baseSamples() == 0) {
            return;
        }
        for (int r = 0; r < batch.size; r++) {
            if (batch.hasBaseSamples[r] == 0f) {
                batch.weight[r] = 0f;
            }
        }
    }

    private void load(Batch batch) {
        tensors.load(batch);
        lastBatch = batch;
    }

    private void count(String net) {
        steps.merge(net, 1L, Long::sum);
    }

    // ---- Diagnostics -------------------------------------------------------------------------

    /** Q of every member and their min, and V(s), for raw states and chunks (normalised here). */
    public record Evaluation(int members, float[] qMembers, float[] qMin, float[] v) {
    }

    public Evaluation evaluate(float[] states, float[] chunks, int rows) {
        lock.lock();
        return evaluateLocked(states, chunks, rows);
    }

    /**
     * As {@link #evaluate}, but waits at most {@code waitNanos} for the current gradient step to
     * end; null when it did not (the trainer keeps its pace, the caller is told to come back).
     */
    public Evaluation tryEvaluate(float[] states, float[] chunks, int rows, long waitNanos) throws InterruptedException {
        if (!lock.tryLock(waitNanos, java.util.concurrent.TimeUnit.NANOSECONDS)) {
            return null;
        }
        return evaluateLocked(states, chunks, rows);
    }

    /** Runs with the lock held, and releases it. */
    private Evaluation evaluateLocked(float[] states, float[] chunks, int rows) {
        try (PointerScope scope = new PointerScope(); NoGradGuard guard = new NoGradGuard()) {
            float[] sn = new float[rows * layout.stateDim()];
            float[] an = new float[rows * chunkSize];
            units.normaliseStates(states, rows, sn);
            units.normaliseChunks(chunks, rows, an);
            Tensor s = Tensors.of(sn, new long[] {rows, layout.stateDim()}, device, ScalarType.Float);
            Tensor a = Tensors.of(an, new long[] {rows, chunkSize}, device, ScalarType.Float);
            Tensor perMember = CriticEnsemble.chunkValue(critic.q(s, a));
            float[] byMember = Tensors.toArray(perMember.transpose(0, 1).contiguous());
            float[] min = Tensors.toArray(perMember.amin(new long[] {0}, false));
            float[] v = Tensors.toArray(iql.v(s));
            return new Evaluation(critic.members(), byMember, min, v);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The head's chunks for raw state rows, in raw units: the states normalised, the head, the
     * clamp to the bounds, the chunks denormalised. What the exported head gives the edge.
     */
    public float[] headActions(float[] states, int rows) {
        lock.lock();
        try (PointerScope scope = new PointerScope(); NoGradGuard guard = new NoGradGuard()) {
            float[] sn = new float[rows * layout.stateDim()];
            units.normaliseStates(states, rows, sn);
            Tensor s = Tensors.of(sn, new long[] {rows, layout.stateDim()}, device, ScalarType.Float);
            float[] chunks = Tensors.toArray(policy.clamp(bc.act(s)));
            units.denormaliseChunks(chunks, rows, chunks);
            return chunks;
        } finally {
            lock.unlock();
        }
    }

    public Map<String, Long> steps() {
        lock.lock();
        try {
            return new TreeMap<>(steps);
        } finally {
            lock.unlock();
        }
    }

    public long totalSteps() {
        lock.lock();
        try {
            return steps.values().stream().mapToLong(Long::longValue).sum();
        } finally {
            lock.unlock();
        }
    }

    public Map<String, Double> losses() {
        lock.lock();
        try {
            return new TreeMap<>(losses);
        } finally {
            lock.unlock();
        }
    }

    public double lambdaNow() {
        lock.lock();
        try {
            return residual.lambdaNow();
        } finally {
            lock.unlock();
        }
    }

    // ---- Export ------------------------------------------------------------------------------

    /**
     * The residual as an ONNX graph verified by ONNX Runtime. It takes the base chunk raw (the
     * edge's ACTIONS) and the state in the graph's units, normalises both as in training, and
     * gives the raw correction {@code std_a * lambda_t * res(s_n, a_n) / bundleScale}, so that the
     * edge's {@code a_base + residual_scale * output} (residual_scale of the bundle, 1 without
     * one), clamped to the bounds, is exactly the learner's {@code a_final}.
     */
    public VerifiedExport exportResidual(String policyId, long version, Provenance provenance, ExportVerifier verifier,
            int probeRows) throws ExportRefusedException {
        lock.lock();
        try {
            GraphSignature sig = bundle.flatMap(b -> b.graph(GraphRole.RESIDUAL))
                    .map(spec -> GraphSignature.fromSpec(spec, layout, chunkSize, true))
                    .orElseGet(() -> GraphSignature.defaultResidual(layout, chunkSize));
            float bundleScale = bundle.map(b -> b.manifest().getResidualScale()).filter(x -> x > 0).orElse(1f);
            float scale = (float) (residual.lambdaNow() / bundleScale);
            float[] rawStates = probeStates(probeRows);
            float[] states = new float[rawStates.length];
            units.normaliseStates(rawStates, probeRows, states);
            // The residual is probed where it acts: at the base policy's chunks for these states.
            float[] chunks = gaussian(probeRows * chunkSize);
            if (policy.baseSamples() > 0) {
                // The base runs on the robots: its chunks are known for the last batch's states only.
                if (lastBatch != null) {
                    int c = chunkSize;
                    float[] sent = new float[c];
                    for (int r = 0; r < Math.min(probeRows, lastBatch.size); r++) {
                        if (lastBatch.hasBaseSamples[r] != 0f) {
                            System.arraycopy(lastBatch.baseChunks, r * 2 * baseSamples * c, sent, 0, c);
                            units.normaliseChunks(sent, 1, sent);
                            System.arraycopy(sent, 0, chunks, r * c, c);
                        }
                    }
                }
            } else if (policy.hasBase()) {
                try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                    Tensor base = policy.base(rawStates, probeRows, tensors);
                    chunks = Tensors.toArray(base);
                }
            }
            float[] rawChunks = new float[chunks.length];
            units.denormaliseChunks(chunks, probeRows, rawChunks);
            float[] stateMean = units.graphStateMean();
            float[] stateStd = units.graphStateStd();
            float[] inMean = concat(stateMean, units.chunkMean());
            float[] inStd = concat(stateStd, units.chunkStd());
            float[] outScale = units.chunkStd();
            var edges = new OnnxMlpWriter.Edges(inMean, inStd, outScale, new float[chunkSize], null, null);
            var model = OnnxMlpWriter.write("residual", sig, residual.network().memberLayers(0), scale, edges,
                    ExportMetadata.of(policyId, "residual", version, provenance));
            float[] graphStates = new float[rawStates.length];
            units.toGraphStates(rawStates, probeRows, graphStates);
            float[] normalisedChunks = chunks;
            float[] expected;
            try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                Tensor st = Tensors.of(states, new long[] {probeRows, layout.stateDim()}, device, ScalarType.Float);
                Tensor ch = Tensors.of(normalisedChunks, new long[] {probeRows, chunkSize}, device, ScalarType.Float);
                expected = Tensors.toArray(residual.correction(st, ch).div(new Scalar(bundleScale)));
            }
            float[] reference = expected;
            return verifier.verify(policyId, "residual", version, model, sig, layout,
                    new ExportVerifier.Probe(graphStates, rawChunks, probeRows), (st, ch, n) -> reference,
                    new ExportVerifier.OutputUnits(new float[chunkSize], outScale), provenance);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The head as an ONNX graph verified by ONNX Runtime: the state in the graph's units in,
     * normalised as in training, the head, then the chunk back to raw units (when the learner's
     * statistics normalise actions) and clamped to the bounds, as the edge clamps.
     */
    public VerifiedExport exportHead(String policyId, long version, Provenance provenance, ExportVerifier verifier,
            int probeRows) throws ExportRefusedException {
        lock.lock();
        try {
            GraphSignature sig = bundle.flatMap(b -> b.graph(GraphRole.HEAD))
                    .map(spec -> GraphSignature.fromSpec(spec, layout, chunkSize, false))
                    .orElseGet(() -> GraphSignature.defaultHead(layout, chunkSize));
            float[] rawStates = probeStates(probeRows);
            float[] states = new float[rawStates.length];
            units.normaliseStates(rawStates, probeRows, states);
            float[] graphStates = new float[rawStates.length];
            units.toGraphStates(rawStates, probeRows, graphStates);
            boolean rawOut = units.actionsInGraph();
            float[] lower = null;
            float[] upper = null;
            if (rawBounds.isPresent()) {
                if (rawOut) {
                    lower = tile(rawBounds.get()[0]);
                    upper = tile(rawBounds.get()[1]);
                } else {
                    float[][] n = units.normalisedChunkBounds(rawBounds.get()[0], rawBounds.get()[1]);
                    lower = n[0];
                    upper = n[1];
                }
            }
            var edges = new OnnxMlpWriter.Edges(units.graphStateMean(), units.graphStateStd(),
                    rawOut ? units.chunkStd() : null, rawOut ? units.chunkMean() : null, lower, upper);
            var model = OnnxMlpWriter.write("head", sig, bc.network().memberLayers(0), 1f, edges,
                    ExportMetadata.of(policyId, "head", version, provenance));
            float[] expected;
            try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                Tensor st = Tensors.of(states, new long[] {probeRows, layout.stateDim()}, device, ScalarType.Float);
                expected = Tensors.toArray(policy.clamp(bc.act(st)));
            }
            return verifier.verify(policyId, "head", version, model, sig, layout,
                    new ExportVerifier.Probe(graphStates, null, probeRows), (st, ch, n) -> expected,
                    rawOut ? new ExportVerifier.OutputUnits(units.chunkMean(), units.chunkStd())
                            : ExportVerifier.OutputUnits.IDENTITY, provenance);
        } finally {
            lock.unlock();
        }
    }

    private float[] tile(float[] row) {
        float[] out = new float[chunkSize];
        for (int h = 0; h < horizon; h++) {
            System.arraycopy(row, 0, out, h * actionDim, actionDim);
        }
        return out;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Makes a verified head the frozen base policy (after BC warm-up). */
    public void useAsBase(VerifiedExport head) {
        lock.lock();
        try {
            installBase(head.bytes());
        } finally {
            lock.unlock();
        }
    }

    private void installBase(byte[] onnx) {
        BasePolicy old = policy.basePolicy();
        policy.setBase(new OnnxHeadPolicy(new OrtGraph(onnx, "BC-trained head", policyThreads, maxPolicyRows), layout,
                chunkSize));
        trainedBase = onnx.clone();
        if (old != null) {
            old.close();
        }
    }

    /**
     * Probe rows, raw units: the last batch's real states first, then seeded Gaussian states in
     * training units brought to raw units.
     */
    private float[] probeStates(int rows) {
        int s = layout.stateDim();
        float[] states = gaussian(rows * s);
        units.denormaliseStates(states, rows, states);
        if (lastBatch != null) {
            int real = Math.min(rows, lastBatch.size);
            System.arraycopy(lastBatch.state, 0, states, 0, real * s);
        }
        return states;
    }

    private float[] gaussian(int n) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5eed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) r.nextGaussian();
        }
        return out;
    }

    public void setPublishedVersion(long version) {
        lock.lock();
        try {
            publishedVersion = Math.max(publishedVersion, version);
        } finally {
            lock.unlock();
        }
    }

    public long publishedVersion() {
        lock.lock();
        try {
            return publishedVersion;
        } finally {
            lock.unlock();
        }
    }

    // ---- Checkpoint --------------------------------------------------------------------------

    static final String PART_NETS = "nets.pt";
    static final String PART_STATE = "state.properties";
    static final String PART_OFFSETS = "offsets.properties";
    static final String PART_BASE = "base-head.onnx";
    static final String PART_UNITS = "units.properties";

    private static String optimiserPart(String net) {
        return "optim-" + net + ".pt";
    }

    /**
     * A consistent snapshot (taken under the lock) of weights, optimiser states, counters, stage
     * and the given consumer offsets, as checkpoint parts.
     */
    public Map<String, AtomicFile.Body> checkpointParts(Map<String, Long> consumerOffsets) {
        lock.lock();
        try {
            Map<String, byte[]> parts = new LinkedHashMap<>();
            parts.put(PART_NETS, TorchArchives.write(archive -> {
                critic.save(archive, "critic.");
                iql.save(archive, "value.");
                residual.network().save(archive, "residual.");
                bc.network().save(archive, "bc.");
            }));
            parts.put(optimiserPart(NET_CRITIC), TorchArchives.write(critic.optimiser()::save));
            parts.put(optimiserPart(NET_VALUE), TorchArchives.write(iql.valueOptimiser()::save));
            parts.put(optimiserPart(NET_RESIDUAL), TorchArchives.write(residual.optimiser()::save));
            parts.put(optimiserPart(NET_BC), TorchArchives.write(bc.optimiser()::save));
            Properties state = new Properties();
            state.setProperty("stage", stage().name());
            state.setProperty("stage.index", Integer.toString(stageIndex));
            state.setProperty("stage.steps", Long.toString(stageSteps));
            state.setProperty("stages", stages.toString());
            steps.forEach((k, v) -> state.setProperty("steps." + k, Long.toString(v)));
            state.setProperty("residual.steps", Long.toString(residual.steps()));
            state.setProperty("bc.steps", Long.toString(bc.steps()));
            state.setProperty("published.version", Long.toString(publishedVersion));
            parts.put(PART_STATE, properties(state));
            Properties offsets = new Properties();
            consumerOffsets.forEach((k, v) -> offsets.setProperty(k, Long.toString(v)));
            parts.put(PART_OFFSETS, properties(offsets));
            if (trainedBase != null) {
                parts.put(PART_BASE, trainedBase.clone());
            }
            if (unitsFrozen) {
                parts.put(PART_UNITS, properties(units.toProperties()));
            }
            Map<String, AtomicFile.Body> bodies = new LinkedHashMap<>();
            parts.forEach((name, bytes) -> bodies.put(name, out -> out.write(bytes)));
            return bodies;
        } finally {
            lock.unlock();
        }
    }

    /** Restores everything {@link #checkpointParts} wrote; returns the checkpointed consumer offsets. */
    public Map<String, Long> restore(CheckpointStore.Checkpoint checkpoint) throws IOException {
        lock.lock();
        try {
            Properties state = new Properties();
            state.load(new StringReader(new String(read(checkpoint, PART_STATE), StandardCharsets.UTF_8)));
            if (!stages.toString().equals(state.getProperty("stages"))) {
                throw new IOException("checkpoint " + checkpoint.id() + " was written for stages " + state.getProperty("stages")
                        + ", tendon.train.stages is now " + stages);
            }
            byte[] nets = read(checkpoint, PART_NETS);
            TorchArchives.read(nets, archive -> {
                critic.load(archive, "critic.");
                iql.load(archive, "value.");
                residual.network().load(archive, "residual.");
                bc.network().load(archive, "bc.");
            });
            TorchArchives.read(read(checkpoint, optimiserPart(NET_CRITIC)), critic.optimiser()::load);
            TorchArchives.read(read(checkpoint, optimiserPart(NET_VALUE)), iql.valueOptimiser()::load);
            TorchArchives.read(read(checkpoint, optimiserPart(NET_RESIDUAL)), residual.optimiser()::load);
            TorchArchives.read(read(checkpoint, optimiserPart(NET_BC)), bc.optimiser()::load);
            stageIndex = Integer.parseInt(state.getProperty("stage.index"));
            stageSteps = Long.parseLong(state.getProperty("stage.steps"));
            for (String net : steps.keySet()) {
                steps.put(net, Long.parseLong(state.getProperty("steps." + net, "0")));
            }
            residual.setSteps(Long.parseLong(state.getProperty("residual.steps")));
            bc.setSteps(Long.parseLong(state.getProperty("bc.steps")));
            publishedVersion = Long.parseLong(state.getProperty("published.version", "0"));
            if (checkpoint.parts().contains(PART_UNITS)) {
                Properties u = new Properties();
                u.load(new StringReader(new String(read(checkpoint, PART_UNITS), StandardCharsets.UTF_8)));
                freezeUnits(Units.fromProperties(u));
            }
            if (checkpoint.parts().contains(PART_BASE)) {
                installBase(read(checkpoint, PART_BASE));
            }
            selectPolicy();
            Properties offsets = new Properties();
            offsets.load(new StringReader(new String(read(checkpoint, PART_OFFSETS), StandardCharsets.UTF_8)));
            Map<String, Long> restored = new TreeMap<>();
            offsets.stringPropertyNames().forEach(k -> restored.put(k, Long.parseLong(offsets.getProperty(k))));
            return restored;
        } catch (RuntimeException e) {
            throw new IOException("checkpoint " + checkpoint.id() + " does not fit the configured networks: "
                    + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private static byte[] read(CheckpointStore.Checkpoint checkpoint, String part) throws IOException {
        try (InputStream in = checkpoint.open(part)) {
            return in.readAllBytes();
        }
    }

    private static byte[] properties(Properties p) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            p.store(out, null);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            BasePolicy base = policy.basePolicy();
            if (base != null) {
                base.close();
            }
        } finally {
            lock.unlock();
        }
    }
}
