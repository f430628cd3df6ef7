package io.tendon.learner.algo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.nn.NetTesting;
import io.tendon.learner.nn.Optimiser;
import io.tendon.learner.nn.Tensors;
import io.tendon.learner.replay.Batch;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/** The algorithms on small problems whose answers are known in closed form. */
class KnownAnswerTest {

    private final Device cpu = NetTesting.cpu();

    // ---- Expectile -----------------------------------------------------------------------

    /** The tau-expectile of xs by bisection on sum |tau - 1[x < v]| (x - v) = 0. */
    static double expectile(double[] xs, double tau) {
        double lo = Arrays.stream(xs).min().orElseThrow();
        double hi = Arrays.stream(xs).max().orElseThrow();
        for (int i = 0; i < 200; i++) {
            double v = (lo + hi) / 2;
            double g = 0;
            for (double x : xs) {
                g += (x > v ? tau : 1 - tau) * (x - v);
            }
            if (g > 0) {
                lo = v;
            } else {
                hi = v;
            }
        }
        return (lo + hi) / 2;
    }

    /** Minimises the learner's expectile loss over a scalar V with its own optimiser. */
    private double fitExpectile(double[] xs, double tau) {
        Tensor v = Tensors.of(new float[] {0f}, new long[] {1, 1}, cpu, ScalarType.Double);
        v.set_requires_grad(true);
        float[] sample = new float[xs.length];
        for (int i = 0; i < xs.length; i++) {
            sample[i] = (float) xs[i];
        }
        Tensor x = Tensors.of(sample, new long[] {xs.length, 1}, cpu, ScalarType.Double);
        Tensor ones = Tensors.of(new float[xs.length], new long[] {xs.length, 1}, cpu, ScalarType.Double).add(new Scalar(1.0));
        Optimiser opt = new Optimiser(new TensorVector(v), 0.05, 0, 0);
        for (int step = 0; step < 4000; step++) {
            try (PointerScope scope = new PointerScope()) {
                opt.zeroGrad();
                IqlCritic.expectileLoss(x.sub(v), tau, ones).backward();
                opt.step();
            }
        }
        try (PointerScope scope = new PointerScope()) {
            return v.item_double();
        }
    }

    @Test
    void expectileLossFindsTheMeanAtOneHalfAndApproachesTheMaximumAsTauGoesToOne() {
        double[] xs = {1, 2, 3, 4, 10};
        assertEquals(4.0, fitExpectile(xs, 0.5), 1e-3, "tau = 0.5 is the mean");
        double v99 = fitExpectile(xs, 0.99);
        assertEquals(expectile(xs, 0.99), v99, 1e-3);
        double v999 = fitExpectile(xs, 0.999);
        assertEquals(expectile(xs, 0.999), v999, 1e-3);
        assertTrue(v99 > 9.5 && v999 > v99 && v999 < 10.0, "tau -> 1 approaches the maximum: " + v99 + ", " + v999);
    }

    // ---- One-step bandit -----------------------------------------------------------------

    private static final double[] BANDIT_REWARDS = {1.0, -0.5, 2.0};

    private static Batch banditBatch(float[][] arms, float[] state, int rowsPerArm, int h, int a) {
        Batch b = new Batch(rowsPerArm * arms.length, state.length, h, a);
        b.size = b.capacity;
        for (int row = 0; row < b.size; row++) {
            int arm = row % arms.length;
            System.arraycopy(state, 0, b.state, row * state.length, state.length);
            System.arraycopy(state, 0, b.nextState, row * state.length, state.length);
            System.arraycopy(arms[arm], 0, b.action, row * h * a, h * a);
            b.rewards[row * h] = (float) BANDIT_REWARDS[arm];
            Arrays.fill(b.validMask, row * h, row * h + h, 1f);
            b.terminated[row] = 1f;
            b.weight[row] = 1f;
        }
        return b;
    }

    @Test
    void onABanditTheCriticConvergesToTheKnownRewards() {
        int s = 4;
        int h = 4;
        int a = 2;
        float[][] arms = {NetTesting.gaussian(h * a, 1), NetTesting.gaussian(h * a, 2), NetTesting.gaussian(h * a, 3)};
        float[] state = NetTesting.gaussian(s, 4);
        Batch batch = banditBatch(arms, state, 8, h, a);
        for (boolean offline : new boolean[] {true, false}) {
            CriticEnsemble critic = new CriticEnsemble(s, h * a, 1, List.of(32, 32), true, 2, true, cpu, ScalarType.Float,
                    21, 3e-3, 0, 10);
            ChunkTargets targets = new ChunkTargets(h, 0.9, false, cpu, ScalarType.Float);
            BatchTensors tensors = new BatchTensors(batch.capacity, s, h, a, cpu, ScalarType.Float);
            tensors.load(batch);
            BoraResidual residual = new BoraResidual(s, h, a, List.of(8), false, cpu, ScalarType.Float, 1, 1e-3, 0, 0.1,
                    0, 0.1, 0, 0, batch.capacity);
            CurrentPolicy policy = new CurrentPolicy(TestBatches.linearPolicy(s, h * a, 5), residual, 0, s, h * a,
                    batch.capacity * 8);
            IqlCritic iql = new IqlCritic(critic, targets, List.of(16), false, 0.7, 3e-3, 10, 0.01, null, cpu,
                    ScalarType.Float, 2);
            AloeCritic aloe = new AloeCritic(critic, targets, 2, 0.01, null);
            SplittableRandom random = new SplittableRandom(3);
            for (int step = 0; step < 600; step++) {
                try (PointerScope scope = new PointerScope()) {
                    if (offline) {
                        iql.update(tensors, policy);
                    } else {
                        aloe.update(tensors, policy, random);
                    }
                }
            }
            try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                float[] q = Tensors.toArray(CriticEnsemble.chunkValue(critic.q(tensors.state(), tensors.action())));
                for (int k = 0; k < 2; k++) {
                    for (int arm = 0; arm < 3; arm++) {
                        assertEquals(BANDIT_REWARDS[arm], q[k * batch.size + arm], 0.05,
                                (offline ? "IQL" : "ALOE") + " member " + k + " arm " + arm);
                    }
                }
            }
        }
    }

    // ---- Deterministic chain MDP -----------------------------------------------------------

    /**
     * Four chunk transitions s0 -> s1 -> s2 -> s3 -> end, whatever the action; s3's chunk
     * terminates after 2 of its 4 steps. Reward of step j in chunk i: 0.1 (i + 1) + 0.01 j.
     */
    private static final int CHAIN = 4;
    private static final int H = 4;
    private static final double GAMMA = 0.9;

    private static double reward(int chunk, int step) {
        return 0.1 * (chunk + 1) + 0.01 * step;
    }

    private static int validSteps(int chunk) {
        return chunk == CHAIN - 1 ? 2 : H;
    }

    /** Known discounted return from position {@code from} of chunk {@code i} on. */
    static double chainReturn(int i, int from) {
        double g = 0;
        double discount = 1;
        for (int c = i; c < CHAIN; c++) {
            for (int j = c == i ? from : 0; j < H; j++) {
                if (j < validSteps(c)) {
                    g += discount * reward(c, j);
                }
                discount *= GAMMA;
            }
        }
        return g;
    }

    private static Batch chainBatch(SplittableRandom random, int rows, int a) {
        Batch b = new Batch(rows, CHAIN, H, a);
        b.size = rows;
        for (int row = 0; row < rows; row++) {
            int i = row % CHAIN;
            b.state[row * CHAIN + i] = 1f;
            if (i + 1 < CHAIN) {
                b.nextState[row * CHAIN + i + 1] = 1f;
            }
            for (int j = 0; j < H * a; j++) {
                b.action[row * H * a + j] = (float) (random.nextDouble() * 2 - 1);
            }
            for (int j = 0; j < H; j++) {
                boolean valid = j < validSteps(i);
                b.validMask[row * H + j] = valid ? 1f : 0f;
                b.rewards[row * H + j] = valid ? (float) reward(i, j) : 0f;
            }
            b.terminated[row] = i == CHAIN - 1 ? 1f : 0f;
            b.weight[row] = 1f;
        }
        return b;
    }

    @Test
    void onADeterministicChainChunkedTargetsConvergeToTheDiscountedReturn() {
        int a = 2;
        int rows = 16;
        for (boolean perStepHeads : new boolean[] {false, true}) {
            int heads = perStepHeads ? H : 1;
            CriticEnsemble critic = new CriticEnsemble(CHAIN, H * a, heads, List.of(48, 48), true, 2, true, cpu,
                    ScalarType.Float, 31, 3e-3, 0, 10);
            ChunkTargets targets = new ChunkTargets(H, GAMMA, perStepHeads, cpu, ScalarType.Float);
            BatchTensors tensors = new BatchTensors(rows, CHAIN, H, a, cpu, ScalarType.Float);
            BoraResidual residual = new BoraResidual(CHAIN, H, a, List.of(8), false, cpu, ScalarType.Float, 1, 1e-3, 0,
                    0.1, 0, 0.1, 0, 0, rows);
            CurrentPolicy policy = new CurrentPolicy(TestBatches.linearPolicy(CHAIN, H * a, 5), residual, 0, CHAIN, H * a,
                    rows * 8);
            AloeCritic aloe = new AloeCritic(critic, targets, 2, 0.05, null);
            SplittableRandom random = new SplittableRandom(8);
            for (int step = 0; step < 1500; step++) {
                tensors.load(chainBatch(random, rows, a));
                try (PointerScope scope = new PointerScope()) {
                    aloe.update(tensors, policy, random);
                }
            }
            tensors.load(chainBatch(random, rows, a));
            try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                float[] q = Tensors.toArray(critic.q(tensors.state(), tensors.action()));
                for (int k = 0; k < 2; k++) {
                    for (int i = 0; i < CHAIN; i++) {
                        // Heads at steps after the termination are masked out of the loss: no answer to check.
                        for (int head = 0; head < Math.min(heads, validSteps(i)); head++) {
                            double expected = chainReturn(i, head);
                            double got = q[(k * rows + i) * heads + head];
                            assertEquals(expected, got, 0.03 * Math.max(1, expected),
                                    "member " + k + ", chunk " + i + ", head " + head + " (per-step heads " + perStepHeads
                                            + ")");
                        }
                    }
                }
            }
        }
    }

    // ---- BORA residual on a known quadratic Q ---------------------------------------------

    /** Q(s, a) = -|a - target|^2: the best chunk is {@code target} whatever the state. */
    private static QFunction quadratic(Tensor target) {
        return (state, chunk) -> chunk.sub(target).square().sum(new long[] {1}, true,
                new org.bytedeco.pytorch.ScalarTypeOptional()).neg();
    }

    @Test
    void hingeResidualStartsExactlyAtTheBaseAndMovesTowardTheHigherQAction() {
        int s = 5;
        int h = 3;
        int a = 2;
        int rows = 32;
        Batch batch = TestBatches.random(rows, s, h, a, 17);
        BatchTensors tensors = new BatchTensors(rows, s, h, a, cpu, ScalarType.Float);
        tensors.load(batch);
        BoraResidual residual = new BoraResidual(s, h, a, List.of(32, 32), false, cpu, ScalarType.Float, 4, 3e-3, 10, 1.0,
                0, 0.1, 0, 0, rows);
        CurrentPolicy policy = new CurrentPolicy(TestBatches.linearPolicy(s, h * a, 6), residual, 0, s, h * a, rows);
        Tensor target = Tensors.of(new float[] {0.5f, -0.5f, 0.5f, -0.5f, 0.5f, -0.5f}, new long[] {1, h * a}, cpu,
                ScalarType.Float);
        QFunction q = quadratic(target);
        double baseQ;
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor aBase = policy.base(batch.state, rows, tensors);
            Tensor aFinal = residual.act(tensors.state(), aBase);
            assertArrayEquals(Tensors.toArray(aBase), Tensors.toArray(aFinal), 0f, "a new residual changes nothing");
            baseQ = q.minQ(tensors.state(), aBase).mean().item_double();
        }
        SplittableRandom random = new SplittableRandom(2);
        for (int step = 0; step < 400; step++) {
            try (PointerScope scope = new PointerScope()) {
                residual.update(tensors, policy.base(batch.state, rows, tensors), q, random);
            }
        }
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor aBase = policy.base(batch.state, rows, tensors);
            Tensor aFinal = residual.act(tensors.state(), aBase);
            double finalQ = q.minQ(tensors.state(), aFinal).mean().item_double();
            assertTrue(finalQ > baseQ + 0.1, "Q(a_final) " + finalQ + " beats Q(a_base) " + baseQ + " by the margin");
            assertTrue(-finalQ < 0.1 * -baseQ, "a_final is close to the best action: " + finalQ + " vs " + baseQ);
        }
    }

    @Test
    void lambdaRampsLinearlyFromZero() {
        BoraResidual residual = new BoraResidual(3, 2, 2, List.of(4), false, cpu, ScalarType.Float, 1, 1e-3, 0, 0.2,
                100, 0.1, 0, 0, 4);
        assertEquals(0.0, residual.lambdaNow(), 0);
        residual.setSteps(25);
        assertEquals(0.05, residual.lambdaNow(), 1e-12);
        residual.setSteps(1000);
        assertEquals(0.2, residual.lambdaNow(), 0);
    }

    // ---- Advantage-weighted BC -----------------------------------------------------------

    @Test
    void advantageWeightsPullBcTowardTheBetterDemonstration() {
        int s = 3;
        int h = 2;
        int a = 2;
        int rows = 32;
        float[] good = {0.8f, 0.8f, 0.8f, 0.8f};
        float[] bad = {-0.8f, -0.8f, -0.8f, -0.8f};
        Batch batch = new Batch(rows, s, h, a);
        batch.size = rows;
        float[] state = NetTesting.gaussian(s, 1);
        for (int row = 0; row < rows; row++) {
            System.arraycopy(state, 0, batch.state, row * s, s);
            System.arraycopy(row % 2 == 0 ? good : bad, 0, batch.action, row * h * a, h * a);
            Arrays.fill(batch.validMask, row * h, row * h + h, 1f);
            batch.weight[row] = 1f;
        }
        BatchTensors tensors = new BatchTensors(rows, s, h, a, cpu, ScalarType.Float);
        tensors.load(batch);
        Tensor target = Tensors.of(good, new long[] {1, h * a}, cpu, ScalarType.Float);
        QFunction q = quadratic(target);
        BoraResidual residual = new BoraResidual(s, h, a, List.of(4), false, cpu, ScalarType.Float, 1, 1e-3, 0, 0.1, 0,
                0.1, 0, 0, rows);
        CurrentPolicy policy = new CurrentPolicy(TestBatches.linearPolicy(s, h * a, 2), residual, 0.3, s, h * a, rows * 8);
        double[] meanAction = new double[3];
        AdvantageWeights.Mode[] modes = {null, AdvantageWeights.Mode.EXP, AdvantageWeights.Mode.FILTER};
        for (int m = 0; m < modes.length; m++) {
            BcWarmup bc = new BcWarmup(s, h, a, List.of(16), false, cpu, ScalarType.Float, 3, 1e-2, 10);
            AdvantageWeights weights = modes[m] == null ? null : new AdvantageWeights(8, modes[m], 1.0, 20);
            for (int step = 0; step < 300; step++) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor w = weights == null ? null : weights.weights(weights.advantage(tensors, policy, q));
                    bc.update(tensors, w);
                }
            }
            try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                meanAction[m] = bc.act(tensors.state()).mean().item_double();
            }
        }
        assertEquals(0.0, meanAction[0], 0.05, "plain BC averages the two demonstrations");
        assertTrue(meanAction[1] > 0.5, "exp(beta A) weights prefer the better chunk: " + meanAction[1]);
        assertTrue(meanAction[2] > 0.7, "1[A > 0] keeps only the better chunk: " + meanAction[2]);
    }
}
