package io.tendon.learner.nn;

import static org.bytedeco.pytorch.global.torch.clip_grad_norm_;

import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.TensorVector;

/** LibTorch's AdamW over one network's parameters, with gradient-norm clipping before each step. */
public final class Optimiser {

    private final AdamW adam;
    private final TensorVector parameters;
    private final double clipNorm;

    /**
     * @param learningRate AdamW step size
     * @param weightDecay decoupled weight decay (LibTorch's default of 0.01 is not used)
     * @param clipNorm largest global gradient L2 norm; 0 disables clipping
     */
    public Optimiser(TensorVector parameters, double learningRate, double weightDecay, double clipNorm) {
        TorchRuntime.requireNoScope();
        AdamWOptions options = new AdamWOptions(learningRate);
        options.weight_decay().put(weightDecay);
        this.adam = new AdamW(parameters, options);
        this.parameters = parameters;
        this.clipNorm = clipNorm;
    }

    public void zeroGrad() {
        adam.zero_grad();
    }

    /**
     * Clips the gradients (when configured) and steps. Call inside the step's scope.
     *
     * @return the gradient norm before clipping, NaN when clipping is off
     */
    public double step() {
        double norm = clipNorm > 0 ? clip_grad_norm_(parameters, clipNorm) : Double.NaN;
        adam.step();
        return norm;
    }

    public void save(OutputArchive archive) {
        adam.save(archive);
    }

    public void load(InputArchive archive) {
        adam.load(archive);
    }
}
