package io.tendon.learner.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.nn.EnsembleNet;
import io.tendon.learner.nn.NetTesting;
import io.tendon.learner.nn.Tensors;
import io.tendon.learner.policy.BasePolicy;
import io.tendon.learner.policy.StateLayout;
import io.tendon.learner.replay.Batch;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * The critic targets and losses against a plain-Java recomputation written separately from the
 * learner (its own statistics, normalisation, MLP forward pass, policy, clamp, targets and
 * losses), on raw data in mixed units (metres beside N/m): values must agree, and the learner's
 * autograd gradients must match central finite differences of the <em>reference</em> loss. The
 * batch has every kind of row: full chunks that bootstrap, chunks truncated after 1 or 2 of 3
 * steps (bootstrap with gamma^n), terminated chunks (no bootstrap), rewards that are not zero
 * past the mask, row weights; a' goes through a non-zero residual and the action bounds.
 */
class ReferenceLossTest {

    private static final int S = 5;
    private static final int H = 3;
    private static final int A = 2;
    private static final int C = H * A;
    private static final int B = 8;
    private static final int K = 3;
    private static final double GAMMA = 0.9;
    private static final double LAMBDA = 0.5;
    private static final double TAU = 0.7;
    private static final StateLayout LAYOUT = new StateLayout(2, 2, 1);
    /** How the raw data is generated: state and action means and spreads (metres, N/m, ...). */
    private static final double[] STATE_MEAN = {0.5, -2, 10, 0.1, 300};
    private static final double[] STATE_SPREAD = {0.01, 1, 5, 0.2, 100};
    private static final double[] ACTION_MEAN = {0.5, 1000};
    private static final double[] ACTION_SPREAD = {0.02, 100};
    private static final float[] RAW_LOWER = {0.5f - 0.014f, 930f};
    private static final float[] RAW_UPPER = {0.5f + 0.018f, 1090f};
    /** valid steps, terminated, truncated of each row. */
    private static final int[][] ROWS = {{3, 0, 0}, {1, 0, 1}, {2, 0, 1}, {2, 1, 0}, {3, 1, 0}, {3, 0, 0}, {2, 0, 1},
        {3, 0, 0}};

    private final Device cpu = NetTesting.cpu();
    private final Batch demos = batch(64, 11);
    private final Batch batch = batch(B, 12);
    private final Units units;
    private final BatchTensors tensors = new BatchTensors(B, S, H, A, cpu, ScalarType.Double);
    private final BasePolicy base = fixtureBase(13);
    private final BoraResidual residual = new BoraResidual(S, H, A, List.of(6, 6), true, cpu, ScalarType.Double, 3, 1e-2,
            0, LAMBDA, 0, 0.2, 0, 0, B);
    private final CurrentPolicy policy = new CurrentPolicy(base, residual, 0.0, S, C, B * 8);
    // The reference's own statistics and bounds, float like the learner's.
    private final float[] sMean = new float[S];
    private final float[] sStd = new float[S];
    private final float[] aMean = new float[A];
    private final float[] aStd = new float[A];
    private final float[] lo = new float[C];
    private final float[] hi = new float[C];

    ReferenceLossTest() {
        Units.Moments sm = new Units.Moments(S);
        Units.Moments am = new Units.Moments(A);
        Units.accumulate(demos, sm, am);
        units = Units.from(sm, am, null, LAYOUT, H);
        tensors.setUnits(units);
        tensors.load(batch);
        policy.setUnits(units);
        float[][] n = units.normalisedChunkBounds(RAW_LOWER, RAW_UPPER);
        policy.setBounds(Tensors.of(n[0], new long[] {1, C}, cpu, ScalarType.Double),
                Tensors.of(n[1], new long[] {1, C}, cpu, ScalarType.Double));
        residual.setClamp(policy::clamp);
        randomise(residual.network(), 21, 0.4);
        referenceStatistics();
    }

    // ---- The data ------------------------------------------------------------------------------

    private static Batch batch(int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Batch b = new Batch(rows, S, H, A);
        b.size = rows;
        for (int row = 0; row < rows; row++) {
            int[] kind = ROWS[row % ROWS.length];
            for (int i = 0; i < S; i++) {
                b.state[row * S + i] = (float) (STATE_MEAN[i] + STATE_SPREAD[i] * r.nextGaussian());
                b.nextState[row * S + i] = (float) (STATE_MEAN[i] + STATE_SPREAD[i] * r.nextGaussian());
            }
            for (int j = 0; j < C; j++) {
                b.action[row * C + j] = (float) (ACTION_MEAN[j % A] + ACTION_SPREAD[j % A] * r.nextGaussian());
                b.policyAction[row * C + j] = b.action[row * C + j];
            }
            for (int i = 0; i < H; i++) {
                // Rewards past the mask are garbage on purpose: they must not count.
                b.rewards[row * H + i] = (float) (i < kind[0] ? r.nextGaussian() : 5 + r.nextGaussian());
                b.validMask[row * H + i] = i < kind[0] ? 1f : 0f;
            }
            b.terminated[row] = kind[1];
            b.truncated[row] = kind[2];
            b.weight[row] = (float) (0.5 + r.nextDouble());
            b.source[row] = 3;
        }
        return b;
    }

    /** A base policy in raw units: mean + spread * tanh(W z), z the state scaled by the generator's constants. */
    private static BasePolicy fixtureBase(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] w = new double[S * C];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextGaussian();
        }
        return new BasePolicy() {
            @Override
            public int stateDim() {
                return S;
            }

            @Override
            public int chunkSize() {
                return C;
            }

            @Override
            public void act(float[] states, int rows, float[] out) {
                for (int row = 0; row < rows; row++) {
                    for (int j = 0; j < C; j++) {
                        double s = 0;
                        for (int i = 0; i < S; i++) {
                            s += (states[row * S + i] - STATE_MEAN[i]) / STATE_SPREAD[i] * w[i * C + j];
                        }
                        out[row * C + j] = (float) (ACTION_MEAN[j % A] + ACTION_SPREAD[j % A] * Math.tanh(s));
                    }
                }
            }

            @Override
            public void close() {
            }
        };
    }

    private static void randomise(EnsembleNet net, long seed, double std) {
        SplittableRandom r = new SplittableRandom(seed);
        TensorVector p = net.parameterList();
        for (long t = 0; t < p.size(); t++) {
            DoublePointer d = p.get(t).data_ptr_double();
            for (long i = 0; i < p.get(t).numel(); i++) {
                d.put(i, d.get(i) + std * r.nextGaussian());
            }
        }
    }

    // ---- The reference -------------------------------------------------------------------------

    /** Mean and sample std per dimension (n - 1), std 1 for a constant dimension; bounds in those units. */
    private void referenceStatistics() {
        for (int i = 0; i < S; i++) {
            double[] v = new double[demos.size];
            for (int row = 0; row < demos.size; row++) {
                v[row] = demos.state[row * S + i];
            }
            sMean[i] = (float) mean(v);
            sStd[i] = (float) std(v);
        }
        for (int j = 0; j < A; j++) {
            // Actions of valid steps only: what follows an episode's end is not data.
            java.util.List<Double> valid = new java.util.ArrayList<>();
            for (int k = 0; k < demos.size * H; k++) {
                if (demos.validMask[k] != 0f) {
                    valid.add((double) demos.action[k * A + j]);
                }
            }
            double[] v = valid.stream().mapToDouble(Double::doubleValue).toArray();
            aMean[j] = (float) mean(v);
            aStd[j] = (float) std(v);
        }
        for (int h = 0; h < H; h++) {
            for (int j = 0; j < A; j++) {
                lo[h * A + j] = (RAW_LOWER[j] - aMean[j]) / aStd[j];
                hi[h * A + j] = (RAW_UPPER[j] - aMean[j]) / aStd[j];
            }
        }
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double std(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        double std = Math.sqrt(s / (v.length - 1));
        return std < 1e-8 ? 1 : std;
    }

    private double[] state(float[] raw, int row) {
        double[] out = new double[S];
        for (int i = 0; i < S; i++) {
            out[i] = (raw[row * S + i] - sMean[i]) / sStd[i];
        }
        return out;
    }

    private double[] chunk(float[] raw, int row) {
        double[] out = new double[C];
        for (int j = 0; j < C; j++) {
            out[j] = (raw[row * C + j] - aMean[j % A]) / aStd[j % A];
        }
        return out;
    }

    /** a' = clip(a_base(s') + lambda * res(s', a_base(s')), lo, hi), training units. */
    private double[] nextAction(int row) {
        float[] raw = new float[C];
        float[] s = java.util.Arrays.copyOfRange(batch.nextState, row * S, row * S + S);
        base.act(s, 1, raw);
        double[] an = chunk(raw, 0);
        double[] res = PlainMlp.of(residual.network()).forward(0, PlainMlp.concat(state(batch.nextState, row), an));
        double[] out = new double[C];
        for (int j = 0; j < C; j++) {
            out[j] = Math.min(hi[j], Math.max(lo[j], an[j] + LAMBDA * res[j]));
        }
        return out;
    }

    /** y_i = sum_{i<=j<n} gamma^(j-i) r_j + gamma^(n-i) (1 - d) boot, per head i. */
    private double[] targets(int row, int heads, double boot) {
        int n = ROWS[row][0];
        double[] y = new double[heads];
        for (int i = 0; i < heads; i++) {
            double g = 0;
            for (int j = i; j < n; j++) {
                g += Math.pow(GAMMA, j - i) * batch.rewards[row * H + j];
            }
            y[i] = g + Math.pow(GAMMA, Math.max(0, n - i)) * (1 - ROWS[row][1]) * boot;
        }
        return y;
    }

    /** mean over members, rows and heads of w_b m_bi (Q_kbi - y_bi)^2 (one head: every row counts). */
    private double tdLoss(CriticEnsemble critic, double[][] y, int heads) {
        PlainMlp q = PlainMlp.of(critic.online());
        double sum = 0;
        for (int k = 0; k < K; k++) {
            for (int row = 0; row < B; row++) {
                double[] out = q.forward(k, PlainMlp.concat(state(batch.state, row), chunk(batch.action, row)));
                for (int i = 0; i < heads; i++) {
                    double mask = heads == 1 ? 1 : batch.validMask[row * H + i];
                    sum += batch.weight[row] * mask * (out[i] - y[row][i]) * (out[i] - y[row][i]);
                }
            }
        }
        return sum / (K * B * heads);
    }

    // ---- Checks --------------------------------------------------------------------------------

    private CriticEnsemble critic(int heads) {
        CriticEnsemble critic = new CriticEnsemble(S, C, heads, List.of(6, 6), true, K, true, cpu, ScalarType.Double, 5,
                1e-3, 0, 0);
        randomise(critic.online(), 31, 0.3);
        randomise(critic.target(), 32, 0.3);
        return critic;
    }

    @Test
    void referenceStatisticsAreTheLearnersUnits() {
        java.util.Properties p = units.toProperties();
        assertEquals(join(sMean), p.getProperty("state.mean"));
        assertEquals(join(aStd), p.getProperty("action.std"));
    }

    private static String join(float[] v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : ",").append(Float.toString(v[i]));
        }
        return b.toString();
    }

    @Test
    void aloeTargetAndCriticLossMatchThePlainJavaReference() {
        CriticEnsemble critic = critic(H);
        ChunkTargets chunkTargets = new ChunkTargets(H, GAMMA, true, cpu, ScalarType.Double);
        AloeCritic aloe = new AloeCritic(critic, chunkTargets, 2, 0.005, null);
        int[] subset = {0, 2};
        double[][] expected = new double[B][];
        PlainMlp target = PlainMlp.of(critic.target());
        boolean residualMatters = false;
        boolean clampBinds = false;
        for (int row = 0; row < B; row++) {
            double[] aNext = nextAction(row);
            double[] sNext = state(batch.nextState, row);
            double boot = Double.POSITIVE_INFINITY;
            for (int k : subset) {
                boot = Math.min(boot, target.forward(k, PlainMlp.concat(sNext, aNext))[0]);
            }
            expected[row] = targets(row, H, boot);
            for (int j = 0; j < C; j++) {
                clampBinds |= aNext[j] == lo[j] || aNext[j] == hi[j];
            }
        }
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor aBase = policy.base(batch.nextState, B, tensors);
            Tensor aFinal = policy.finalChunk(tensors.nextState(), aBase);
            residualMatters = aFinal.sub(aBase).abs().max().item_double() > 0.05;
        }
        assertTrue(residualMatters, "the residual moves a' (else the check could not see it missing)");
        assertTrue(clampBinds, "some entries of a' sit on a bound");
        try (PointerScope scope = new PointerScope()) {
            Tensor y = aloe.targets(tensors, policy, subset);
            double[] got = Tensors.toDoubleArray(y);
            for (int row = 0; row < B; row++) {
                for (int i = 0; i < H; i++) {
                    if (i < ROWS[row][0]) {
                        assertEquals(expected[row][i], got[row * H + i], 1e-5 * Math.max(1, Math.abs(expected[row][i])),
                                "y of row " + row + " head " + i + " (valid " + ROWS[row][0] + ")");
                    }
                }
            }
            double[][] yRef = new double[B][];
            for (int row = 0; row < B; row++) {
                yRef[row] = java.util.Arrays.copyOfRange(got, row * H, row * H + H);
            }
            assertLossAndGradientMatch("L_Q (ALOE, Q-chunking)", critic.online().parameterList(),
                    () -> aloe.loss(tensors, y, null), () -> tdLoss(critic, yRef, H));
        }
    }

    @Test
    void iqlTargetValueLossAndCriticLossMatchThePlainJavaReference() {
        CriticEnsemble critic = critic(1);
        ChunkTargets chunkTargets = new ChunkTargets(H, GAMMA, false, cpu, ScalarType.Double);
        IqlCritic iql = new IqlCritic(critic, chunkTargets, List.of(6, 6), true, TAU, 1e-3, 0, 0.005, null, cpu,
                ScalarType.Double, 8);
        randomise(iql.valueNetwork(), 41, 0.3);
        double[][] expected = new double[B][];
        PlainMlp v = PlainMlp.of(iql.valueNetwork());
        for (int row = 0; row < B; row++) {
            expected[row] = targets(row, 1, v.forward(0, state(batch.nextState, row))[0]);
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor y = iql.targets(tensors);
            double[] got = Tensors.toDoubleArray(y);
            for (int row = 0; row < B; row++) {
                assertEquals(expected[row][0], got[row], 1e-5 * Math.max(1, Math.abs(expected[row][0])), "y of row " + row);
            }
            double[][] yRef = new double[B][];
            for (int row = 0; row < B; row++) {
                yRef[row] = new double[] {got[row]};
            }
            assertLossAndGradientMatch("L_Q (IQL)", critic.online().parameterList(), () -> iql.criticLoss(tensors, y, null),
                    () -> tdLoss(critic, yRef, 1));
        }
        assertLossAndGradientMatch("L_V (expectile)", iql.valueNetwork().parameterList(), () -> iql.valueLoss(tensors),
                () -> valueLoss(critic, iql));
    }

    /** mean_b m_b0 w_b |tau - 1[diff &lt; 0]| diff^2, diff = min_k Q_k(s, a) - V(s). */
    private double valueLoss(CriticEnsemble critic, IqlCritic iql) {
        PlainMlp q = PlainMlp.of(critic.online());
        PlainMlp v = PlainMlp.of(iql.valueNetwork());
        double sum = 0;
        for (int row = 0; row < B; row++) {
            double[] s = state(batch.state, row);
            double minQ = Double.POSITIVE_INFINITY;
            for (int k = 0; k < K; k++) {
                minQ = Math.min(minQ, q.forward(k, PlainMlp.concat(s, chunk(batch.action, row)))[0]);
            }
            double diff = minQ - v.forward(0, s)[0];
            double w = diff > 0 ? TAU : 1 - TAU;
            sum += batch.validMask[row * H] * batch.weight[row] * w * diff * diff;
        }
        return sum / B;
    }

    /**
     * The learner's loss equals the reference's, and its autograd gradient equals central finite
     * differences of the reference loss at every parameter entry.
     */
    private static void assertLossAndGradientMatch(String what, TensorVector params, Supplier<Tensor> learner,
            DoubleSupplier reference) {
        double value;
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            value = learner.get().item_double();
        }
        assertEquals(reference.getAsDouble(), value, 1e-6 * Math.max(1, Math.abs(value)), what + ": loss value");
        int n = (int) params.size();
        double[][] analytic = new double[n][];
        try (PointerScope scope = new PointerScope()) {
            for (int i = 0; i < n; i++) {
                Tensor grad = params.get(i).grad();
                if (grad.defined()) {
                    grad.zero_();
                }
            }
            learner.get().backward();
            for (int i = 0; i < n; i++) {
                analytic[i] = Tensors.toDoubleArray(params.get(i).grad());
            }
        }
        double eps = 1e-6;
        double worst = 0;
        double largest = 0;
        for (int i = 0; i < n; i++) {
            DoublePointer data = params.get(i).data_ptr_double();
            for (int at = 0; at < analytic[i].length; at++) {
                double original = data.get(at);
                data.put(at, original + eps);
                double plus = reference.getAsDouble();
                data.put(at, original - eps);
                double minus = reference.getAsDouble();
                data.put(at, original);
                double numeric = (plus - minus) / (2 * eps);
                double a = analytic[i][at];
                worst = Math.max(worst, Math.abs(numeric - a) / Math.max(1e-4, Math.abs(numeric) + Math.abs(a)));
                largest = Math.max(largest, Math.abs(a));
            }
        }
        assertTrue(worst < 1e-4, what + ": autograd against finite differences of the reference, worst relative error "
                + worst);
        assertTrue(largest > 1e-3, what + ": the gradient is (almost) zero, the check would be vacuous");
    }
}
