package io.tendon.learner.algo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.nn.NetTesting;
import io.tendon.learner.replay.Batch;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * Every loss's gradient against central finite differences on tiny double-precision networks
 * (LayerNorm on, 3 critics, masks with early terminations, interventions, row weights).
 */
class LossGradientTest {

    private static final int S = 5;
    private static final int H = 3;
    private static final int A = 2;
    private static final int B = 7;
    private static final double EPS = 1e-6;
    private static final double TOLERANCE = 1e-5;

    private final Device cpu = NetTesting.cpu();
    private final Batch batch = TestBatches.random(B, S, H, A, 42);
    private final BatchTensors tensors = new BatchTensors(B, S, H, A, cpu, ScalarType.Double);
    private final BoraResidual residual = new BoraResidual(S, H, A, List.of(6, 6), true, cpu, ScalarType.Double, 3, 1e-2,
            0, 0.5, 0, 0.2, 0.7, 0.3, B);
    private final CurrentPolicy policy = new CurrentPolicy(TestBatches.linearPolicy(S, H * A, 9), residual, 0.0, S, H * A,
            B * 8);

    LossGradientTest() {
        tensors.load(batch);
    }

    private CriticEnsemble critic(int heads) {
        return new CriticEnsemble(S, H * A, heads, List.of(6, 6), true, 3, true, cpu, ScalarType.Double, 5, 1e-3, 0, 0);
    }

    private static void assertGradientMatches(String what, org.bytedeco.pytorch.TensorVector params,
            java.util.function.Supplier<Tensor> loss) {
        double worst = GradCheck.worstRelativeError(params, loss, 12, EPS, 1);
        double largest = GradCheck.largestGradient(params, loss);
        assertTrue(worst < TOLERANCE, what + ": worst relative error " + worst);
        assertTrue(largest > 1e-4, what + ": gradient is (almost) zero, the check would be vacuous");
    }

    @Test
    void aloeCriticLoss() {
        CriticEnsemble critic = critic(1);
        ChunkTargets targets = new ChunkTargets(H, 0.9, false, cpu, ScalarType.Double);
        AloeCritic aloe = new AloeCritic(critic, targets, 2, 0.005, null);
        try (PointerScope scope = new PointerScope()) {
            Tensor y = aloe.targets(tensors, policy, new int[] {0, 2});
            assertGradientMatches("L_Q (ALOE)", critic.online().parameterList(), () -> aloe.loss(tensors, y, null));
        }
    }

    @Test
    void aloeCriticLossWithPerStepHeadsAndCql() {
        CriticEnsemble critic = critic(H);
        ChunkTargets targets = new ChunkTargets(H, 0.9, true, cpu, ScalarType.Double);
        Cql cql = new Cql(0.7, 2, 3, new float[] {-1, -2}, new float[] {1, 2}, H, cpu, ScalarType.Double);
        AloeCritic aloe = new AloeCritic(critic, targets, 2, 0.005, cql);
        try (PointerScope scope = new PointerScope()) {
            Tensor y = aloe.targets(tensors, policy, new int[] {1, 2});
            Tensor sampled = cql.sampleActions(tensors, policy);
            assertGradientMatches("L_Q + CQL (Q-chunking)", critic.online().parameterList(),
                    () -> aloe.loss(tensors, y, sampled));
        }
    }

    @Test
    void iqlValueAndCriticLosses() {
        CriticEnsemble critic = critic(1);
        ChunkTargets targets = new ChunkTargets(H, 0.9, false, cpu, ScalarType.Double);
        IqlCritic iql = new IqlCritic(critic, targets, List.of(6, 6), true, 0.7, 1e-3, 0, 0.005, null, cpu,
                ScalarType.Double, 8);
        try (PointerScope scope = new PointerScope()) {
            assertGradientMatches("L_V (expectile)", iql.valueNetwork().parameterList(), () -> iql.valueLoss(tensors));
            Tensor y = iql.targets(tensors);
            assertGradientMatches("L_Q (IQL)", critic.online().parameterList(), () -> iql.criticLoss(tensors, y, null));
        }
    }

    @Test
    void boraResidualLossWithBcTermAndReferenceDropout() {
        CriticEnsemble critic = critic(1);
        critic.setFrozen(true);
        SplittableRandom random = new SplittableRandom(4);
        // Leave the zero initialisation first, so every layer has a gradient.
        for (int i = 0; i < 3; i++) {
            try (PointerScope scope = new PointerScope()) {
                residual.update(tensors, policy.base(batch.state, B, tensors), critic, random);
            }
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor aBase = policy.base(batch.state, B, tensors);
            Tensor keep = residual.drawKeepMask(B, random, ScalarType.Double, cpu).clone();
            assertGradientMatches("L_res (hinge + BC)", residual.network().parameterList(),
                    () -> residual.loss(tensors, aBase, critic, keep).total());
        }
    }

    @Test
    void bcLossWithAdvantageWeights() {
        CriticEnsemble critic = critic(1);
        BcWarmup bc = new BcWarmup(S, H, A, List.of(6, 6), true, cpu, ScalarType.Double, 12, 1e-3, 0);
        AdvantageWeights advantage = new AdvantageWeights(4, AdvantageWeights.Mode.EXP, 2.0, 20);
        try (PointerScope scope = new PointerScope()) {
            Tensor w;
            try (NoGradGuard g = new NoGradGuard()) {
                w = advantage.weights(advantage.advantage(tensors, policy, critic));
            }
            assertGradientMatches("L_BC (advantage-weighted)", bc.network().parameterList(), () -> bc.loss(tensors, w));
        }
    }
}
