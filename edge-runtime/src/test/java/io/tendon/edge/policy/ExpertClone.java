package io.tendon.edge.policy;

import io.tendon.schemas.onnx.OnnxOps;
import io.tendon.edge.sim.SimFeatures;
import io.tendon.edge.step.StepObservation;
import io.tendon.edge.control.ControlSettings;
import io.tendon.edge.control.Targets;
import io.tendon.schemas.v1.ActionLayout;
import io.tendon.schemas.v1.ActionLayoutKind;
import io.tendon.schemas.v1.BundleManifest;
import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.PolicyMode;
import io.tendon.schemas.v1.Rates;
import io.tendon.schemas.v1.TensorRole;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;

/**
 * A small MLP head cloned from the scripted expert's demonstrations (behaviour cloning), for
 * the end-to-end simulator test. Features: TCP position, hole estimate, contact force, vertical
 * speed. Output: the expert's next H action rows in the reference layout-1 form the expert
 * itself emits (POSE_TARGET_STIFFNESS, 13 wide: pose, virtual target, one stiffness along pose to
 * virtual target), so a demonstration is fitted exactly as the controller received it, with no
 * translation of the scalar form into per-axis values.
 *
 * <p>The network: one hidden ReLU layer of random features, plus a linear path from the
 * features, read out by a linear layer fitted by ridge regression (closed form, deterministic).
 * A fixed skip connection adds the hole estimate to the target positions, so the fitted part
 * learns where to go relative to the hole. Exported with tribuo-util-onnx as one graph over raw
 * features (normalisation folded into the weights).
 */
final class ExpertClone {

    static final int FEATURES = 10;
    static final int A = 13;
    static final int HIDDEN = 256;
    /** (action component, feature) pairs of the skip connection: x, y, z targets follow the estimate. */
    private static final int[][] SKIP = {{0, 3}, {1, 4}, {2, 5}, {6, 3}, {7, 4}, {8, 5}};

    private final List<float[]> features = new ArrayList<>();
    private final List<double[]> actions = new ArrayList<>();
    private final List<Long> episodes = new ArrayList<>();
    private final int horizon;
    private final ControlSettings control;
    private double[] trainError;
    private byte[] graph;

    ExpertClone(int horizon, ControlSettings control) {
        this.horizon = horizon;
        this.control = control;
    }

    /** What the head sees of an observation. */
    static void features(StepObservation o, float[] f) {
        f[0] = (float) o.tcpPose[0];
        f[1] = (float) o.tcpPose[1];
        f[2] = (float) o.tcpPose[2];
        f[3] = o.features[SimFeatures.HOLE_ESTIMATE];
        f[4] = o.features[SimFeatures.HOLE_ESTIMATE + 1];
        f[5] = o.features[SimFeatures.HOLE_ESTIMATE + 2];
        f[6] = (float) o.wrench[0];
        f[7] = (float) o.wrench[1];
        f[8] = (float) o.wrench[2];
        f[9] = (float) o.tcpTwist[2];
    }

    /** Records one demonstrated step: what the expert saw and the targets it set (scalar form). */
    void record(long episode, StepObservation seen, Targets did) {
        float[] f = new float[FEATURES];
        features(seen, f);
        if (!did.scalarStiffness) {
            throw new IllegalArgumentException("the scripted expert acts in the scalar-stiffness form (layout 1)");
        }
        double[] a = new double[A];
        for (int i = 0; i < 6; i++) {
            a[i] = did.pose[i];
            a[6 + i] = did.virtualTarget[i];
        }
        a[12] = did.stiffnessAlongTarget;
        features.add(f);
        actions.add(a);
        episodes.add(episode);
    }

    int samples() {
        return features.size();
    }

    /** Mean absolute training error per action component (raw units). */
    double[] trainError() {
        return trainError;
    }

    /** Fits the readout and builds the ONNX graph: observation [1, 10] -> actions [1, H, 13]. */
    void fit(long seed) {
        int n = features.size();
        int out = A * horizon;
        double[] mu = new double[FEATURES];
        double[] sd = new double[FEATURES];
        for (float[] x : features) {
            for (int i = 0; i < FEATURES; i++) {
                mu[i] += x[i] / n;
            }
        }
        for (float[] x : features) {
            for (int i = 0; i < FEATURES; i++) {
                sd[i] += (x[i] - mu[i]) * (x[i] - mu[i]) / n;
            }
        }
        for (int i = 0; i < FEATURES; i++) {
            sd[i] = Math.sqrt(sd[i]) + 1e-6;
        }
        SplittableRandom r = new SplittableRandom(seed);
        double[][] w1 = new double[FEATURES][HIDDEN];
        double[] b1 = new double[HIDDEN];
        for (int i = 0; i < FEATURES; i++) {
            for (int j = 0; j < HIDDEN; j++) {
                w1[i][j] = r.nextGaussian();
            }
        }
        for (int j = 0; j < HIDDEN; j++) {
            b1[j] = r.nextGaussian();
        }
        int d = HIDDEN + FEATURES + 1;
        DMatrixRMaj phi = new DMatrixRMaj(n, d);
        DMatrixRMaj y = new DMatrixRMaj(n, out);
        for (int k = 0; k < n; k++) {
            double[] z = new double[FEATURES];
            for (int i = 0; i < FEATURES; i++) {
                z[i] = (features.get(k)[i] - mu[i]) / sd[i];
            }
            for (int j = 0; j < HIDDEN; j++) {
                double s = b1[j];
                for (int i = 0; i < FEATURES; i++) {
                    s += z[i] * w1[i][j];
                }
                phi.set(k, j, Math.max(0, s));
            }
            for (int i = 0; i < FEATURES; i++) {
                phi.set(k, HIDDEN + i, z[i]);
            }
            phi.set(k, d - 1, 1);
            for (int h = 0; h < horizon; h++) {
                // Row h: the expert's action h steps later in the same episode (the last one repeats).
                int later = k;
                while (later < k + h && later + 1 < n && episodes.get(later + 1).equals(episodes.get(k))) {
                    later++;
                }
                double[] a = actions.get(later).clone();
                for (int[] s : SKIP) {
                    a[s[0]] -= features.get(k)[s[1]];
                }
                for (int c = 0; c < A; c++) {
                    y.set(k, h * A + c, a[c]);
                }
            }
        }
        DMatrixRMaj gram = new DMatrixRMaj(d, d);
        CommonOps_DDRM.multTransA(phi, phi, gram);
        for (int i = 0; i < d; i++) {
            gram.add(i, i, 1e-3);
        }
        DMatrixRMaj rhs = new DMatrixRMaj(d, out);
        CommonOps_DDRM.multTransA(phi, y, rhs);
        DMatrixRMaj w2 = new DMatrixRMaj(d, out);
        if (!CommonOps_DDRM.solve(gram, rhs, w2)) {
            throw new IllegalStateException("ridge system is singular");
        }
        DMatrixRMaj predicted = new DMatrixRMaj(n, out);
        CommonOps_DDRM.mult(phi, w2, predicted);
        trainError = new double[A];
        for (int k = 0; k < n; k++) {
            for (int c = 0; c < A; c++) {
                trainError[c] += Math.abs(predicted.get(k, c) - y.get(k, c)) / n;
            }
        }
        // Fold the feature normalisation into the weights so that the graph takes raw features.
        float[] hiddenW = new float[FEATURES * HIDDEN];
        float[] hiddenB = new float[HIDDEN];
        for (int j = 0; j < HIDDEN; j++) {
            double s = b1[j];
            for (int i = 0; i < FEATURES; i++) {
                hiddenW[i * HIDDEN + j] = (float) (w1[i][j] / sd[i]);
                s -= w1[i][j] * mu[i] / sd[i];
            }
            hiddenB[j] = (float) s;
        }
        float[] readW = new float[HIDDEN * out];
        float[] linearW = new float[FEATURES * out];
        float[] readB = new float[out];
        for (int j = 0; j < HIDDEN; j++) {
            for (int c = 0; c < out; c++) {
                readW[j * out + c] = (float) w2.get(j, c);
            }
        }
        for (int c = 0; c < out; c++) {
            double s = w2.get(d - 1, c);
            for (int i = 0; i < FEATURES; i++) {
                linearW[i * out + c] = (float) (w2.get(HIDDEN + i, c) / sd[i]);
                s -= w2.get(HIDDEN + i, c) * mu[i] / sd[i];
            }
            readB[c] = (float) s;
        }
        for (int h = 0; h < horizon; h++) {
            for (int[] s : SKIP) {
                linearW[s[1] * out + h * A + s[0]] += 1f;
            }
        }
        TestGraphs.Builder b = new TestGraphs.Builder();
        ONNXPlaceholder x = b.input(TestGraphs.Port.f("observation", -1, FEATURES));
        ONNXNode hidden = b.op(OnnxOps.RELU, b.op(ONNXOperators.GEMM, x, b.floats(hiddenW, FEATURES, HIDDEN),
                b.floats(hiddenB, HIDDEN)));
        ONNXNode read = b.op(ONNXOperators.GEMM, hidden, b.floats(readW, HIDDEN, out), b.floats(readB, out));
        ONNXNode linear = b.op(OnnxOps.MATMUL, x, b.floats(linearW, FEATURES, out));
        b.output(b.reshape(b.op(ONNXOperators.ADD, read, linear), 1, horizon, A),
                TestGraphs.Port.f("actions", -1, horizon, A));
        graph = b.build();
    }

    /**
     * Writes the bundle: CHUNK mode at the simulator's step rate, H rows replanned every step
     * (exec_horizon 1, no latency: the simulated clock stands still while the policy thinks),
     * the features fed straight to the head as its latent, bounds from the control settings.
     */
    Path writeBundle(Path dir, int policyHz) {
        ActionLayout.Builder layout = ActionLayout.newBuilder().setKind(ActionLayoutKind.POSE_TARGET_STIFFNESS);
        double[] lower = {-1, -1, -0.1, -Math.PI, -Math.PI, -Math.PI, -1, -1, -0.1, -Math.PI, -Math.PI, -Math.PI,
            control.stiffnessMinLinear};
        double[] upper = {1, 1, 0.5, Math.PI, Math.PI, Math.PI, 1, 1, 0.5, Math.PI, Math.PI, Math.PI,
            control.stiffnessMaxLinear};
        for (int i = 0; i < A; i++) {
            layout.addLower((float) lower[i]).addUpper((float) upper[i]);
        }
        BundleManifest manifest = BundleManifest.newBuilder()
                .setManifestVersion(1)
                .setPolicyId("sim-expert-clone")
                .setVersion(1)
                .setMode(PolicyMode.CHUNK)
                .setRates(Rates.newBuilder().setControlHz(control.rateHz).setPolicyHz(policyHz)
                        .setChunkLength(horizon).setExecHorizon(1).setLatencySteps(0))
                .addGraphs(TestBundles.graph(GraphRole.HEAD, "head.onnx",
                        List.of(TestBundles.f32("observation", 1, FEATURES).toBuilder().setRole(TensorRole.LATENT).build()),
                        List.of(TestBundles.f32("actions", 1, horizon, A))))
                .setActionLayout(layout)
                .build();
        return TestBundles.write(dir, manifest, Map.of("head.onnx", graph));
    }
}
