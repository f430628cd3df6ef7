package io.tendon.learner.algo;

import io.tendon.learner.nn.EnsembleNet;
import io.tendon.learner.nn.MlpSpec;
import io.tendon.learner.nn.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.TensorVector;

/**
 * A plain-Java, double-precision copy of a stacked ensemble's weights and its forward pass,
 * written from the layout of {@code StackedMlp} (layer 0 weights side by side {@code [in, K*h]},
 * later layers {@code [K, in, out]}, biases and LayerNorm {@code [K, 1, out]}, parameters in the
 * order w, b, ln_scale, ln_bias per layer), independently of LibTorch: the reference that loss
 * formulas are checked against.
 */
final class PlainMlp {

    private final int[] dims;
    private final int members;
    private final boolean layerNorm;
    private final double[][] w;
    private final double[][] b;
    private final double[][] lnScale;
    private final double[][] lnBias;

    private PlainMlp(EnsembleNet net) {
        MlpSpec spec = net.spec();
        dims = spec.dims();
        members = net.members();
        layerNorm = spec.layerNorm();
        int layers = dims.length - 1;
        w = new double[layers][];
        b = new double[layers][];
        lnScale = new double[layers][];
        lnBias = new double[layers][];
        TensorVector p = net.parameterList();
        int at = 0;
        try (PointerScope scope = new PointerScope()) {
            for (int l = 0; l < layers; l++) {
                w[l] = Tensors.toDoubleArray(p.get(at++));
                b[l] = Tensors.toDoubleArray(p.get(at++));
                if (layerNorm && l < layers - 1) {
                    lnScale[l] = Tensors.toDoubleArray(p.get(at++));
                    lnBias[l] = Tensors.toDoubleArray(p.get(at++));
                }
            }
        }
        if (at != p.size()) {
            throw new IllegalStateException("read " + at + " of " + p.size() + " parameters: not a stacked MLP");
        }
    }

    /** The network's current weights. */
    static PlainMlp of(EnsembleNet net) {
        return new PlainMlp(net);
    }

    /** Member {@code k} on one input row. */
    double[] forward(int k, double[] x) {
        double[] h = x;
        int layers = dims.length - 1;
        for (int l = 0; l < layers; l++) {
            int in = dims[l];
            int out = dims[l + 1];
            double[] y = new double[out];
            for (int j = 0; j < out; j++) {
                double s = b[l][k * out + j];
                for (int i = 0; i < in; i++) {
                    double wij = l == 0 ? w[0][i * members * out + k * out + j] : w[l][(k * in + i) * out + j];
                    s += h[i] * wij;
                }
                y[j] = s;
            }
            if (l < layers - 1) {
                if (layerNorm) {
                    double mean = 0;
                    for (double v : y) {
                        mean += v;
                    }
                    mean /= out;
                    double var = 0;
                    for (double v : y) {
                        var += (v - mean) * (v - mean);
                    }
                    var /= out;
                    for (int j = 0; j < out; j++) {
                        y[j] = (y[j] - mean) / Math.sqrt(var + EnsembleNet.LAYER_NORM_EPS) * lnScale[l][k * out + j]
                                + lnBias[l][k * out + j];
                    }
                }
                for (int j = 0; j < out; j++) {
                    y[j] = Math.max(0, y[j]);
                }
            }
            h = y;
        }
        return h;
    }

    static double[] concat(double[] a, double[] c) {
        double[] out = java.util.Arrays.copyOf(a, a.length + c.length);
        System.arraycopy(c, 0, out, a.length, c.length);
        return out;
    }
}
