package io.tendon.learner.algo;

import static org.bytedeco.pytorch.global.torch.where;

import io.tendon.learner.nn.EnsembleNet;
import io.tendon.learner.nn.MlpSpec;
import io.tendon.learner.nn.Optimiser;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The offline critic of BORA with an IQL expectile value (ALGORITHMS.md section 5):
 *
 * <pre>
 *   diff = Q(z, a).detach() - V(z)
 *   w    = tau if diff &gt; 0 else (1 - tau)          # expectile
 *   L_V  = mean(m * w * diff^2)
 *   y    = r + gamma * (1 - d) * V(z')              # V_next from the V-net, not max_a Q
 *   L_Q  = mean((Q(z, a) - y)^2)
 * </pre>
 *
 * On chunks, {@code r + gamma (1-d) V(z')} is the chunked form of {@link ChunkTargets}
 * ({@code sum gamma^i m_i r_i + gamma^H (1-d) V(s')}). Q(z, a) in diff is the ensemble's
 * pessimistic min; m is the chunk's first valid-step mask; both losses are weighted by the batch
 * weight. V approximates an upper expectile of Q over dataset actions, so the Q target never
 * queries an action outside the data.
 */
public final class IqlCritic {

    private final CriticEnsemble critic;
    private final ChunkTargets targets;
    private final EnsembleNet value;
    private final Optimiser valueOptimiser;
    private final double expectile;
    private final double polyakTau;
    private final Cql cql;

    public IqlCritic(CriticEnsemble critic, ChunkTargets targets, List<Integer> valueHidden, boolean valueLayerNorm,
            double expectile, double valueLearningRate, double valueGradClip, double polyakTau, Cql cql, Device device,
            ScalarType dtype, long seed) {
        if (!(expectile > 0 && expectile < 1)) {
            throw new IllegalArgumentException("expectile tau must lie in (0, 1), was " + expectile);
        }
        this.critic = critic;
        this.targets = targets;
        this.value = EnsembleNet.create(new MlpSpec(critic.stateDim, valueHidden, 1, valueLayerNorm, false), 1, true,
                device, dtype, seed);
        this.valueOptimiser = new Optimiser(value.parameterList(), valueLearningRate, 0.0, valueGradClip);
        this.expectile = expectile;
        this.polyakTau = polyakTau;
        this.cql = cql;
    }

    /** V(s): {@code [B, S]} to {@code [B, 1]}. */
    public Tensor v(Tensor state) {
        return value.forward(state).select(0, 0);
    }

    /** The expectile loss {@code mean(m * |tau - 1[diff &lt; 0]| * diff^2)}, {@code diff = target - prediction}. */
    public static Tensor expectileLoss(Tensor diff, double tau, Tensor weight) {
        Tensor w = where(diff.gt(new Scalar(0.0)), new Scalar(tau), new Scalar(1.0 - tau));
        return w.mul(diff.square()).mul(weight).mean();
    }

    /** L_V for this batch; differentiable in V's parameters. */
    public Tensor valueLoss(BatchTensors b) {
        Tensor state = b.state();
        Tensor q;
        try (NoGradGuard guard = new NoGradGuard()) {
            q = critic.minQ(state, b.action());
        }
        Tensor diff = q.sub(v(state));
        return expectileLoss(diff, expectile, b.validMask().narrow(1, 0, 1).mul(b.weight()));
    }

    /** y = sum gamma^i m_i r_i + gamma^H (1 - d) V(s'): {@code [B, heads]}, without gradients. */
    public Tensor targets(BatchTensors b) {
        try (NoGradGuard guard = new NoGradGuard()) {
            return targets.targets(b.rewards(), b.validMask(), b.terminated(), v(b.nextState()));
        }
    }

    /** L_Q against fixed targets (plus CQL when {@code cqlActions} is given). */
    public Tensor criticLoss(BatchTensors b, Tensor y, Tensor cqlActions) {
        return criticLoss(b, critic.q(b.state(), b.action()), y, cqlActions);
    }

    private Tensor criticLoss(BatchTensors b, Tensor q, Tensor y, Tensor cqlActions) {
        Tensor loss = AloeCritic.tdLoss(q, y, targets.headMask(b.validMask()), b.weight());
        if (cqlActions != null) {
            loss = loss.add(cql.penalty(critic, b.state(), CriticEnsemble.chunkValue(q), cqlActions));
        }
        return loss;
    }

    /**
     * One V step, then one Q step, then a Polyak step of Q's targets (IQL's order). Call inside
     * a scope.
     */
    public Stats update(BatchTensors b, CurrentPolicy policy) {
        return update(b, policy, null);
    }

    /**
     * As {@link #update(BatchTensors, CurrentPolicy)}, and writes each row's TD error of the Q
     * step, {@code mean_k |Q_k(s, a) - y|} before it, into {@code tdErrors} (when not null).
     */
    public Stats update(BatchTensors b, CurrentPolicy policy, float[] tdErrors) {
        Tensor lv = valueLoss(b);
        valueOptimiser.zeroGrad();
        lv.backward();
        valueOptimiser.step();

        Tensor y = targets(b);
        Tensor cqlActions = cql != null && cql.enabled() ? cql.sampleActions(b, policy) : null;
        Tensor q = critic.q(b.state(), b.action());
        Tensor lq = criticLoss(b, q, y, cqlActions);
        critic.optimiser().zeroGrad();
        lq.backward();
        double gradNorm = critic.optimiser().step();
        critic.updateTargets(polyakTau);
        if (tdErrors != null) {
            AloeCritic.tdErrors(q, y, tdErrors);
        }
        return new Stats(lq.item_double(), lv.item_double(), y.select(1, 0).mean().item_double(), gradNorm);
    }

    /** Critic loss, value loss, mean chunk target, critic gradient norm. */
    public record Stats(double criticLoss, double valueLoss, double meanTarget, double gradNorm) {
    }

    public EnsembleNet valueNetwork() {
        return value;
    }

    public Optimiser valueOptimiser() {
        return valueOptimiser;
    }

    public void save(OutputArchive archive, String prefix) {
        value.save(archive, prefix);
    }

    public void load(InputArchive archive, String prefix) {
        value.load(archive, prefix);
    }
}
