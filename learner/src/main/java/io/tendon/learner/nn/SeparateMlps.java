package io.tendon.learner.nn;

import static org.bytedeco.pytorch.global.torch.cat;

import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * K independent single-member networks, run one after the other and stacked: the baseline
 * that {@link StackedMlp} is measured against. Same initial numbers as the stacked layout.
 */
public final class SeparateMlps implements EnsembleNet {

    private final MlpSpec spec;
    private final StackedMlp[] nets;
    private final TensorVector parameters = new TensorVector();

    SeparateMlps(MlpSpec spec, int members, Device device, ScalarType dtype, long seed) {
        TorchRuntime.requireNoScope();
        this.spec = spec;
        MlpInit init = new MlpInit(spec, members, seed);
        nets = new StackedMlp[members];
        for (int k = 0; k < members; k++) {
            nets[k] = new StackedMlp(spec, 1, device, dtype, init, k);
            TensorVector p = nets[k].parameterList();
            for (long i = 0; i < p.size(); i++) {
                parameters.push_back(p.get(i));
            }
        }
    }

    @Override
    public MlpSpec spec() {
        return spec;
    }

    @Override
    public int members() {
        return nets.length;
    }

    @Override
    public Device device() {
        return nets[0].device();
    }

    @Override
    public ScalarType dtype() {
        return nets[0].dtype();
    }

    @Override
    public Tensor forward(Tensor x) {
        TensorVector outputs = new TensorVector();
        for (StackedMlp net : nets) {
            outputs.push_back(net.forward(x));
        }
        return cat(outputs, 0);
    }

    @Override
    public TensorVector parameterList() {
        return parameters;
    }

    @Override
    public void copyFrom(EnsembleNet other) {
        SeparateMlps that = same(other);
        for (int k = 0; k < nets.length; k++) {
            nets[k].copyFrom(that.nets[k]);
        }
    }

    @Override
    public void polyakFrom(EnsembleNet online, double tau) {
        SeparateMlps that = same(online);
        for (int k = 0; k < nets.length; k++) {
            nets[k].polyakFrom(that.nets[k], tau);
        }
    }

    private SeparateMlps same(EnsembleNet other) {
        if (!(other instanceof SeparateMlps that) || !that.spec.equals(spec) || that.nets.length != nets.length) {
            throw new IllegalArgumentException("networks differ in shape, members or layout");
        }
        return that;
    }

    @Override
    public void setTrainable(boolean trainable) {
        for (StackedMlp net : nets) {
            net.setTrainable(trainable);
        }
    }

    @Override
    public List<DenseLayer> memberLayers(int k) {
        return nets[k].memberLayers(0);
    }

    @Override
    public void save(OutputArchive archive, String prefix) {
        for (int k = 0; k < nets.length; k++) {
            nets[k].save(archive, prefix + "m" + k + ".");
        }
    }

    @Override
    public void load(InputArchive archive, String prefix) {
        for (int k = 0; k < nets.length; k++) {
            nets[k].load(archive, prefix + "m" + k + ".");
        }
    }
}
