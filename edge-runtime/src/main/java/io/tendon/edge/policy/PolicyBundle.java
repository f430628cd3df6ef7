package io.tendon.edge.policy;

import io.tendon.schemas.bundle.CheckedManifest;
import io.tendon.schemas.bundle.ManifestException;
import io.tendon.schemas.bundle.ManifestReader;
import io.tendon.schemas.bundle.TensorRoles;
import io.tendon.schemas.v1.BetaSchedule;
import io.tendon.schemas.v1.BundleManifest;
import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.GraphSpec;
import io.tendon.schemas.v1.Integrator;
import io.tendon.schemas.v1.PolicyMode;
import io.tendon.schemas.v1.TensorRole;
import io.tendon.schemas.v1.TensorSpec;
import java.nio.file.Path;

/**
 * A policy bundle as the edge runs it: a directory with {@code manifest.json} and the ONNX
 * graphs it names, its manifest read and checked by the contract's own reader
 * ({@link ManifestReader}, in the schemas module: the checks that need no ONNX Runtime), plus
 * the edge's view of the action row ({@link ActionSpace}). Whether the graphs themselves match
 * their declarations is checked when sessions are created ({@link PolicyGraphs}).
 */
public final class PolicyBundle {

    /** The manifest format version this runtime reads. */
    public static final int MANIFEST_VERSION = ManifestReader.MANIFEST_VERSION;
    public static final String MANIFEST_FILE = ManifestReader.MANIFEST_FILE;

    public final CheckedManifest checked;
    public final Path directory;
    public final BundleManifest manifest;
    public final PolicyMode mode;
    /** Chunk length H, policy steps. */
    public final int chunkLength;
    /** Components per action row A. */
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
    public final ActionSpace actionSpace;

    private PolicyBundle(CheckedManifest c) {
        this.checked = c;
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
        float[][] bounds = c.actionBounds();
        this.actionSpace = new ActionSpace(manifest.getActionLayout().getKind(), bounds[0], bounds[1],
                c.actionMean(), c.actionStd());
    }

    /** Reads and checks {@code directory/manifest.json}. */
    public static PolicyBundle open(Path directory) {
        try {
            return new PolicyBundle(ManifestReader.read(directory));
        } catch (ManifestException e) {
            throw new PolicyBundleException(e.getMessage(), e);
        }
    }

    /** Parses manifest JSON strictly: an unknown key or a malformed value is an error. */
    public static BundleManifest parse(String json, String source) {
        try {
            return ManifestReader.parse(json, source);
        } catch (ManifestException e) {
            throw new PolicyBundleException(e.getMessage(), e);
        }
    }

    /** Checks a parsed manifest against the bundle directory; every problem found is reported at once. */
    public static PolicyBundle check(Path directory, BundleManifest m) {
        try {
            return new PolicyBundle(ManifestReader.check(directory, m));
        } catch (ManifestException e) {
            throw new PolicyBundleException(e.getMessage(), e);
        }
    }

    public String policyId() {
        return manifest.getPolicyId();
    }

    public long version() {
        return manifest.getVersion();
    }

    public double controlHz() {
        return manifest.getRates().getControlHz();
    }

    public double policyHz() {
        return manifest.getRates().getPolicyHz();
    }

    public double residualScale() {
        return manifest.getResidualScale();
    }

    public boolean has(GraphRole role) {
        return checked.has(role);
    }

    public GraphSpec graph(GraphRole role) {
        return checked.graph(role);
    }

    public Path file(GraphRole role) {
        return checked.file(role);
    }

    /** The declared tensor of {@code graph} with {@code role} among its inputs (or outputs), or null. */
    public TensorSpec tensor(GraphRole graph, TensorRole role, boolean input) {
        return checked.tensor(graph, role, input);
    }

    /** Elements of a declared tensor: -1 at index 0 is the batch (1), -1 elsewhere the window {@code n}. */
    public static long elements(TensorSpec spec, int n) {
        return TensorRoles.elements(spec, n);
    }

    public float[] observationMean() {
        return checked.observationMean();
    }

    public float[] observationStd() {
        return checked.observationStd();
    }

    public float[] stateMean() {
        return checked.stateMean();
    }

    public float[] stateStd() {
        return checked.stateStd();
    }

    public float[] wrenchMean() {
        return checked.wrenchMean();
    }

    public float[] wrenchStd() {
        return checked.wrenchStd();
    }

    @Override
    public String toString() {
        return checked.toString();
    }
}
