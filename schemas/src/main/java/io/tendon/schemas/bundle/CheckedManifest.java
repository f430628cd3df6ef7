package io.tendon.schemas.bundle;

import io.tendon.schemas.v1.BetaSchedule;
import io.tendon.schemas.v1.BundleManifest;
import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.GraphSpec;
import io.tendon.schemas.v1.Integrator;
import io.tendon.schemas.v1.PolicyMode;
import io.tendon.schemas.v1.Rates;
import io.tendon.schemas.v1.SamplerSpec;
import io.tendon.schemas.v1.TensorRole;
import io.tendon.schemas.v1.TensorSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A bundle manifest that passed every check that needs no ONNX Runtime, with the numbers its
 * graphs imply (feature, latent, state and conditioning sizes, the two-rate window) and the
 * defaults the manifest leaves open (proto3 zeros) resolved. Made by {@link ManifestReader}; a
 * runtime may extend it with its own view of the bundle ({@link #CheckedManifest(CheckedManifest)}).
 */
public class CheckedManifest {

    public final Path directory;
    public final BundleManifest manifest;
    public final PolicyMode mode;
    /** Chunk length H, policy steps. */
    public final int chunkLength;
    /** Components per action row A (13 or 18). */
    public final int actionDim;
    public final int latencySteps;
    /** Rows executed per chunk (CHUNK, FLOW); 1 for TWO_RATE. */
    public final int execHorizon;
    /** TWO_RATE: policy steps between slow-graph runs (default 6). */
    public final int slowInterval;
    /** TWO_RATE: observation frames fed to the slow graph (default 2). */
    public final int observationFrames;
    /** Raw observation features per frame (0 when no graph takes observations). */
    public final int featureDim;
    /** Latent z per step: the ENCODER output, else the normalised features themselves. */
    public final int latentDim;
    /** Proprioceptive state (0 when no graph takes it). */
    public final int stateDim;
    /** Conditioning from PREFIX or SLOW (0 when none). */
    public final int conditioningDim;
    /** TWO_RATE: smallest and largest window N = latency + k + n_obs. */
    public final int windowMin;
    public final int windowMax;
    /** Sampler settings with defaults applied. */
    public final Integrator integrator;
    public final int samplerSteps;
    public final double guidanceFraction;
    public final double guidanceScale;
    public final double ensembleDecay;
    public final boolean reverseTime;
    public final int trainTimesteps;
    public final BetaSchedule betaSchedule;
    public final double betaStart;
    public final double betaEnd;
    private final Map<GraphRole, GraphSpec> graphs;

    CheckedManifest(Path directory, BundleManifest m, ManifestChecker.Derived d) {
        this.directory = directory;
        this.manifest = m;
        this.mode = m.getMode();
        Rates r = m.getRates();
        this.chunkLength = (int) r.getChunkLength();
        this.actionDim = ActionLayouts.dim(m.getActionLayout().getKind());
        this.latencySteps = (int) r.getLatencySteps();
        this.execHorizon = mode == PolicyMode.TWO_RATE ? 1 : (int) r.getExecHorizon();
        this.slowInterval = d.slowInterval;
        this.observationFrames = d.observationFrames;
        this.featureDim = d.featureDim;
        this.latentDim = d.latentDim;
        this.stateDim = d.stateDim;
        this.conditioningDim = d.conditioningDim;
        this.windowMin = latencySteps + observationFrames;
        this.windowMax = latencySteps + slowInterval - 1 + observationFrames;
        SamplerSpec s = m.getSampler();
        this.integrator = s.getIntegrator();
        this.samplerSteps = s.getNSteps() == 0 ? 10 : (int) s.getNSteps();
        this.guidanceFraction = s.getGuidanceFraction() == 0f ? 0.1 : s.getGuidanceFraction();
        this.guidanceScale = s.getGuidanceScale();
        this.ensembleDecay = s.getEnsembleDecay();
        this.reverseTime = s.getReverseTime();
        this.trainTimesteps = s.getTrainTimesteps() == 0 ? 100 : (int) s.getTrainTimesteps();
        this.betaSchedule = s.getBetaSchedule() == BetaSchedule.BETA_SCHEDULE_UNSPECIFIED
                ? BetaSchedule.SQUAREDCOS_CAP_V2 : s.getBetaSchedule();
        this.betaStart = s.getBetaStart() == 0f ? 1e-4 : s.getBetaStart();
        this.betaEnd = s.getBetaEnd() == 0f ? 0.02 : s.getBetaEnd();
        this.graphs = Collections.unmodifiableMap(d.graphs);
    }

    /** The same checked manifest, for a subclass that adds what its runtime needs. */
    protected CheckedManifest(CheckedManifest c) {
        this.directory = c.directory;
        this.manifest = c.manifest;
        this.mode = c.mode;
        this.chunkLength = c.chunkLength;
        this.actionDim = c.actionDim;
        this.latencySteps = c.latencySteps;
        this.execHorizon = c.execHorizon;
        this.slowInterval = c.slowInterval;
        this.observationFrames = c.observationFrames;
        this.featureDim = c.featureDim;
        this.latentDim = c.latentDim;
        this.stateDim = c.stateDim;
        this.conditioningDim = c.conditioningDim;
        this.windowMin = c.windowMin;
        this.windowMax = c.windowMax;
        this.integrator = c.integrator;
        this.samplerSteps = c.samplerSteps;
        this.guidanceFraction = c.guidanceFraction;
        this.guidanceScale = c.guidanceScale;
        this.ensembleDecay = c.ensembleDecay;
        this.reverseTime = c.reverseTime;
        this.trainTimesteps = c.trainTimesteps;
        this.betaSchedule = c.betaSchedule;
        this.betaStart = c.betaStart;
        this.betaEnd = c.betaEnd;
        this.graphs = c.graphs;
    }

    public String policyId() {
        return manifest.getPolicyId();
    }

    public long version() {
        return manifest.getVersion();
    }

    public boolean has(GraphRole role) {
        return graphs.containsKey(role);
    }

    /** The graphs the manifest declares, by role. */
    public Map<GraphRole, GraphSpec> graphs() {
        return graphs;
    }

    public GraphSpec graph(GraphRole role) {
        GraphSpec spec = graphs.get(role);
        if (spec == null) {
            throw new IllegalArgumentException("bundle " + policyId() + " has no " + TensorRoles.graphName(role) + " graph");
        }
        return spec;
    }

    /** The graph's file in the bundle, or null when it arrives by update and the bundle ships none. */
    public Path file(GraphRole role) {
        GraphSpec spec = graph(role);
        return spec.getFile().isEmpty() ? null : directory.resolve(spec.getFile());
    }

    /** True when graph {@code role} is declared and arrives by signed policy update. */
    public boolean fromUpdate(GraphRole role) {
        GraphSpec spec = graphs.get(role);
        return spec != null && spec.getFromUpdate();
    }

    /** The role whose lower-case name ("head", "residual") is {@code graph}, if the manifest declares it. */
    public java.util.Optional<GraphRole> role(String graph) {
        for (GraphRole r : graphs.keySet()) {
            if (TensorRoles.graphName(r).equals(graph)) {
                return java.util.Optional.of(r);
            }
        }
        return java.util.Optional.empty();
    }

    /** The declared tensor of {@code graph} with {@code role} among its inputs (or outputs), or null. */
    public TensorSpec tensor(GraphRole graph, TensorRole role, boolean input) {
        GraphSpec spec = graphs.get(graph);
        return spec == null ? null : TensorRoles.find(input ? spec.getInputsList() : spec.getOutputsList(), role);
    }

    /** Per-component action bounds of one row: {lower, upper}. */
    public float[][] actionBounds() {
        return new float[][] {floats(manifest.getActionLayout().getLowerList()),
            floats(manifest.getActionLayout().getUpperList())};
    }

    /** The normalisation vectors as arrays (empty arrays for identity). */
    public float[] observationMean() {
        return floats(manifest.getNormalisation().getObservationMeanList());
    }

    public float[] observationStd() {
        return floats(manifest.getNormalisation().getObservationStdList());
    }

    public float[] stateMean() {
        return floats(manifest.getNormalisation().getStateMeanList());
    }

    public float[] stateStd() {
        return floats(manifest.getNormalisation().getStateStdList());
    }

    public float[] wrenchMean() {
        return floats(manifest.getNormalisation().getWrenchMeanList());
    }

    public float[] wrenchStd() {
        return floats(manifest.getNormalisation().getWrenchStdList());
    }

    public float[] actionMean() {
        return floats(manifest.getNormalisation().getActionMeanList());
    }

    public float[] actionStd() {
        return floats(manifest.getNormalisation().getActionStdList());
    }

    static float[] floats(List<Float> list) {
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }

    @Override
    public String toString() {
        return policyId() + " v" + version() + " (" + mode + ", " + directory + ", graphs "
                + Arrays.toString(graphs.keySet().toArray()) + ")";
    }
}
