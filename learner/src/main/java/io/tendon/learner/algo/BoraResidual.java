package io.tendon.learner.algo;

import static org.bytedeco.pytorch.global.torch.cat;

import io.tendon.learner.nn.EnsembleNet;
import io.tendon.learner.nn.HostTensor;
import io.tendon.learner.nn.MlpSpec;
import io.tendon.learner.nn.Optimiser;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The BORA residual (ALGORITHMS.md section 5, online). Encoder, base policy and Q are frozen;
 * only the small MLP {@code res} learns:
 *
 * <pre>
 *   a_base  = pi_base(z)
 *   a_final = clip(a_base + lambda_t * res(z, a_base), lower, upper)
 *   L_res   = mean( max(0, Q(z, a_base) + delta - Q(z, a_final)) - Q(z, a_final) )
 * </pre>
 *
 * The output layer of {@code res} starts at zero, so a new residual reproduces the base policy
 * exactly, and {@code lambda_t = lambda * min(1, t / rampSteps)} ramps in. Options from the
 * RL-token edit actor: a BC term {@code beta_bc * mean((a_final - a_ref)^2)} with {@code a_ref}
 * the human's action at steps where a person intervened and the reference chunk
 * {@code a_base} elsewhere; and reference dropout, which feeds the residual zeros instead of
 * {@code a_base} for a random share of rows (the sum still adds the real {@code a_base}).
 * Q is the pessimistic min over the ensemble; every row is weighted by its batch weight.
 */
public final class BoraResidual {

    private final EnsembleNet residual;
    private final Optimiser optimiser;
    private final int stateDim;
    private final int horizon;
    private final int actionDim;
    private final double lambda;
    private final long rampSteps;
    private final double margin;
    private final double bcWeight;
    private final double referenceDropout;
    /** 1 keeps a row's reference input, 0 drops it: [capacity, 1]. */
    private final HostTensor keep;
    private final float[] keepRows;
    private long steps;
    private UnaryOperator<Tensor> clamp = UnaryOperator.identity();

    public BoraResidual(int stateDim, int horizon, int actionDim, List<Integer> hidden, boolean layerNorm,
            Device device, ScalarType dtype, long seed, double learningRate, double gradClip, double lambda,
            long rampSteps, double margin, double bcWeight, double referenceDropout, int capacity) {
        this.stateDim = stateDim;
        this.horizon = horizon;
        this.actionDim = actionDim;
        int chunk = horizon * actionDim;
        residual = EnsembleNet.create(new MlpSpec(stateDim + chunk, hidden, chunk, layerNorm, true), 1, true, device,
                dtype, seed);
        optimiser = new Optimiser(residual.parameterList(), learningRate, 0.0, gradClip);
        this.lambda = lambda;
        this.rampSteps = rampSteps;
        this.margin = margin;
        this.bcWeight = bcWeight;
        this.referenceDropout = referenceDropout;
        keep = new HostTensor(capacity, 1);
        keepRows = new float[capacity];
    }

    /** a_final is clamped with this (the action bounds in training units; identity by default). */
    public void setClamp(UnaryOperator<Tensor> bounds) {
        this.clamp = bounds;
    }

    /** lambda_t = lambda * min(1, t / rampSteps), t = residual steps taken. */
    public double lambdaNow() {
        return rampSteps == 0 ? lambda : lambda * Math.min(1.0, (double) steps / rampSteps);
    }

    /** lambda_t * res(s, a_ref): {@code [B, S]}, {@code [B, H*A]} to {@code [B, H*A]}. */
    public Tensor correction(Tensor state, Tensor referenceInput) {
        return residual.forward(cat(new TensorVector(state, referenceInput), 1)).select(0, 0).mul(new Scalar(lambdaNow()));
    }

    /** a_final = clip(a_base + lambda_t * res(s, a_base)). */
    public Tensor act(Tensor state, Tensor aBase) {
        return clamp.apply(aBase.add(correction(state, aBase)));
    }

    /**
     * L_res for this batch; differentiable in the residual's parameters. {@code keep} is the
     * per-row reference-dropout mask ({@code [B, 1]}, 1 keeps a_base as the residual's input).
     */
    public Loss loss(BatchTensors b, Tensor aBase, QFunction q, Tensor keepMask) {
        Tensor state = b.state();
        Tensor w = b.weight();
        Tensor aFinal = clamp.apply(aBase.add(correction(state, aBase.mul(keepMask))));
        Tensor qBase;
        try (NoGradGuard guard = new NoGradGuard()) {
            qBase = q.minQ(state, aBase);
        }
        Tensor qFinal = q.minQ(state, aFinal);
        Tensor hinge = qBase.add(new Scalar(margin)).sub(qFinal).relu();
        Tensor total = hinge.sub(qFinal).mul(w).mean();
        Tensor bc = null;
        if (bcWeight > 0) {
            // a_ref: the executed (human) action where a person was in control, else a_base.
            Tensor human = b.interventionMask().unsqueeze(2).expand(b.rows(), horizon, actionDim)
                    .reshape(b.rows(), (long) horizon * actionDim);
            Tensor aRef = human.mul(b.action()).add(human.neg().add(new Scalar(1.0)).mul(aBase));
            bc = aFinal.sub(aRef).square().mean(new long[] {1}, true, new ScalarTypeOptional())
                    .mul(w).mean();
            total = total.add(bc.mul(new Scalar(bcWeight)));
        }
        return new Loss(total, qFinal, qBase, bc);
    }

    /** The terms of one residual loss (tensors of the caller's scope). */
    public record Loss(Tensor total, Tensor qFinal, Tensor qBase, Tensor bc) {
    }

    /** A fresh reference-dropout mask for {@code rows} rows: [B, 1] (all ones when dropout is off). */
    public Tensor drawKeepMask(int rows, SplittableRandom random, ScalarType dtype, Device device) {
        for (int i = 0; i < rows; i++) {
            keepRows[i] = referenceDropout > 0 && random.nextDouble() < referenceDropout ? 0f : 1f;
        }
        keep.put(keepRows, rows);
        return keep.rows(rows, device, dtype);
    }

    /**
     * One residual update. The critic must be frozen ({@link CriticEnsemble#setFrozen}) by the
     * caller so that only the residual's parameters receive gradients. Call inside a scope.
     */
    public Stats update(BatchTensors b, Tensor aBase, QFunction q, SplittableRandom random) {
        Tensor keepMask = drawKeepMask(b.rows(), random, b.dtype(), b.device());
        Loss loss = loss(b, aBase, q, keepMask);
        optimiser.zeroGrad();
        loss.total().backward();
        double gradNorm = optimiser.step();
        steps++;
        Tensor improvement = loss.qFinal().sub(loss.qBase()).mean();
        return new Stats(loss.total().item_double(), improvement.item_double(),
                loss.bc() == null ? Double.NaN : loss.bc().item_double(), gradNorm, lambdaNow());
    }

    /** Loss, mean Q(a_final) - Q(a_base), BC term (NaN when off), gradient norm, lambda_t. */
    public record Stats(double loss, double qImprovement, double bcLoss, double gradNorm, double lambda) {
    }

    public EnsembleNet network() {
        return residual;
    }

    public Optimiser optimiser() {
        return optimiser;
    }

    public long steps() {
        return steps;
    }

    /** Restores the step counter (and with it lambda_t) from a checkpoint. */
    public void setSteps(long steps) {
        this.steps = steps;
    }

    public double lambdaMax() {
        return lambda;
    }
}
