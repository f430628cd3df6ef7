package io.tendon.learner.nn;

import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/** Helpers for LibTorch tests: one-thread runtime, CPU device, plain-Java reference forward. */
public final class NetTesting {

    private NetTesting() {
    }

    public static Device cpu() {
        TorchRuntime.configure(1, 7);
        return new Device(torch.DeviceType.CPU);
    }

    public static float[] gaussian(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) r.nextGaussian();
        }
        return out;
    }

    /** The MLP of {@code layers} on one row, in double precision plain Java. */
    public static double[] forward(List<DenseLayer> layers, double[] x) {
        double[] h = x;
        for (DenseLayer l : layers) {
            double[] y = new double[l.out()];
            for (int j = 0; j < l.out(); j++) {
                double s = l.bias()[j];
                for (int i = 0; i < l.in(); i++) {
                    s += h[i] * l.weight()[i * l.out() + j];
                }
                y[j] = s;
            }
            if (l.lnScale() != null) {
                double mean = 0;
                for (double v : y) {
                    mean += v;
                }
                mean /= y.length;
                double var = 0;
                for (double v : y) {
                    var += (v - mean) * (v - mean);
                }
                var /= y.length;
                for (int j = 0; j < y.length; j++) {
                    y[j] = (y[j] - mean) / Math.sqrt(var + EnsembleNet.LAYER_NORM_EPS) * l.lnScale()[j] + l.lnBias()[j];
                }
            }
            if (l.relu()) {
                for (int j = 0; j < y.length; j++) {
                    y[j] = Math.max(0, y[j]);
                }
            }
            h = y;
        }
        return h;
    }
}
