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
    private final boolean bcAdvantageWeighted;
    private final int policyThreads;
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
        float[][] bounds = bundle.flatMap(b -> b.actionBounds(actionDim)).orElseGet(() -> {
            float[] lo = new float[actionDim];
            float[] hi = new float[actionDim];
            Arrays.fill(lo, (float) q.uniformLow());
            Arrays.fill(hi, (float) q.uniformHigh());
            return new float[][] {lo, hi};
        });
        Cql cql = new Cql(q.alpha(), q.policySamples(), q.uniformSamples(), bounds[0], bounds[1], horizon, device,
                ScalarType.Float);
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
        bcAdvantageWeighted = b.advantageWeighted();
        policyThreads = config.policy().threads();
        // The base runs on a batch times the most samples asked for at once, or on the export probe.
        maxPolicyRows = Math.max(batchSize * Math.max(1, Math.max(a.valueSamples(), q.policySamples())),
                config.export().probeRows());
        BasePolicy base = null;
        if (bundle.isPresent() && bundle.get().hasRunnableHead()) {
            base = new OnnxHeadPolicy(new OrtGraph(bundle.get().headBytes(), "bundle head", policyThreads, maxPolicyRows),
                    layout, chunkSize);
        }
        policy = new CurrentPolicy(base, residual, config.policy().sampleNoiseStd(), s, chunkSize, maxPolicyRows);
        tensors = new BatchTensors(batchSize, s, horizon, actionDim, device, ScalarType.Float);
        for (String net : List.of(NET_CRITIC, NET_VALUE, NET_RESIDUAL, NET_BC)) {
            steps.put(net, 0L);
        }
    }

    /** A batch shaped for this run (callers keep and reuse it). */
    public Batch newBatch() {
        return new Batch(batchSize, layout.stateDim(), horizon, actionDim);
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
        } finally {
            lock.unlock();
        }
    }

    // ---- Gradient steps ---------------------------------------------------------------------

    /** One BC step on demonstrations, advantage-weighted once the critic has trained. */
    public void bcStep(Batch batch) {
        lock.lock();
        try (PointerScope scope = new PointerScope()) {
            load(batch);
            Tensor weights = null;
            if (bcAdvantageWeighted && steps.get(NET_CRITIC) > 0 && policy.hasBase()) {
                weights = advantage.weights(advantage.advantage(tensors, policy, critic));
            }
            BcWarmup.Stats stats = bc.update(tensors, weights);
            count(NET_BC);
            losses.put("bc", stats.loss());
            losses.put("bc_advantage_weight", stats.meanAdvantageWeight());
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
            IqlCritic.Stats stats = iql.update(tensors, policy);
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
            load(batch);
            AloeCritic.CriticStats stats = aloe.update(tensors, policy, random);
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
            load(batch);
            Tensor aBase = policy.base(batch.state, batch.size, tensors);
            critic.setFrozen(true);
            BoraResidual.Stats stats;
            try {
                stats = residual.update(tensors, aBase, critic, random);
            } finally {
                critic.setFrozen(false);
            }
            count(NET_RESIDUAL);
            losses.put("residual", stats.loss());
            losses.put("residual_q_gain", stats.qImprovement());
            losses.put("residual_lambda", stats.lambda());
            if (!Double.isNaN(stats.bcLoss())) {
                losses.put("residual_bc", stats.bcLoss());
            }
            stageSteps++;
        } finally {
            lock.unlock();
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

    /** Q of every member and their min, and V(s), for {@code rows} given rows. */
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
            Tensor s = Tensors.of(states, new long[] {rows, layout.stateDim()}, device, ScalarType.Float);
            Tensor a = Tensors.of(chunks, new long[] {rows, chunkSize}, device, ScalarType.Float);
            Tensor perMember = CriticEnsemble.chunkValue(critic.q(s, a));
            float[] byMember = Tensors.toArray(perMember.transpose(0, 1).contiguous());
            float[] min = Tensors.toArray(perMember.amin(new long[] {0}, false));
            float[] v = Tensors.toArray(iql.v(s));
            return new Evaluation(critic.members(), byMember, min, v);
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
     * The residual as an ONNX graph verified by ONNX Runtime. Its output is
     * {@code lambda_t * res(s, a_base) / bundleScale}, so that the edge's
     * {@code a_base + residual_scale * output} (residual_scale of the bundle, 1 without one)
     * is exactly the learner's {@code a_final}.
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
            float[] states = probeStates(probeRows);
            // The residual is probed where it acts: at the base policy's chunks for these states.
            float[] chunks = gaussian(probeRows * chunkSize);
            if (policy.hasBase()) {
                policy.basePolicy().act(states, probeRows, chunks);
            }
            var model = OnnxMlpWriter.write("residual", sig, residual.network().memberLayers(0), scale,
                    ExportMetadata.of(policyId, "residual", version, provenance));
            return verifier.verify(policyId, "residual", version, model, sig, layout,
                    new ExportVerifier.Probe(states, chunks, probeRows), (st, ch, n) -> {
                        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                            Tensor s = Tensors.of(st, new long[] {n, layout.stateDim()}, device, ScalarType.Float);
                            Tensor a = Tensors.of(ch, new long[] {n, chunkSize}, device, ScalarType.Float);
                            return Tensors.toArray(residual.correction(s, a).div(new Scalar(bundleScale)));
                        }
                    }, provenance);
        } finally {
            lock.unlock();
        }
    }

    /** The BC-trained head as an ONNX graph verified by ONNX Runtime. */
    public VerifiedExport exportHead(String policyId, long version, Provenance provenance, ExportVerifier verifier,
            int probeRows) throws ExportRefusedException {
        lock.lock();
        try {
            GraphSignature sig = bundle.flatMap(b -> b.graph(GraphRole.HEAD))
                    .map(spec -> GraphSignature.fromSpec(spec, layout, chunkSize, false))
                    .orElseGet(() -> GraphSignature.defaultHead(layout, chunkSize));
            var model = OnnxMlpWriter.write("head", sig, bc.network().memberLayers(0), 1f,
                    ExportMetadata.of(policyId, "head", version, provenance));
            return verifier.verify(policyId, "head", version, model, sig, layout,
                    new ExportVerifier.Probe(probeStates(probeRows), null, probeRows), (st, ch, n) -> {
                        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                            return Tensors.toArray(bc.act(Tensors.of(st, new long[] {n, layout.stateDim()}, device,
                                    ScalarType.Float)));
                        }
                    }, provenance);
        } finally {
            lock.unlock();
        }
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

    /** Probe rows: the last batch's real states first, then seeded Gaussian states. */
    private float[] probeStates(int rows) {
        int s = layout.stateDim();
        float[] states = gaussian(rows * s);
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
            if (checkpoint.parts().contains(PART_BASE)) {
                installBase(read(checkpoint, PART_BASE));
            }
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
