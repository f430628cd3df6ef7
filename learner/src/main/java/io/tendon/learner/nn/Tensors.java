package io.tendon.learner.nn;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Copies between Java arrays and tensors. */
public final class Tensors {

    private Tensors() {
    }

    /** A new tensor owning a copy of {@code data} with this shape, on {@code device} as {@code dtype}. */
    public static Tensor of(float[] data, long[] shape, Device device, ScalarType dtype) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape holds " + n + " values, data has " + data.length);
        }
        try (FloatPointer p = new FloatPointer(data)) {
            Tensor view = torch.from_blob(p, shape);
            Tensor owned = view.to(device, dtype).clone();
            view.close();
            return owned;
        }
    }

    /** The values of {@code t} in row-major order, as floats. */
    public static float[] toArray(Tensor t) {
        Tensor host = t.detach().to(new Device(torch.DeviceType.CPU), ScalarType.Float).contiguous();
        float[] out = new float[(int) host.numel()];
        host.data_ptr_float().get(out);
        return out;
    }

    /** The values of {@code t} in row-major order, as doubles (exact for double tensors). */
    public static double[] toDoubleArray(Tensor t) {
        Tensor host = t.detach().to(new Device(torch.DeviceType.CPU), ScalarType.Double).contiguous();
        double[] out = new double[(int) host.numel()];
        host.data_ptr_double().get(out);
        return out;
    }

    /** The sizes of {@code t}, outermost first. */
    public static long[] shape(Tensor t) {
        long[] shape = new long[(int) t.dim()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.size(i);
        }
        return shape;
    }
}
