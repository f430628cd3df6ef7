package io.tendon.learner.algo;

import io.tendon.learner.nn.EnsembleNet;
import io.tendon.learner.nn.MlpSpec;
import io.tendon.learner.nn.Optimiser;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Behaviour-cloning warm-up of a base head {@code pi(s) -> chunk} from demonstrations
 * (ALGORITHMS.md sections 4 and 7):
 *
 * <pre>
 *   L_BC = mean_b( w_b * u_b * mean_{i,j}( m_i * (pi(s_b)_ij - a_bij)^2 ) )
 * </pre>
 *
 * with {@code w_b} the batch weight and {@code u_b} the chunk's advantage weight
 * ({@link AdvantageWeights}) once a critic exists, 1 before.
 */
public final class BcWarmup {

    private final EnsembleNet head;
    private final Optimiser optimiser;
    private final int horizon;
    private final int actionDim;
    private long steps;

    public BcWarmup(int stateDim, int horizon, int actionDim, List<Integer> hidden, boolean layerNorm, Device device,
            ScalarType dtype, long seed, double learningRate, double gradClip) {
        this.horizon = horizon;
        this.actionDim = actionDim;
        head = EnsembleNet.create(new MlpSpec(stateDim, hidden, horizon * actionDim, layerNorm, false), 1, true, device,
                dtype, seed);
        optimiser = new Optimiser(head.parameterList(), learningRate, 0.0, gradClip);
    }

    /** pi(s): {@code [B, S]} to {@code [B, H*A]}. */
    public Tensor act(Tensor state) {
        return head.forward(state).select(0, 0);
    }

    /** L_BC; {@code advantageWeights} {@code [B, 1]} or null for plain BC. */
    public Tensor loss(BatchTensors b, Tensor advantageWeights) {
        long rows = b.rows();
        Tensor err = act(b.state()).sub(b.action()).square().view(rows, horizon, actionDim)
                .mul(b.validMask().unsqueeze(2));
        Tensor perRow = err.mean(new long[] {1, 2}, false, new ScalarTypeOptional()).unsqueeze(1);
        Tensor w = b.weight();
        if (advantageWeights != null) {
            w = w.mul(advantageWeights);
        }
        return perRow.mul(w).mean();
    }

    /** One BC step. Call inside a scope. */
    public Stats update(BatchTensors b, Tensor advantageWeights) {
        Tensor loss = loss(b, advantageWeights);
        optimiser.zeroGrad();
        loss.backward();
        double gradNorm = optimiser.step();
        steps++;
        double meanWeight = advantageWeights == null ? 1.0 : advantageWeights.mean().item_double();
        return new Stats(loss.item_double(), meanWeight, gradNorm);
    }

    /** Loss, mean advantage weight (1 without a critic), gradient norm. */
    public record Stats(double loss, double meanAdvantageWeight, double gradNorm) {
    }

    public EnsembleNet network() {
        return head;
    }

    public Optimiser optimiser() {
        return optimiser;
    }

    public long steps() {
        return steps;
    }

    public void setSteps(long steps) {
        this.steps = steps;
    }

}
