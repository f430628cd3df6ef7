package io.tendon.learner.nn;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A reusable host buffer of {@code capacity x width} floats with a tensor over the same
 * memory, so that filling it from a Java array is one copy and no allocation. Create outside
 * any scope; {@link #rows} returns a per-step view that belongs to the caller's scope.
 */
public final class HostTensor {

    private final FloatPointer data;
    private final Tensor full;
    public final int capacity;
    public final int width;

    public HostTensor(int capacity, int width) {
        TorchRuntime.requireNoScope();
        if (capacity < 1 || width < 1) {
            throw new IllegalArgumentException("capacity and width must be positive, were " + capacity + ", " + width);
        }
        this.capacity = capacity;
        this.width = width;
        this.data = new FloatPointer((long) capacity * width);
        this.full = torch.from_blob(data, new long[] {capacity, width});
    }

    /** Copies rows {@code 0..rows-1} (row-major, {@code width} each) of {@code src} in. */
    public void put(float[] src, int rows) {
        put(src, 0, rows);
    }

    /** Copies {@code rows} rows starting at row {@code firstRow} of {@code src} in. */
    public void put(float[] src, int firstRow, int rows) {
        if (rows > capacity) {
            throw new IllegalArgumentException(rows + " rows exceed the capacity " + capacity);
        }
        data.position(0).put(src, firstRow * width, rows * width);
    }

    /**
     * The first {@code rows} rows on {@code device} as {@code dtype}: a view of the host memory
     * on a float CPU target (valid until the next {@link #put}), a copy otherwise.
     */
    public Tensor rows(int rows, Device device, ScalarType dtype) {
        Tensor view = full.narrow(0, 0, rows);
        if (!device.is_cuda() && dtype == ScalarType.Float) {
            return view;
        }
        return view.to(device, dtype);
    }
}
