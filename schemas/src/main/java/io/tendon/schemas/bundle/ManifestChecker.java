package io.tendon.schemas.bundle;

import io.tendon.schemas.v1.ActionLayout;
import io.tendon.schemas.v1.BetaSchedule;
import io.tendon.schemas.v1.BundleManifest;
import io.tendon.schemas.v1.DType;
import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.GraphSpec;
import io.tendon.schemas.v1.Integrator;
import io.tendon.schemas.v1.Normalisation;
import io.tendon.schemas.v1.PolicyMode;
import io.tendon.schemas.v1.Rates;
import io.tendon.schemas.v1.SamplerSpec;
import io.tendon.schemas.v1.TensorRole;
import io.tendon.schemas.v1.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks of a bundle manifest that need no ONNX Runtime, in one place for the edge (which
 * runs bundles) and the learner (which exports graphs into them): the mode's graphs, each
 * tensor's role and shape, rates, bounds, normalisation and the sizes graphs pass to each other.
 * Whether the graphs themselves match their declarations is checked by the runtime that opens
 * them. Every problem is collected, so a manifest's author sees them all at once.
 */
final class ManifestChecker {

    private static final Pattern POLICY_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    /** Components of one wrench frame: Fx, Fy, Fz, Tx, Ty, Tz. */
    static final int WRENCH_DIM = 6;

    private ManifestChecker() {
    }

    static final class Derived {
        final Map<GraphRole, GraphSpec> graphs = new EnumMap<>(GraphRole.class);
        int slowInterval;
        int observationFrames;
        int featureDim;
        int latentDim;
        int stateDim;
        int conditioningDim;
    }

    static void validate(Path dir, BundleManifest m, List<String> problems, Derived d) {
        if (m.getManifestVersion() != ManifestReader.MANIFEST_VERSION) {
            problems.add("manifest_version is " + m.getManifestVersion() + " but this runtime reads version "
                    + ManifestReader.MANIFEST_VERSION);
            return;
        }
        if (!POLICY_ID.matcher(m.getPolicyId()).matches()) {
            problems.add("policy_id '" + m.getPolicyId() + "' must be 1-128 characters of [A-Za-z0-9._:-]");
        }
        PolicyMode mode = m.getMode();
        if (mode != PolicyMode.CHUNK && mode != PolicyMode.TWO_RATE && mode != PolicyMode.FLOW) {
            problems.add("mode must be CHUNK, TWO_RATE or FLOW, was " + mode);
            return;
        }
        checkGraphList(dir, m, problems, d);
        int actionDim = checkActionLayout(m.getActionLayout(), problems);
        checkRates(m, problems, d);
        checkSampler(m, problems);
        if (!(m.getResidualScale() >= 0f && m.getResidualScale() <= 1f)) {
            problems.add("residual_scale must be in [0, 1], was " + m.getResidualScale());
        }
        if (!problems.isEmpty() || actionDim < 0) {
            return;
        }
        checkGraphRoles(m, problems, d);
        if (!problems.isEmpty()) {
            return;
        }
        checkSizes(m, actionDim, problems, d);
        checkNormalisation(m.getNormalisation(), actionDim, d, problems);
    }

    private static final Map<PolicyMode, Set<GraphRole>> REQUIRED = Map.of(
            PolicyMode.CHUNK, EnumSet.of(GraphRole.HEAD),
            PolicyMode.TWO_RATE, EnumSet.of(GraphRole.SLOW, GraphRole.FAST),
            PolicyMode.FLOW, EnumSet.of(GraphRole.STEP));
    private static final Map<PolicyMode, Set<GraphRole>> ALLOWED = Map.of(
            PolicyMode.CHUNK, EnumSet.of(GraphRole.HEAD, GraphRole.ENCODER, GraphRole.RESIDUAL),
            PolicyMode.TWO_RATE, EnumSet.of(GraphRole.SLOW, GraphRole.FAST, GraphRole.ENCODER, GraphRole.RESIDUAL),
            PolicyMode.FLOW, EnumSet.of(GraphRole.STEP, GraphRole.PREFIX, GraphRole.GUIDANCE, GraphRole.ENCODER,
                    GraphRole.RESIDUAL));

    private static void checkGraphList(Path dir, BundleManifest m, List<String> problems, Derived d) {
        for (GraphSpec g : m.getGraphsList()) {
            GraphRole role = g.getRole();
            if (role == GraphRole.GRAPH_ROLE_UNSPECIFIED || role == GraphRole.UNRECOGNIZED) {
                problems.add("a graph (file '" + g.getFile() + "') has no role");
                continue;
            }
            String name = TensorRoles.graphName(role);
            if (d.graphs.put(role, g) != null) {
                problems.add("graph " + name + " is declared twice");
            }
            if (!ALLOWED.get(m.getMode()).contains(role)) {
                problems.add("graph " + name + " has no place in mode " + m.getMode() + " (allowed: "
                        + names(ALLOWED.get(m.getMode())) + ")");
            }
            Path file = dir.resolve(g.getFile()).normalize();
            if (g.getFile().isEmpty() && g.getFromUpdate()) {
                // Delivered by a signed policy update; nothing to find in the directory.
            } else if (g.getFile().isEmpty() || !file.startsWith(dir) || file.equals(dir)) {
                problems.add("graph " + name + ": file '" + g.getFile() + "' must name a file inside the bundle directory"
                        + " (or leave it empty with from_update)");
            } else if (!Files.isRegularFile(file)) {
                problems.add("graph " + name + ": file '" + g.getFile() + "' does not exist in the bundle");
            }
            checkTensors(name, role, "input", g.getInputsList(), problems);
            checkTensors(name, role, "output", g.getOutputsList(), problems);
        }
        for (GraphRole required : REQUIRED.get(m.getMode())) {
            if (!d.graphs.containsKey(required)) {
                problems.add("mode " + m.getMode() + " needs a " + TensorRoles.graphName(required) + " graph");
            }
        }
    }

    private static void checkTensors(String graph, GraphRole graphRole, String kind, List<TensorSpec> tensors,
            List<String> problems) {
        Set<String> names = new HashSet<>();
        Set<TensorRole> roles = EnumSet.noneOf(TensorRole.class);
        for (TensorSpec t : tensors) {
            String where = "graph " + graph + ": " + kind + " '" + t.getName() + "'";
            if (t.getName().isEmpty()) {
                problems.add("graph " + graph + ": an " + kind + " has no name");
            } else if (!names.add(t.getName())) {
                problems.add(where + " is declared twice");
            }
            TensorRole role = TensorRoles.of(t);
            if (role == null) {
                problems.add(where + " has no role and its name is not a role name");
            } else if (!roles.add(role)) {
                problems.add(where + ": role " + role + " appears twice among the " + kind + "s");
            }
            if (t.getDtype() != DType.FLOAT32 && t.getDtype() != DType.INT64) {
                problems.add(where + ": dtype must be FLOAT32 or INT64, was " + t.getDtype());
            }
            if (t.getShapeCount() == 0) {
                problems.add(where + " has no shape");
            }
            for (int i = 0; i < t.getShapeCount(); i++) {
                long dim = t.getShape(i);
                boolean window = graphRole == GraphRole.FAST && i == 1 && role != null && WINDOWED.contains(role);
                if (dim == -1 && i != 0 && !window) {
                    problems.add(where + " shape " + t.getShapeList() + ": only the batch (index 0)"
                            + (graphRole == GraphRole.FAST ? " and the window (index 1)" : "") + " may be dynamic (-1)");
                } else if (dim < -1 || dim == 0) {
                    problems.add(where + " shape " + t.getShapeList() + ": dimensions are positive or -1");
                }
            }
        }
    }

    /** FAST tensors whose index-1 dimension is the growing window N. */
    private static final Set<TensorRole> WINDOWED = EnumSet.of(TensorRole.WRENCH_WINDOW, TensorRole.NOISE,
            TensorRole.SAMPLE, TensorRole.ACTIONS, TensorRole.VELOCITY, TensorRole.EPSILON);

    private static int checkActionLayout(ActionLayout layout, List<String> problems) {
        int dim = ActionLayouts.dim(layout.getKind());
        if (dim < 0) {
            problems.add("action_layout.kind must be POSE_TARGET_STIFFNESS (13) or POSE_TARGET_STIFFNESS6 (18), was "
                    + layout.getKind());
            return -1;
        }
        if (layout.getLowerCount() != dim || layout.getUpperCount() != dim) {
            problems.add("action_layout.lower and .upper must each hold " + dim + " bounds (one per component), have "
                    + layout.getLowerCount() + " and " + layout.getUpperCount());
            return dim;
        }
        for (int i = 0; i < dim; i++) {
            float lo = layout.getLower(i);
            float hi = layout.getUpper(i);
            if (!Float.isFinite(lo) || !Float.isFinite(hi) || lo > hi) {
                problems.add("action_layout bounds of component " + i + " must be finite with lower <= upper, were ["
                        + lo + ", " + hi + "]");
            }
        }
        return dim;
    }

    private static void checkRates(BundleManifest m, List<String> problems, Derived d) {
        Rates r = m.getRates();
        double control = r.getControlHz();
        double policy = r.getPolicyHz();
        if (!(control >= 100 && control <= 4000)) {
            problems.add("rates.control_hz must be in [100, 4000] Hz, was " + control);
        }
        if (!(policy > 0 && policy <= control)) {
            problems.add("rates.policy_hz must be in (0, control_hz] Hz, was " + policy);
        }
        long h = r.getChunkLength();
        long latency = r.getLatencySteps();
        if (h < 1 || h > 1024) {
            problems.add("rates.chunk_length must be in [1, 1024] steps, was " + h);
            return;
        }
        if (latency >= h) {
            problems.add("rates.latency_steps must be below chunk_length (" + h + "), was " + latency);
            return;
        }
        if (m.getMode() == PolicyMode.TWO_RATE) {
            d.slowInterval = r.getSlowInterval() == 0 ? 6 : (int) r.getSlowInterval();
            d.observationFrames = r.getNObsSteps() == 0 ? 2 : (int) r.getNObsSteps();
            if (d.slowInterval > 1000) {
                problems.add("rates.slow_interval must be in [1, 1000] steps, was " + d.slowInterval);
            }
            if (d.observationFrames > 64) {
                problems.add("rates.n_obs_steps must be in [1, 64] frames, was " + d.observationFrames);
            }
            long window = latency + d.slowInterval - 1 + d.observationFrames;
            if (window > h) {
                problems.add("rates: the largest fast window latency_steps + slow_interval - 1 + n_obs_steps = "
                        + window + " exceeds the noise trajectory's chunk_length " + h);
            }
        } else {
            long exec = r.getExecHorizon();
            if (exec < 1 || exec > h - latency) {
                problems.add("rates.exec_horizon must be in [1, chunk_length - latency_steps] = [1, " + (h - latency)
                        + "] steps, was " + exec);
            }
        }
    }

    private static void checkSampler(BundleManifest m, List<String> problems) {
        SamplerSpec s = m.getSampler();
        if (!(s.getEnsembleDecay() >= 0f && s.getEnsembleDecay() <= 100f)) {
            problems.add("sampler.ensemble_decay must be in [0, 100] per policy step, was " + s.getEnsembleDecay());
        }
        boolean needsSampler = m.getMode() == PolicyMode.FLOW;
        if (m.getMode() == PolicyMode.TWO_RATE) {
            for (GraphSpec g : m.getGraphsList()) {
                if (g.getRole() == GraphRole.FAST && find(g.getOutputsList(), TensorRole.ACTIONS) == null) {
                    needsSampler = true;
                }
            }
        }
        if (!needsSampler) {
            return;
        }
        if (s.getIntegrator() != Integrator.EULER && s.getIntegrator() != Integrator.DDIM) {
            problems.add("sampler.integrator must be EULER or DDIM for a step graph, was " + s.getIntegrator());
        }
        if (s.getNSteps() > 1000) {
            problems.add("sampler.n_steps must be in [1, 1000], was " + s.getNSteps());
        }
        if (!(s.getGuidanceFraction() >= 0f && s.getGuidanceFraction() <= 1f)) {
            problems.add("sampler.guidance_fraction must be in [0, 1], was " + s.getGuidanceFraction());
        }
        if (!Float.isFinite(s.getGuidanceScale())) {
            problems.add("sampler.guidance_scale must be finite, was " + s.getGuidanceScale());
        }
        if (s.getIntegrator() == Integrator.DDIM) {
            long steps = s.getNSteps() == 0 ? 10 : s.getNSteps();
            long train = s.getTrainTimesteps() == 0 ? 100 : s.getTrainTimesteps();
            if (train < steps || train > 100_000) {
                problems.add("sampler.train_timesteps must be in [n_steps, 100000], was " + train);
            }
            if (s.getBetaSchedule() == BetaSchedule.LINEAR) {
                double lo = s.getBetaStart() == 0f ? 1e-4 : s.getBetaStart();
                double hi = s.getBetaEnd() == 0f ? 0.02 : s.getBetaEnd();
                if (!(lo > 0 && lo <= hi && hi < 1)) {
                    problems.add("sampler.beta_start and beta_end must satisfy 0 < start <= end < 1, were " + lo
                            + " and " + hi);
                }
            } else if (s.getBetaSchedule() == BetaSchedule.UNRECOGNIZED) {
                problems.add("sampler.beta_schedule is not a known schedule");
            }
        }
    }

    /** Which roles each graph takes (required ones first) and gives. */
    private static void checkGraphRoles(BundleManifest m, List<String> problems, Derived d) {
        for (Map.Entry<GraphRole, GraphSpec> e : d.graphs.entrySet()) {
            GraphSpec g = e.getValue();
            String name = TensorRoles.graphName(e.getKey());
            Set<TensorRole> in = roles(g.getInputsList());
            Set<TensorRole> out = roles(g.getOutputsList());
            switch (e.getKey()) {
                case ENCODER:
                    expect(name, in, EnumSet.of(TensorRole.OBSERVATION), EnumSet.of(TensorRole.OBSERVATION), problems);
                    expectOutput(name, out, EnumSet.of(TensorRole.LATENT), problems);
                    break;
                case HEAD:
                    expect(name, in, EnumSet.of(TensorRole.LATENT),
                            EnumSet.of(TensorRole.LATENT, TensorRole.STATE, TensorRole.NOISE), problems);
                    expectOutput(name, out, EnumSet.of(TensorRole.ACTIONS), problems);
                    break;
                case PREFIX:
                    expect(name, in, EnumSet.noneOf(TensorRole.class),
                            EnumSet.of(TensorRole.LATENT, TensorRole.STATE), problems);
                    expectOutput(name, out, EnumSet.of(TensorRole.CONDITIONING), problems);
                    break;
                case STEP:
                    expect(name, in, EnumSet.of(TensorRole.SAMPLE, TensorRole.FLOW_TIME),
                            EnumSet.of(TensorRole.SAMPLE, TensorRole.FLOW_TIME, TensorRole.CONDITIONING,
                                    TensorRole.LATENT, TensorRole.STATE), problems);
                    expectOutput(name, out, EnumSet.of(m.getSampler().getIntegrator() == Integrator.DDIM
                            ? TensorRole.EPSILON : TensorRole.VELOCITY), problems);
                    if (in.contains(TensorRole.CONDITIONING) && !d.graphs.containsKey(GraphRole.PREFIX)) {
                        problems.add("graph step takes CONDITIONING but the bundle has no prefix graph to compute it");
                    }
                    break;
                case GUIDANCE:
                    expect(name, in, EnumSet.of(TensorRole.SAMPLE), EnumSet.of(TensorRole.SAMPLE,
                            TensorRole.FLOW_TIME, TensorRole.LATENT, TensorRole.STATE, TensorRole.CONDITIONING),
                            problems);
                    expectOutput(name, out, EnumSet.of(TensorRole.GRADIENT), problems);
                    if (in.contains(TensorRole.CONDITIONING) && !d.graphs.containsKey(GraphRole.PREFIX)) {
                        problems.add("graph guidance takes CONDITIONING but the bundle has no prefix graph");
                    }
                    break;
                case SLOW:
                    expect(name, in, EnumSet.of(TensorRole.OBSERVATION),
                            EnumSet.of(TensorRole.OBSERVATION, TensorRole.STATE), problems);
                    expectOutput(name, out, EnumSet.of(TensorRole.CONDITIONING), problems);
                    break;
                case FAST:
                    if (out.contains(TensorRole.ACTIONS)) {
                        expect(name, in, EnumSet.of(TensorRole.WRENCH_WINDOW, TensorRole.CONDITIONING, TensorRole.NOISE),
                                EnumSet.of(TensorRole.WRENCH_WINDOW, TensorRole.CONDITIONING, TensorRole.NOISE,
                                        TensorRole.STATE, TensorRole.LATENT), problems);
                        expectOutput(name, out, EnumSet.of(TensorRole.ACTIONS), problems);
                    } else {
                        expect(name, in, EnumSet.of(TensorRole.WRENCH_WINDOW, TensorRole.CONDITIONING,
                                TensorRole.SAMPLE, TensorRole.FLOW_TIME), EnumSet.of(TensorRole.WRENCH_WINDOW,
                                TensorRole.CONDITIONING, TensorRole.SAMPLE, TensorRole.FLOW_TIME, TensorRole.STATE,
                                TensorRole.LATENT), problems);
                        expectOutput(name, out, EnumSet.of(m.getSampler().getIntegrator() == Integrator.DDIM
                                ? TensorRole.EPSILON : TensorRole.VELOCITY), problems);
                    }
                    break;
                case RESIDUAL:
                    expect(name, in, EnumSet.of(TensorRole.ACTIONS),
                            EnumSet.of(TensorRole.ACTIONS, TensorRole.LATENT, TensorRole.STATE), problems);
                    expectOutput(name, out, EnumSet.of(TensorRole.CORRECTION), problems);
                    break;
                default:
                    problems.add("graph role " + e.getKey() + " is not supported");
            }
            for (TensorSpec t : g.getInputsList()) {
                if (TensorRoles.of(t) == TensorRole.FLOW_TIME && TensorRoles.elements(t, 1) != 1) {
                    problems.add("graph " + name + ": input '" + t.getName() + "' (FLOW_TIME) must hold one element, has shape "
                            + t.getShapeList());
                }
                if (TensorRoles.of(t) != TensorRole.FLOW_TIME && t.getDtype() == DType.INT64) {
                    problems.add("graph " + name + ": input '" + t.getName() + "' is INT64, which only FLOW_TIME may be");
                }
            }
            for (TensorSpec t : g.getOutputsList()) {
                if (t.getDtype() != DType.FLOAT32) {
                    problems.add("graph " + name + ": output '" + t.getName() + "' must be FLOAT32");
                }
            }
        }
    }

    private static void expect(String graph, Set<TensorRole> have, Set<TensorRole> required, Set<TensorRole> allowed,
            List<String> problems) {
        for (TensorRole r : required) {
            if (!have.contains(r)) {
                problems.add("graph " + graph + " needs an input with role " + r);
            }
        }
        for (TensorRole r : have) {
            if (!allowed.contains(r)) {
                problems.add("graph " + graph + " takes an input with role " + r + ", which it cannot be given (allowed: "
                        + allowed + ")");
            }
        }
    }

    private static void expectOutput(String graph, Set<TensorRole> have, Set<TensorRole> expected,
            List<String> problems) {
        if (!have.equals(expected)) {
            problems.add("graph " + graph + " must give exactly the outputs " + expected + ", declares " + have);
        }
    }

    private static void checkSizes(BundleManifest m, int a, List<String> problems, Derived d) {
        int h = (int) m.getRates().getChunkLength();
        long chunk = (long) h * a;
        Map<GraphRole, GraphSpec> g = d.graphs;
        // Features: what the ENCODER or SLOW graph takes per frame.
        TensorSpec encIn = inputOf(g, GraphRole.ENCODER, TensorRole.OBSERVATION);
        TensorSpec slowIn = inputOf(g, GraphRole.SLOW, TensorRole.OBSERVATION);
        d.featureDim = -1;
        if (encIn != null) {
            d.featureDim = (int) TensorRoles.elements(encIn, 1);
        }
        if (slowIn != null) {
            long frames = d.observationFrames;
            long total = TensorRoles.elements(slowIn, 1);
            long last = slowIn.getShape(slowIn.getShapeCount() - 1);
            if (slowIn.getShapeCount() < 2 || total != frames * last) {
                problems.add("graph slow: input '" + slowIn.getName() + "' shape " + slowIn.getShapeList()
                        + " must be [batch, n_obs_steps = " + frames + ", features]");
            } else {
                sameSize("observation features", (int) last, d.featureDim, "graph slow input '" + slowIn.getName() + "'",
                        problems);
                d.featureDim = (int) last;
            }
        }
        TensorSpec encOut = outputOf(g, GraphRole.ENCODER, TensorRole.LATENT);
        d.latentDim = encOut != null ? (int) TensorRoles.elements(encOut, 1) : -1;
        for (GraphSpec spec : g.values()) {
            TensorSpec latent = find(spec.getInputsList(), TensorRole.LATENT);
            if (latent != null) {
                String where = "graph " + TensorRoles.graphName(spec.getRole()) + " input '" + latent.getName() + "'";
                int n = (int) TensorRoles.elements(latent, 1);
                if (d.latentDim >= 0 && n != d.latentDim) {
                    problems.add(where + " takes a latent of " + n + " elements but "
                            + (encOut != null ? "the encoder gives " : "other graphs take ") + d.latentDim);
                }
                d.latentDim = d.latentDim < 0 ? n : d.latentDim;
            }
        }
        if (encOut == null && d.latentDim >= 0) {
            // Without an encoder the latent is the normalised observation itself.
            sameSize("latent (= features, no encoder)", d.latentDim, d.featureDim, "the observation features", problems);
            d.featureDim = d.latentDim;
        }
        d.featureDim = Math.max(d.featureDim, 0);
        d.latentDim = encOut == null ? d.featureDim : d.latentDim;
        d.stateDim = commonSize(g, TensorRole.STATE, true, "state", problems);
        // Conditioning: made by PREFIX or SLOW, used by STEP, GUIDANCE and FAST.
        TensorSpec made = outputOf(g, m.getMode() == PolicyMode.TWO_RATE ? GraphRole.SLOW : GraphRole.PREFIX,
                TensorRole.CONDITIONING);
        d.conditioningDim = made == null ? 0 : (int) TensorRoles.elements(made, 1);
        for (GraphSpec spec : g.values()) {
            TensorSpec cond = find(spec.getInputsList(), TensorRole.CONDITIONING);
            if (cond != null && TensorRoles.elements(cond, 1) != d.conditioningDim) {
                problems.add("graph " + TensorRoles.graphName(spec.getRole()) + " input '" + cond.getName()
                        + "' takes conditioning of " + TensorRoles.elements(cond, 1) + " elements but "
                        + (made == null ? "nothing makes it" : "it is made with " + d.conditioningDim));
            }
        }
        // Action-shaped tensors.
        size(g, GraphRole.HEAD, TensorRole.ACTIONS, false, chunk, "H x A = " + h + " x " + a, problems);
        size(g, GraphRole.HEAD, TensorRole.NOISE, true, chunk, "H x A = " + h + " x " + a, problems);
        size(g, GraphRole.STEP, TensorRole.SAMPLE, true, chunk, "H x A", problems);
        size(g, GraphRole.STEP, TensorRole.VELOCITY, false, chunk, "H x A", problems);
        size(g, GraphRole.STEP, TensorRole.EPSILON, false, chunk, "H x A", problems);
        size(g, GraphRole.GUIDANCE, TensorRole.SAMPLE, true, chunk, "H x A", problems);
        size(g, GraphRole.GUIDANCE, TensorRole.GRADIENT, false, chunk, "H x A", problems);
        long residualRows = m.getMode() == PolicyMode.TWO_RATE ? a : chunk;
        String residualShape = m.getMode() == PolicyMode.TWO_RATE ? "one row A = " + a : "H x A = " + h + " x " + a;
        size(g, GraphRole.RESIDUAL, TensorRole.ACTIONS, true, residualRows, residualShape, problems);
        size(g, GraphRole.RESIDUAL, TensorRole.CORRECTION, false, residualRows, residualShape, problems);
        if (g.containsKey(GraphRole.FAST)) {
            checkFastWindow(g.get(GraphRole.FAST), a, d, (int) m.getRates().getLatencySteps(), problems);
        }
    }

    private static void checkFastWindow(GraphSpec fast, int a, Derived d, int latency, List<String> problems) {
        int nMin = latency + d.observationFrames;
        int nMax = latency + d.slowInterval - 1 + d.observationFrames;
        List<TensorSpec> all = new ArrayList<>(fast.getInputsList());
        all.addAll(fast.getOutputsList());
        for (TensorSpec t : all) {
            TensorRole role = TensorRoles.of(t);
            if (!WINDOWED.contains(role)) {
                continue;
            }
            long perFrame = role == TensorRole.WRENCH_WINDOW ? WRENCH_DIM : a;
            String where = "graph fast: '" + t.getName() + "' shape " + t.getShapeList();
            if (t.getShapeCount() != 3 || t.getShape(2) != perFrame) {
                problems.add(where + " must be [batch, N, " + perFrame + "]");
            } else if (t.getShape(1) != -1 && (t.getShape(1) != nMin || nMin != nMax)) {
                problems.add(where + ": the window N grows from " + nMin + " to " + nMax
                        + " frames, so its dimension 1 must be dynamic (-1)");
            }
        }
    }

    private static void checkNormalisation(Normalisation n, int a, Derived d, List<String> problems) {
        pair("observation", n.getObservationMeanList(), n.getObservationStdList(), d.featureDim, problems);
        pair("action", n.getActionMeanList(), n.getActionStdList(), a, problems);
        pair("state", n.getStateMeanList(), n.getStateStdList(), d.stateDim, problems);
        pair("wrench", n.getWrenchMeanList(), n.getWrenchStdList(), WRENCH_DIM, problems);
    }

    private static void pair(String what, List<Float> mean, List<Float> std, int dim, List<String> problems) {
        if (mean.isEmpty() && std.isEmpty()) {
            return;
        }
        if (mean.size() != dim || std.size() != dim) {
            problems.add("normalisation." + what + "_mean and " + what + "_std must both be empty or hold " + dim
                    + " values, hold " + mean.size() + " and " + std.size());
            return;
        }
        for (int i = 0; i < dim; i++) {
            if (!Float.isFinite(mean.get(i)) || !(std.get(i) > 0f) || !Float.isFinite(std.get(i))) {
                problems.add("normalisation." + what + " component " + i + ": mean must be finite and std finite and > 0, were "
                        + mean.get(i) + " and " + std.get(i));
            }
        }
    }

    private static int commonSize(Map<GraphRole, GraphSpec> g, TensorRole role, boolean input, String what,
            List<String> problems) {
        int size = -1;
        String first = null;
        for (GraphSpec spec : g.values()) {
            TensorSpec t = find(input ? spec.getInputsList() : spec.getOutputsList(), role);
            if (t == null) {
                continue;
            }
            int n = (int) TensorRoles.elements(t, 1);
            String where = "graph " + TensorRoles.graphName(spec.getRole()) + " '" + t.getName() + "'";
            if (size >= 0 && n != size) {
                problems.add(where + " takes " + what + " of " + n + " elements but " + first + " takes " + size);
            }
            if (size < 0) {
                size = n;
                first = where;
            }
        }
        return Math.max(size, 0);
    }

    private static void size(Map<GraphRole, GraphSpec> g, GraphRole graph, TensorRole role, boolean input, long expected,
            String shape, List<String> problems) {
        TensorSpec t = input ? inputOf(g, graph, role) : outputOf(g, graph, role);
        if (t != null && TensorRoles.elements(t, 1) != expected) {
            problems.add("graph " + TensorRoles.graphName(graph) + " " + (input ? "input" : "output") + " '" + t.getName()
                    + "' shape " + t.getShapeList() + " holds " + TensorRoles.elements(t, 1) + " elements, expected " + expected
                    + " (" + shape + ")");
        }
    }

    private static void sameSize(String what, int n, int other, String where, List<String> problems) {
        if (other >= 0 && n != other) {
            problems.add(where + ": " + what + " of " + n + " elements does not match " + other);
        }
    }

    private static TensorSpec inputOf(Map<GraphRole, GraphSpec> g, GraphRole graph, TensorRole role) {
        GraphSpec spec = g.get(graph);
        return spec == null ? null : find(spec.getInputsList(), role);
    }

    private static TensorSpec outputOf(Map<GraphRole, GraphSpec> g, GraphRole graph, TensorRole role) {
        GraphSpec spec = g.get(graph);
        return spec == null ? null : find(spec.getOutputsList(), role);
    }

    static TensorSpec find(List<TensorSpec> tensors, TensorRole role) {
        return TensorRoles.find(tensors, role);
    }

    private static Set<TensorRole> roles(List<TensorSpec> tensors) {
        Set<TensorRole> set = EnumSet.noneOf(TensorRole.class);
        for (TensorSpec t : tensors) {
            TensorRole r = TensorRoles.of(t);
            if (r != null) {
                set.add(r);
            }
        }
        return set;
    }

    private static String names(Set<GraphRole> roles) {
        List<String> out = new ArrayList<>();
        for (GraphRole r : roles) {
            out.add(TensorRoles.graphName(r));
        }
        return String.join(", ", out);
    }

}
