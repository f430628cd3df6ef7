package io.tendon.learner.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.nn.NetTesting;
import io.tendon.learner.nn.Tensors;
import io.tendon.learner.policy.BasePolicy;
import io.tendon.learner.replay.Batch;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * Known answers that the wrong formula would miss: the value loss converges to the tau = 0.7
 * expectile and not to the mean; non-terminal chains bootstrap through the subset-min, a' and
 * V(s'); a' carries the residual; truncated chunks bootstrap with gamma^n; the hinge with its
 * margin gives another residual than plain -Q maximisation.
 */
class BootstrapAnswersTest {

    private final Device cpu = NetTesting.cpu();

    /** A base policy that proposes the same chunk everywhere (raw = training units here). */
    private static BasePolicy constantBase(int stateDim, float[] chunk) {
        return new BasePolicy() {
            @Override
            public int stateDim() {
                return stateDim;
            }

            @Override
            public int chunkSize() {
                return chunk.length;
            }

            @Override
            public void act(float[] states, int rows, float[] out) {
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(chunk, 0, out, r * chunk.length, chunk.length);
                }
            }

            @Override
            public void close() {
            }
        };
    }

    private static void oneHot(float[] into, int row, int dim, int hot) {
        Arrays.fill(into, row * dim, row * dim + dim, 0f);
        into[row * dim + hot] = 1f;
    }

    // ---- Value loss direction ------------------------------------------------------------------

    /** The weighted tau-expectile: the v with sum w |tau - 1[x &lt; v]| (x - v) = 0, by bisection. */
    static double expectile(double[] xs, double[] w, double tau) {
        double lo = Arrays.stream(xs).min().orElseThrow();
        double hi = Arrays.stream(xs).max().orElseThrow();
        for (int it = 0; it < 200; it++) {
            double v = (lo + hi) / 2;
            double g = 0;
            for (int i = 0; i < xs.length; i++) {
                g += w[i] * (xs[i] > v ? tau : 1 - tau) * (xs[i] - v);
            }
            if (g > 0) {
                lo = v;
            } else {
                hi = v;
            }
        }
        return (lo + hi) / 2;
    }

    @Test
    void theValueNetConvergesToTheUpperExpectileOfQNotToItsMean() {
        int s = 3;
        int h = 2;
        int a = 1;
        double[] armValues = {1, 2, 3, 4, 10};
        int rows = 20;
        Batch batch = new Batch(rows, s, h, a);
        batch.size = rows;
        float[] y = new float[rows];
        for (int row = 0; row < rows; row++) {
            int arm = row % armValues.length;
            batch.state[row * s] = 0.3f;
            batch.action[row * h * a] = arm - 2f;
            batch.action[row * h * a + 1] = (arm % 2) - 0.5f;
            Arrays.fill(batch.validMask, row * h, row * h + h, 1f);
            batch.weight[row] = row < armValues.length ? 1f : 0.5f;
            y[row] = (float) armValues[arm];
        }
        BatchTensors tensors = new BatchTensors(rows, s, h, a, cpu, ScalarType.Float);
        tensors.load(batch);
        CriticEnsemble critic = new CriticEnsemble(s, h * a, 1, List.of(32, 32), false, 2, true, cpu, ScalarType.Float, 3,
                1e-2, 0, 0);
        Tensor target = Tensors.of(y, new long[] {1, rows, 1}, cpu, ScalarType.Float);
        for (int step = 0; step < 800; step++) {
            try (PointerScope scope = new PointerScope()) {
                Tensor loss = critic.q(tensors.state(), tensors.action()).sub(target).square().mean();
                critic.optimiser().zeroGrad();
                loss.backward();
                critic.optimiser().step();
            }
        }
        double[] q;
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            q = Tensors.toDoubleArray(critic.minQ(tensors.state(), tensors.action()));
        }
        double[] w = new double[rows];
        double mean = 0;
        double total = 0;
        for (int row = 0; row < rows; row++) {
            w[row] = batch.weight[row];
            mean += w[row] * q[row];
            total += w[row];
        }
        mean /= total;
        double expected = expectile(q, w, 0.7);
        assertTrue(expected - mean > 0.5, "the batch tells the expectile (" + expected + ") from the mean (" + mean + ")");

        IqlCritic iql = new IqlCritic(critic, new ChunkTargets(h, 0.9, false, cpu, ScalarType.Float), List.of(16), false,
                0.7, 1e-2, 0, 0.005, null, cpu, ScalarType.Float, 4);
        for (int step = 0; step < 1500; step++) {
            try (PointerScope scope = new PointerScope()) {
                Tensor lv = iql.valueLoss(tensors);
                iql.valueOptimiser().zeroGrad();
                lv.backward();
                iql.valueOptimiser().step();
            }
        }
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            double v = iql.v(tensors.state()).mean().item_double();
            assertEquals(expected, v, 0.05, "V(s) is the weighted 0.7-expectile of Q(s, a) over the batch (mean " + mean + ")");
        }
    }

    // ---- Bootstrapping on a chain that never terminates ----------------------------------------

    /** Two states visited in turn, H = 2: Q(s0) = R0 + gamma^2 Q(s1), Q(s1) = R1 + gamma^2 Q(s0). */
    private static final double[][] CYCLE_REWARDS = {{1.0, 0.5}, {-0.5, 0.25}};
    private static final double CYCLE_GAMMA = 0.8;

    private static double[] cycleValues() {
        double g = CYCLE_GAMMA;
        double r0 = CYCLE_REWARDS[0][0] + g * CYCLE_REWARDS[0][1];
        double r1 = CYCLE_REWARDS[1][0] + g * CYCLE_REWARDS[1][1];
        double g2 = g * g;
        double q0 = (r0 + g2 * r1) / (1 - g2 * g2);
        return new double[] {q0, r1 + g2 * q0};
    }

    private static Batch cycleBatch(SplittableRandom random, int rows, int a) {
        int s = 2;
        int h = 2;
        Batch b = new Batch(rows, s, h, a);
        b.size = rows;
        for (int row = 0; row < rows; row++) {
            int i = row % 2;
            oneHot(b.state, row, s, i);
            oneHot(b.nextState, row, s, 1 - i);
            for (int j = 0; j < h * a; j++) {
                b.action[row * h * a + j] = (float) (random.nextDouble() * 2 - 1);
            }
            for (int j = 0; j < h; j++) {
                b.rewards[row * h + j] = (float) CYCLE_REWARDS[i][j];
                b.validMask[row * h + j] = 1f;
            }
            b.weight[row] = 1f;
        }
        return b;
    }

    @Test
    void aChainThatNeverTerminatesBootstrapsToItsKnownValueThroughTheSubsetMinAndThroughV() {
        int s = 2;
        int h = 2;
        int a = 2;
        int rows = 16;
        double[] expected = cycleValues();
        for (boolean offline : new boolean[] {false, true}) {
            CriticEnsemble critic = new CriticEnsemble(s, h * a, 1, List.of(32, 32), true, 3, true, cpu, ScalarType.Float,
                    11, 3e-3, 0, 10);
            ChunkTargets targets = new ChunkTargets(h, CYCLE_GAMMA, false, cpu, ScalarType.Float);
            BatchTensors tensors = new BatchTensors(rows, s, h, a, cpu, ScalarType.Float);
            BoraResidual residual = new BoraResidual(s, h, a, List.of(8), false, cpu, ScalarType.Float, 1, 1e-3, 0, 0.1, 0,
                    0.1, 0, 0, rows);
            CurrentPolicy policy = new CurrentPolicy(TestBatches.linearPolicy(s, h * a, 5), residual, 0, s, h * a, rows);
            AloeCritic aloe = new AloeCritic(critic, targets, 2, 0.05, null);
            IqlCritic iql = new IqlCritic(critic, targets, List.of(32), false, 0.7, 3e-3, 10, 0.05, null, cpu,
                    ScalarType.Float, 2);
            SplittableRandom random = new SplittableRandom(6);
            for (int step = 0; step < 2000; step++) {
                tensors.load(cycleBatch(random, rows, a));
                try (PointerScope scope = new PointerScope()) {
                    if (offline) {
                        iql.update(tensors, policy);
                    } else {
                        aloe.update(tensors, policy, random);
                    }
                }
            }
            tensors.load(cycleBatch(random, rows, a));
            try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                float[] q = Tensors.toArray(critic.minQ(tensors.state(), tensors.action()));
                for (int row = 0; row < 4; row++) {
                    assertEquals(expected[row % 2], q[row], 0.04 * Math.abs(expected[row % 2]),
                            (offline ? "IQL, V(s')" : "ALOE, subset-min at a'") + ": Q(s" + row % 2 + ")");
                }
            }
        }
    }

    // ---- a' carries the residual -----------------------------------------------------------------

    @Test
    void theCriticsNextActionIsTheBasePlusTheResidual() {
        // s0 -> s1 with reward 0; from s1 one chunk whose reward is the action itself
        // (r_i = a_i), then the episode ends. Q(s0) = gamma^H * Q(s1, a'), a' = the current policy at s1.
        int s = 2;
        int h = 2;
        int a = 1;
        int rows = 16;
        double gamma = 0.9;
        float baseAction = 0.1f;
        double lambda = 0.5;
        CriticEnsemble critic = new CriticEnsemble(s, h * a, 1, List.of(32, 32), true, 2, true, cpu, ScalarType.Float, 13,
                3e-3, 0, 10);
        ChunkTargets targets = new ChunkTargets(h, gamma, false, cpu, ScalarType.Float);
        BatchTensors tensors = new BatchTensors(rows, s, h, a, cpu, ScalarType.Float);
        BoraResidual residual = new BoraResidual(s, h, a, List.of(8), false, cpu, ScalarType.Float, 1, 1e-3, 0, lambda, 0,
                0.1, 0, 0, rows);
        // The residual's output layer starts at zero; its bias alone makes res = 1 everywhere.
        TensorVector p = residual.network().parameterList();
        p.get(p.size() - 1).data_ptr_float().put(new float[] {1f, 1f});
        CurrentPolicy policy = new CurrentPolicy(constantBase(s, new float[] {baseAction, baseAction}), residual, 0, s,
                h * a, rows);
        AloeCritic aloe = new AloeCritic(critic, targets, 2, 0.05, null);
        SplittableRandom random = new SplittableRandom(9);
        Batch b = new Batch(rows, s, h, a);
        b.size = rows;
        for (int step = 0; step < 2500; step++) {
            for (int row = 0; row < rows; row++) {
                int i = row % 2;
                oneHot(b.state, row, s, i);
                oneHot(b.nextState, row, s, 1);
                for (int j = 0; j < h; j++) {
                    b.action[row * h + j] = (float) (random.nextDouble() * 2 - 1);
                    b.rewards[row * h + j] = i == 0 ? 0f : b.action[row * h + j];
                    b.validMask[row * h + j] = 1f;
                }
                b.terminated[row] = i;
                b.weight[row] = 1f;
            }
            tensors.load(b);
            try (PointerScope scope = new PointerScope()) {
                aloe.update(tensors, policy, random);
            }
        }
        double withResidual = gamma * gamma * (1 + gamma) * (baseAction + lambda);
        double baseAlone = gamma * gamma * (1 + gamma) * baseAction;
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            double q0 = critic.minQ(tensors.state(), tensors.action()).select(0, 0).item_double();
            assertEquals(withResidual, q0, 0.06, "Q(s0) = gamma^H Q(s1, a_base + lambda res); the base alone gives "
                    + baseAlone);
        }
    }

    // ---- Truncation ------------------------------------------------------------------------------

    /** A ring of P positions, one step each; it never terminates. r(p) per step. */
    private static final double[] RING_REWARDS = {1.0, -0.5, 0.3};
    private static final int P = RING_REWARDS.length;
    private static final int RING_H = 4;
    private static final double RING_GAMMA = 0.9;

    /** V(p) = sum_k gamma^k r(p + k) = sum_{k&lt;P} gamma^k r(p + k) / (1 - gamma^P). */
    static double ringValue(int p) {
        double v = 0;
        for (int k = 0; k < P; k++) {
            v += Math.pow(RING_GAMMA, k) * RING_REWARDS[(p + k) % P];
        }
        return v / (1 - Math.pow(RING_GAMMA, P));
    }

    /**
     * Chunks of H = 4 steps from random positions; half are cut by a time-out after n &lt; H
     * steps (truncated, not terminated), s' being the position after the last valid step.
     * Rewards past the mask are large garbage.
     */
    private static Batch ringBatch(SplittableRandom random, int rows, int a) {
        Batch b = new Batch(rows, P, RING_H, a);
        b.size = rows;
        for (int row = 0; row < rows; row++) {
            int p = row % P;
            int n = random.nextBoolean() ? RING_H : 1 + random.nextInt(RING_H - 1);
            oneHot(b.state, row, P, p);
            oneHot(b.nextState, row, P, (p + n) % P);
            for (int j = 0; j < RING_H * a; j++) {
                b.action[row * RING_H * a + j] = (float) (random.nextDouble() * 2 - 1);
            }
            for (int i = 0; i < RING_H; i++) {
                b.validMask[row * RING_H + i] = i < n ? 1f : 0f;
                b.rewards[row * RING_H + i] = i < n ? (float) RING_REWARDS[(p + i) % P] : 7f;
            }
            b.terminated[row] = 0f;
            b.truncated[row] = n < RING_H ? 1f : 0f;
            b.weight[row] = 1f;
        }
        return b;
    }

    @Test
    void chunksTruncatedAtRandomStepsBootstrapWithGammaToTheValidStepsAndGiveTheKnownReturn() {
        int a = 1;
        int rows = 24;
        for (boolean offline : new boolean[] {false, true}) {
            boolean perStepHeads = !offline;
            int heads = perStepHeads ? RING_H : 1;
            CriticEnsemble critic = new CriticEnsemble(P, RING_H * a, heads, List.of(48, 48), true, 2, true, cpu,
                    ScalarType.Float, 17, 3e-3, 0, 10);
            ChunkTargets targets = new ChunkTargets(RING_H, RING_GAMMA, perStepHeads, cpu, ScalarType.Float);
            BatchTensors tensors = new BatchTensors(rows, P, RING_H, a, cpu, ScalarType.Float);
            BoraResidual residual = new BoraResidual(P, RING_H, a, List.of(8), false, cpu, ScalarType.Float, 1, 1e-3, 0,
                    0.1, 0, 0.1, 0, 0, rows);
            CurrentPolicy policy = new CurrentPolicy(TestBatches.linearPolicy(P, RING_H * a, 5), residual, 0, P,
                    RING_H * a, rows);
            AloeCritic aloe = new AloeCritic(critic, targets, 2, 0.05, null);
            IqlCritic iql = new IqlCritic(critic, targets, List.of(32), false, 0.7, 3e-3, 10, 0.05, null, cpu,
                    ScalarType.Float, 2);
            SplittableRandom random = new SplittableRandom(10);
            for (int step = 0; step < 2000; step++) {
                tensors.load(ringBatch(random, rows, a));
                try (PointerScope scope = new PointerScope()) {
                    if (offline) {
                        iql.update(tensors, policy);
                    } else {
                        aloe.update(tensors, policy, random);
                    }
                }
            }
            Batch probe = ringBatch(random, rows, a);
            tensors.load(probe);
            try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                float[] q = Tensors.toArray(critic.q(tensors.state(), tensors.action()).amin(new long[] {0}, false));
                for (int row = 0; row < P; row++) {
                    for (int head = 0; head < heads; head++) {
                        // Head i scores the chunk from position i on: V(p + i).
                        double expected = ringValue((row + head) % P);
                        assertEquals(expected, q[row * heads + head], 0.04 * Math.max(1, Math.abs(expected)),
                                (offline ? "IQL" : "ALOE") + ": Q of position " + row + ", head " + head);
                    }
                }
            }
        }
    }

    // ---- Hinge and margin ------------------------------------------------------------------------

    @Test
    void theHingeWithItsMarginGivesItsOwnResidualNotThePlainQMaximiser() {
        // Q(s, a) = -|a - (a_base(s) + 1)|^2 and a BC term of weight C toward a_base: per entry
        // the hinge (always active with this margin) doubles the pull toward the best action,
        // so a_final = a_base + 2/3; maximising -Q alone with the same BC term gives a_base + 1/2.
        int s = 3;
        int h = 2;
        int a = 1;
        int c = h * a;
        int rows = 32;
        float[] m = NetTesting.gaussian(s * c, 3);
        Batch batch = TestBatches.random(rows, s, h, a, 21);
        Arrays.fill(batch.interventionMask, 0f);
        Arrays.fill(batch.weight, 1f);
        BasePolicy base = new BasePolicy() {
            @Override
            public int stateDim() {
                return s;
            }

            @Override
            public int chunkSize() {
                return c;
            }

            @Override
            public void act(float[] states, int n, float[] out) {
                for (int row = 0; row < n; row++) {
                    for (int j = 0; j < c; j++) {
                        float v = 0;
                        for (int i = 0; i < s; i++) {
                            v += states[row * s + i] * m[i * c + j];
                        }
                        out[row * c + j] = v;
                    }
                }
            }

            @Override
            public void close() {
            }
        };
        Tensor mt = Tensors.of(m, new long[] {s, c}, cpu, ScalarType.Float);
        QFunction q = (state, chunk) -> chunk.sub(state.matmul(mt).add(new Scalar(1.0))).square()
                .sum(new long[] {1}, true, new ScalarTypeOptional()).neg();
        BatchTensors tensors = new BatchTensors(rows, s, h, a, cpu, ScalarType.Float);
        tensors.load(batch);
        BoraResidual residual = new BoraResidual(s, h, a, List.of(32, 32), false, cpu, ScalarType.Float, 4, 3e-3, 0, 1.0,
                0, 2.0 * c, c, 0, rows);
        CurrentPolicy policy = new CurrentPolicy(base, residual, 0, s, c, rows);
        SplittableRandom random = new SplittableRandom(2);
        for (int step = 0; step < 1500; step++) {
            try (PointerScope scope = new PointerScope()) {
                residual.update(tensors, policy.base(batch.state, rows, tensors), q, random);
            }
        }
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor aBase = policy.base(batch.state, rows, tensors);
            double shift = residual.act(tensors.state(), aBase).sub(aBase).mean().item_double();
            assertEquals(2.0 / 3.0, shift, 0.03, "the hinge's optimum a_base + 2/3 (plain -Q: a_base + 1/2)");
        }
    }
}
