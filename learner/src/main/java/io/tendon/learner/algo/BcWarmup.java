package io.tendon.learner.algo;

import io.tendon.learner.nn.EnsembleNet;
import io.tendon.learner.nn.MlpSpec;
import io.tendon.learner.nn.Optimiser;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The head {@code pi(s) -> chunk}, fitted by behaviour cloning: the BC warm-up on
 * demonstrations, and ALOE's advantage-weighted policy improvement on the mixed replay
 * (ALGORITHMS.md sections 4, 7 and 8), in training units:
 *
 * <pre>
 *   L = sum_b w_b * u_b * sum_{i,j} c_bi * (pi(s_b)_ij - a_bij)^2  /  (A * sum_b sum_i c_bi)
 * </pre>
 *
 * with {@code w_b} the batch weight, {@code u_b} the chunk's advantage weight
 * ({@link AdvantageWeights}; 1 in plain BC) and {@code c_bi} the steps to copy: the valid
 * steps, and of an INTERVENTION chunk only those a person controlled (its intervention mask), so
 * the policy's own steps in the same chunk are not cloned. Every copied step counts the same.
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
        Tensor copy = b.cloneMask();
        Tensor err = act(b.state()).sub(b.action()).square().view(rows, horizon, actionDim).mul(copy.unsqueeze(2));
        Tensor perRow = err.sum(new long[] {1, 2}, false, new ScalarTypeOptional()).unsqueeze(1);
        Tensor w = b.weight();
        if (advantageWeights != null) {
            w = w.mul(advantageWeights);
        }
        Tensor copied = copy.sum().mul(new Scalar((double) actionDim)).clamp_min(new Scalar(1.0));
        return perRow.mul(w).sum().div(copied);
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
