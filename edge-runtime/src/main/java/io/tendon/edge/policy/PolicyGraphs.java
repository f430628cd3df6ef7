package io.tendon.edge.policy;

import io.tendon.schemas.bundle.TensorRoles;
import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.TensorRole;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A bundle's loaded graphs and the per-step inputs they share: the normalised observation
 * features, state and wrench, and the latent z. Policy thread only; allocation-free per step.
 */
final class PolicyGraphs implements AutoCloseable {

    final PolicyBundle bundle;
    final BoundGraph encoder;
    final BoundGraph head;
    final BoundGraph prefix;
    final BoundGraph step;
    final BoundGraph guidance;
    final BoundGraph slow;
    final BoundGraph fast;
    final BoundGraph residual;
    /** Normalised features, state and wrench of the current observation. */
    final float[] features;
    final float[] state;
    final float[] wrench = new float[6];
    final float[] latent;
    private final float[] featureMean;
    private final float[] featureStd;
    private final float[] stateMean;
    private final float[] stateStd;
    private final float[] wrenchMean;
    private final float[] wrenchStd;
    private final List<BoundGraph> all = new ArrayList<>();
    private final Map<GraphRole, PolicyGraphSource> updates;
    private final PolicyInstruments latencies;

    /**
     * @param updates    graphs that replace the bundle's (or fill those that arrive by update), by role
     * @param latencies  where each graph's run latencies go
     */
    PolicyGraphs(PolicyBundle bundle, SessionFactory sessions, Map<GraphRole, PolicyGraphSource> updates,
            PolicyInstruments latencies) {
        this.bundle = bundle;
        this.updates = updates;
        this.latencies = latencies;
        try {
            encoder = load(GraphRole.ENCODER, sessions, 1, 1);
            head = load(GraphRole.HEAD, sessions, 1, 1);
            prefix = load(GraphRole.PREFIX, sessions, 1, 1);
            step = load(GraphRole.STEP, sessions, 1, 1);
            guidance = load(GraphRole.GUIDANCE, sessions, 1, 1);
            slow = load(GraphRole.SLOW, sessions, 1, 1);
            fast = load(GraphRole.FAST, sessions, bundle.windowMin, bundle.windowMax);
            residual = load(GraphRole.RESIDUAL, sessions, 1, 1);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        features = new float[bundle.featureDim];
        state = new float[bundle.stateDim];
        latent = new float[bundle.latentDim];
        featureMean = bundle.observationMean();
        featureStd = bundle.observationStd();
        stateMean = bundle.stateMean();
        stateStd = bundle.stateStd();
        wrenchMean = bundle.wrenchMean();
        wrenchStd = bundle.wrenchStd();
    }

    private BoundGraph load(GraphRole role, SessionFactory sessions, int windowMin, int windowMax) {
        if (!bundle.has(role)) {
            return null;
        }
        String name = TensorRoles.graphName(role);
        PolicyGraphSource update = updates.get(role);
        byte[] model;
        String what;
        if (update != null) {
            model = update.bytes();
            what = "graph " + name + " (" + update.description() + ")";
        } else if (bundle.file(role) != null) {
            what = "graph " + name + " (" + bundle.graph(role).getFile() + ")";
            try {
                model = Files.readAllBytes(bundle.file(role));
            } catch (IOException e) {
                throw new PolicyBundleException(what + ": cannot read " + bundle.file(role) + ": " + e, e);
            }
        } else if (bundle.fromUpdate(role) && !requiredBy(bundle, role)) {
            return null; // an optional graph (a residual, an encoder) not delivered yet: run without it
        } else {
            throw new PolicyBundleException("graph " + name + " of bundle " + bundle.policyId()
                    + " arrives by policy update and none is there yet");
        }
        BoundGraph g = BoundGraph.load(bundle, role, model, what, sessions, windowMin, windowMax, latencies.graph(name));
        all.add(g);
        return g;
    }

    /** True when the bundle's mode cannot run without graph {@code role}. */
    static boolean requiredBy(PolicyBundle bundle, GraphRole role) {
        return switch (bundle.mode) {
            case CHUNK -> role == GraphRole.HEAD;
            case FLOW -> role == GraphRole.STEP;
            case TWO_RATE -> role == GraphRole.SLOW || role == GraphRole.FAST;
            default -> true;
        };
    }

    List<BoundGraph> all() {
        return all;
    }

    /** Normalises the observation's features, state and wrench into this object's arrays. */
    void normalise(Observation obs) {
        normalise(obs.features, featureMean, featureStd, features);
        normalise(obs.state, stateMean, stateStd, state);
        normalise(obs.wrench, wrenchMean, wrenchStd, wrench);
    }

    /** z = enc(features), or the normalised features themselves when the bundle has no encoder. */
    void computeLatent() {
        if (encoder == null) {
            System.arraycopy(features, 0, latent, 0, latent.length);
            return;
        }
        encoder.input(TensorRole.OBSERVATION).write(features, 0, features.length);
        encoder.run();
        encoder.output(TensorRole.LATENT).read(latent, 0, latent.length);
    }

    /** Writes latent and state into the graph's LATENT and STATE inputs, where it has them. */
    void writeLatentAndState(BoundGraph g) {
        TensorSlot l = g.input(TensorRole.LATENT);
        if (l != null) {
            l.write(latent, 0, latent.length);
        }
        TensorSlot s = g.input(TensorRole.STATE);
        if (s != null) {
            s.write(state, 0, state.length);
        }
    }

    private static void normalise(float[] raw, float[] mean, float[] std, float[] out) {
        if (mean.length == 0) {
            System.arraycopy(raw, 0, out, 0, out.length);
            return;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = (raw[i] - mean[i]) / std[i];
        }
    }

    @Override
    public void close() {
        for (BoundGraph g : all) {
            g.close();
        }
        all.clear();
    }
}
