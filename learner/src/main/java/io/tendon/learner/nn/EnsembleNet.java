package io.tendon.learner.nn;

import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * K MLPs of one shape evaluated on a shared input: {@code forward(x [B, in]) -> [K, B, out]}.
 * A single network is the case K = 1.
 */
public interface EnsembleNet {

    double LAYER_NORM_EPS = 1e-5;

    /**
     * Creates an ensemble on {@code device} as {@code dtype}; {@code batched} picks stacked
     * weights run by batched matmul over separate per-member networks. Members are initialised
     * like PyTorch's Linear (uniform in +-1/sqrt(fan_in)) from {@code seed}, identically for
     * both layouts, so a batched and a separate ensemble of one seed compute the same numbers.
     */
    static EnsembleNet create(MlpSpec spec, int members, boolean batched, Device device, ScalarType dtype, long seed) {
        return batched ? new StackedMlp(spec, members, device, dtype, seed) : new SeparateMlps(spec, members, device, dtype, seed);
    }

    MlpSpec spec();

    int members();

    /** {@code x [B, in]} to {@code [K, B, out]}; tensors made here belong to the caller's scope. */
    Tensor forward(Tensor x);

    /** Every trainable tensor, in a fixed order (the optimiser state refers to this order). */
    TensorVector parameterList();

    /** Sets every parameter to {@code other}'s (same spec and members). */
    void copyFrom(EnsembleNet other);

    /** Polyak averaging: {@code theta <- (1 - tau) theta + tau theta_online}. */
    void polyakFrom(EnsembleNet online, double tau);

    /** Turns gradient tracking of every parameter on or off (off: frozen, gradients still flow to inputs). */
    void setTrainable(boolean trainable);

    /** Member {@code k}'s layers as plain arrays, first to last. */
    List<DenseLayer> memberLayers(int k);

    Device device();

    ScalarType dtype();

    /** Writes every parameter under {@code prefix}. */
    void save(OutputArchive archive, String prefix);

    /** Reads every parameter written by {@link #save} under {@code prefix}; shapes must match. */
    void load(InputArchive archive, String prefix);
}
