package io.tendon.learner.nn;

import static org.bytedeco.pytorch.global.torch.baddbmm;
import static org.bytedeco.pytorch.global.torch.layer_norm;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * K MLPs with stacked weights, evaluated together. Every member sees the same input, so the
 * first layer is one GEMM against the members' weights laid side by side ({@code [in, K*h]});
 * later layers are batched matmuls ({@code baddbmm}) over {@code [K, in, out]} weights. On one
 * CPU thread this is about as fast as K separate networks; on a GPU it is one kernel instead
 * of K.
 */
public final class StackedMlp implements EnsembleNet {

    private final MlpSpec spec;
    private final int members;
    private final int[] dims;
    private final Device device;
    private final ScalarType dtype;
    /** Layer 0: [in, K*h1]; layer l > 0: [K, in_l, out_l]. */
    private final Tensor[] weight;
    /** [K, 1, out_l]. */
    private final Tensor[] bias;
    /** LayerNorm scale and shift of hidden layers, [K, 1, h] (null without LayerNorm). */
    private final Tensor[] lnScale;
    private final Tensor[] lnBias;
    private final TensorVector parameters = new TensorVector();
    private final List<String> names = new ArrayList<>();

    StackedMlp(MlpSpec spec, int members, Device device, ScalarType dtype, long seed) {
        this(spec, members, device, dtype, new MlpInit(spec, members, seed), 0);
    }

    /** Members {@code first..first+members-1} of {@code init}. */
    StackedMlp(MlpSpec spec, int members, Device device, ScalarType dtype, MlpInit init, int first) {
        TorchRuntime.requireNoScope();
        if (members < 1) {
            throw new IllegalArgumentException("an ensemble needs at least one member, was " + members);
        }
        this.spec = spec;
        this.members = members;
        this.dims = spec.dims();
        this.device = device;
        this.dtype = dtype;
        int layers = dims.length - 1;
        weight = new Tensor[layers];
        bias = new Tensor[layers];
        lnScale = new Tensor[layers];
        lnBias = new Tensor[layers];
        for (int l = 0; l < layers; l++) {
            int in = dims[l];
            int out = dims[l + 1];
            float[] w = new float[members * in * out];
            float[] b = new float[members * out];
            for (int k = 0; k < members; k++) {
                float[] wk = init.weight[first + k][l];
                if (l == 0) {
                    // Side by side: row i holds member k's row i at columns k*out..k*out+out-1.
                    for (int i = 0; i < in; i++) {
                        System.arraycopy(wk, i * out, w, i * members * out + k * out, out);
                    }
                } else {
                    System.arraycopy(wk, 0, w, k * in * out, in * out);
                }
                System.arraycopy(init.bias[first + k][l], 0, b, k * out, out);
            }
            long[] wShape = l == 0 ? new long[] {in, (long) members * out} : new long[] {members, in, out};
            weight[l] = parameter("w" + l, Tensors.of(w, wShape, device, dtype));
            bias[l] = parameter("b" + l, Tensors.of(b, new long[] {members, 1, out}, device, dtype));
            if (spec.layerNorm() && l < layers - 1) {
                float[] ones = new float[members * out];
                java.util.Arrays.fill(ones, 1f);
                lnScale[l] = parameter("ln_scale" + l, Tensors.of(ones, new long[] {members, 1, out}, device, dtype));
                lnBias[l] = parameter("ln_bias" + l,
                        Tensors.of(new float[members * out], new long[] {members, 1, out}, device, dtype));
            }
        }
    }

    private Tensor parameter(String name, Tensor t) {
        t.set_requires_grad(true);
        parameters.push_back(t);
        names.add(name);
        return t;
    }

    @Override
    public MlpSpec spec() {
        return spec;
    }

    @Override
    public int members() {
        return members;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public ScalarType dtype() {
        return dtype;
    }

    @Override
    public Tensor forward(Tensor x) {
        long rows = x.size(0);
        int layers = weight.length;
        Tensor h = x.matmul(weight[0]).view(rows, members, dims[1]).transpose(0, 1).add(bias[0]);
        h = hiddenActivation(h, 0);
        for (int l = 1; l < layers; l++) {
            h = baddbmm(bias[l], h, weight[l]);
            if (l < layers - 1) {
                h = hiddenActivation(h, l);
            }
        }
        return h;
    }

    private Tensor hiddenActivation(Tensor h, int l) {
        if (lnScale[l] != null) {
            h = layer_norm(h, new long[] {dims[l + 1]}).mul(lnScale[l]).add(lnBias[l]);
        }
        return h.relu();
    }

    @Override
    public TensorVector parameterList() {
        return parameters;
    }

    @Override
    public void copyFrom(EnsembleNet other) {
        TensorVector theirs = sameShape(other);
        try (PointerScope scope = new PointerScope(); NoGradGuard guard = new NoGradGuard()) {
            for (long i = 0; i < parameters.size(); i++) {
                parameters.get(i).copy_(theirs.get(i));
            }
        }
    }

    @Override
    public void polyakFrom(EnsembleNet online, double tau) {
        TensorVector theirs = sameShape(online);
        try (PointerScope scope = new PointerScope(); NoGradGuard guard = new NoGradGuard()) {
            Scalar weightOfOnline = new Scalar(tau);
            for (long i = 0; i < parameters.size(); i++) {
                parameters.get(i).lerp_(theirs.get(i), weightOfOnline);
            }
        }
    }

    private TensorVector sameShape(EnsembleNet other) {
        if (!other.spec().equals(spec) || other.members() != members || !(other instanceof StackedMlp)) {
            throw new IllegalArgumentException("networks differ in shape, members or layout");
        }
        return other.parameterList();
    }

    @Override
    public void setTrainable(boolean trainable) {
        for (long i = 0; i < parameters.size(); i++) {
            parameters.get(i).set_requires_grad(trainable);
        }
    }

    @Override
    public List<DenseLayer> memberLayers(int k) {
        if (k < 0 || k >= members) {
            throw new IndexOutOfBoundsException("member " + k + " of " + members);
        }
        List<DenseLayer> layers = new ArrayList<>();
        try (PointerScope scope = new PointerScope()) {
            for (int l = 0; l < weight.length; l++) {
                int out = dims[l + 1];
                Tensor w = l == 0 ? weight[0].narrow(1, (long) k * out, out) : weight[l].select(0, k);
                float[] scale = lnScale[l] == null ? null : Tensors.toArray(lnScale[l].select(0, k));
                float[] shift = lnBias[l] == null ? null : Tensors.toArray(lnBias[l].select(0, k));
                layers.add(new DenseLayer(dims[l], out, Tensors.toArray(w), Tensors.toArray(bias[l].select(0, k)),
                        scale, shift, l < weight.length - 1));
            }
        }
        return layers;
    }

    @Override
    public void save(OutputArchive archive, String prefix) {
        for (int i = 0; i < names.size(); i++) {
            archive.write(prefix + names.get(i), parameters.get(i));
        }
    }

    @Override
    public void load(InputArchive archive, String prefix) {
        try (PointerScope scope = new PointerScope(); NoGradGuard guard = new NoGradGuard()) {
            for (int i = 0; i < names.size(); i++) {
                Tensor stored = new Tensor();
                archive.read(prefix + names.get(i), stored);
                Tensor target = parameters.get(i);
                if (!java.util.Arrays.equals(Tensors.shape(stored), Tensors.shape(target))) {
                    throw new IllegalArgumentException("checkpoint tensor " + prefix + names.get(i)
                            + " has another shape than the configured network");
                }
                target.copy_(stored);
            }
        }
    }
}
