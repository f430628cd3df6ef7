package io.tendon.edge.policy;

import io.tendon.schemas.v1.DType;
import io.tendon.schemas.v1.TensorRole;
import io.tendon.schemas.v1.TensorSpec;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.onnxruntime.Value;

/**
 * One graph tensor over a native buffer allocated once: the runtime writes inputs into and
 * reads outputs from {@link #floats} (or {@link #longs} for INT64) without copying through
 * ONNX Runtime or allocating. A windowed tensor (FAST graph, dimension 1 = N) has one ONNX value
 * per window size, all over the same buffer.
 */
public final class TensorSlot implements AutoCloseable {

    public final TensorSpec spec;
    public final TensorRole role;
    /** Elements at the largest window. */
    public final int capacity;
    /** View of the native buffer for FLOAT32 tensors, else null. */
    public final FloatBuffer floats;
    /** View of the native buffer for INT64 tensors, else null. */
    public final LongBuffer longs;
    private final Pointer data;
    private final Value[] values;
    private final LongPointer[] shapes;
    private final int windowMin;
    private final boolean windowed;

    TensorSlot(TensorSpec spec, TensorRole role, int windowMin, int windowMax) {
        this.spec = spec;
        this.role = role;
        this.windowed = spec.getShapeCount() > 1 && spec.getShape(1) == -1;
        this.windowMin = windowMin;
        int variants = windowed ? windowMax - windowMin + 1 : 1;
        this.capacity = (int) PolicyBundle.elements(spec, windowed ? windowMax : 1);
        boolean int64 = spec.getDtype() == DType.INT64;
        if (int64) {
            LongPointer p = new LongPointer(capacity);
            p.fill(0);
            data = p;
            longs = p.asBuffer();
            floats = null;
        } else {
            FloatPointer p = new FloatPointer(capacity);
            p.fill(0);
            data = p;
            floats = p.asBuffer();
            longs = null;
        }
        values = new Value[variants];
        shapes = new LongPointer[variants];
        for (int v = 0; v < variants; v++) {
            int n = windowMin + v;
            long[] dims = new long[spec.getShapeCount()];
            long count = 1;
            for (int i = 0; i < dims.length; i++) {
                long d = spec.getShape(i);
                dims[i] = d == -1 ? (i == 0 ? 1 : n) : d;
                count *= dims[i];
            }
            shapes[v] = new LongPointer(dims);
            values[v] = int64
                    ? Value.CreateTensorLong(OnnxEnvironment.cpuMemory().asOrtMemoryInfo(), (LongPointer) data, count,
                            shapes[v], dims.length)
                    : Value.CreateTensorFloat(OnnxEnvironment.cpuMemory().asOrtMemoryInfo(), (FloatPointer) data, count,
                            shapes[v], dims.length);
        }
    }

    /** True when dimension 1 is the growing window N. */
    public boolean windowed() {
        return windowed;
    }

    /** Elements for window {@code n} (ignored when not windowed). */
    public int elements(int n) {
        return (int) PolicyBundle.elements(spec, windowed ? n : 1);
    }

    Value value(int window) {
        return values[windowed ? window - windowMin : 0];
    }

    /** Copies {@code src[offset, offset + length)} into the tensor from element 0. */
    public void write(float[] src, int offset, int length) {
        floats.put(0, src, offset, length);
    }

    /** Copies the tensor's first {@code length} elements into {@code dst[offset..]}. */
    public void read(float[] dst, int offset, int length) {
        floats.get(0, dst, offset, length);
    }

    /** Sets every element to {@code x} (one element for FLOW_TIME). */
    public void fill(double x) {
        if (longs != null) {
            for (int i = 0; i < capacity; i++) {
                longs.put(i, (long) x);
            }
        } else {
            for (int i = 0; i < capacity; i++) {
                floats.put(i, (float) x);
            }
        }
    }

    @Override
    public void close() {
        for (Value v : values) {
            v.close();
        }
        for (LongPointer s : shapes) {
            s.close();
        }
        data.close();
    }
}
