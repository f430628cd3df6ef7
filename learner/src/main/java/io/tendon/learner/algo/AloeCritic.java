package io.tendon.learner.algo;

import io.tendon.learner.nn.Tensors;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The online ensemble critic of ALOE (ALGORITHMS.md section 4):
 *
 * <pre>
 *   y   = sum_{i&lt;H} gamma^i * m_i * r_i + gamma^H * (1 - d) * min_{k in S} Qtarget_k(s', a'),  a' ~ pi_current(s')
 *   L_Q = mean_k mean (Q_k(s, a) - y)^2
 * </pre>
 *
 * {@code r} comes from the buffer, {@code a'} from the current policy (frozen base plus
 * residual): off-policy learning. S is a random subset of the K members (all of them when
 * K equals the subset size). With Q-chunking every head i has its own target (see
 * {@link ChunkTargets}) and counts where m_i = 1. Rows are weighted by the batch weight. The
 * target networks follow by Polyak averaging; CQL is added when enabled.
 */
public final class AloeCritic {

    private final CriticEnsemble critic;
    private final ChunkTargets targets;
    private final int subsetSize;
    private final double polyakTau;
    private final Cql cql;

    public AloeCritic(CriticEnsemble critic, ChunkTargets targets, int subsetSize, double polyakTau, Cql cql) {
        if (subsetSize < 1 || subsetSize > critic.members()) {
            throw new IllegalArgumentException("target subset " + subsetSize + " must lie in 1.." + critic.members());
        }
        this.critic = critic;
        this.targets = targets;
        this.subsetSize = subsetSize;
        this.polyakTau = polyakTau;
        this.cql = cql;
    }

    /** A random subset of {@code size} of the K members (partial Fisher-Yates). */
    public static int[] randomSubset(int members, int size, SplittableRandom random) {
        int[] all = new int[members];
        for (int i = 0; i < members; i++) {
            all[i] = i;
        }
        for (int i = 0; i < size; i++) {
            int j = i + random.nextInt(members - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return java.util.Arrays.copyOf(all, size);
    }

    /** y for this batch, {@code [B, heads]}, without gradients. */
    public Tensor targets(BatchTensors b, CurrentPolicy policy, int[] subset) {
        try (NoGradGuard guard = new NoGradGuard()) {
            Tensor nextState = b.nextState();
            Tensor aNext = policy.sample(b, CurrentPolicy.At.NEXT_STATE, 1).select(0, 0);
            Tensor qNext = CriticEnsemble.minOver(CriticEnsemble.chunkValue(critic.targetQ(nextState, aNext)), subset);
            return targets.targets(b.rewards(), b.validMask(), b.terminated(), qNext);
        }
    }

    /** L_Q (plus CQL when {@code cqlActions} is given) against fixed targets {@code y}. */
    public Tensor loss(BatchTensors b, Tensor y, Tensor cqlActions) {
        return loss(b, critic.q(b.state(), b.action()), y, cqlActions);
    }

    private Tensor loss(BatchTensors b, Tensor q, Tensor y, Tensor cqlActions) {
        Tensor loss = tdLoss(q, y, targets.headMask(b.validMask()), b.weight());
        if (cqlActions != null) {
            loss = loss.add(cql.penalty(critic, b.state(), CriticEnsemble.chunkValue(q), cqlActions));
        }
        return loss;
    }

    /**
     * Writes each row's TD error of the chunk value, {@code mean_k |Q_k(s, a) - y|} (head 0),
     * into {@code out[0..B)}: the priority signal of prioritised replay.
     */
    static void tdErrors(Tensor q, Tensor y, float[] out) {
        float[] td = Tensors.toArray(CriticEnsemble.chunkValue(q).sub(y.select(1, 0)).abs().mean(new long[] {0}, false,
                new org.bytedeco.pytorch.ScalarTypeOptional()));
        System.arraycopy(td, 0, out, 0, td.length);
    }

    /** mean over members, rows and heads of {@code w_b * mask_bi * (Q_kbi - y_bi)^2}. */
    static Tensor tdLoss(Tensor q, Tensor y, Tensor headMask, Tensor rowWeight) {
        return q.sub(y).square().mul(headMask.mul(rowWeight)).mean();
    }

    /** One critic update and a Polyak step of the targets. Call inside a scope. */
    public CriticStats update(BatchTensors b, CurrentPolicy policy, SplittableRandom random) {
        return update(b, policy, random, null);
    }

    /**
     * As {@link #update(BatchTensors, CurrentPolicy, SplittableRandom)}, and writes each row's TD
     * error before the update into {@code tdErrors} (when not null; see {@link #tdErrors}).
     */
    public CriticStats update(BatchTensors b, CurrentPolicy policy, SplittableRandom random, float[] tdErrors) {
        int[] subset = randomSubset(critic.members(), subsetSize, random);
        Tensor y = targets(b, policy, subset);
        Tensor cqlActions = cql != null && cql.enabled() ? cql.sampleActions(b, policy) : null;
        Tensor q = critic.q(b.state(), b.action());
        Tensor loss = loss(b, q, y, cqlActions);
        critic.optimiser().zeroGrad();
        loss.backward();
        double gradNorm = critic.optimiser().step();
        critic.updateTargets(polyakTau);
        if (tdErrors != null) {
            tdErrors(q, y, tdErrors);
        }
        return new CriticStats(loss.item_double(), y.select(1, 0).mean().item_double(), gradNorm);
    }

    /** Loss, mean target of the chunk head, gradient norm before clipping. */
    public record CriticStats(double loss, double meanTarget, double gradNorm) {
    }
}
