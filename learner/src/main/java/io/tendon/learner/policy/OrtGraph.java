package io.tendon.learner.policy;

import static org.bytedeco.onnxruntime.global.onnxruntime.ORT_ENABLE_ALL;
import static org.bytedeco.onnxruntime.global.onnxruntime.ORT_LOGGING_LEVEL_WARNING;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtArenaAllocator;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtMemTypeDefault;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.onnxruntime.Env;
import org.bytedeco.onnxruntime.IoBinding;
import org.bytedeco.onnxruntime.MemoryInfo;
import org.bytedeco.onnxruntime.RunOptions;
import org.bytedeco.onnxruntime.Session;
import org.bytedeco.onnxruntime.SessionOptions;
import org.bytedeco.onnxruntime.Value;
import org.bytedeco.onnxruntime.ValueVector;

/**
 * A float ONNX graph in an ONNX Runtime session, run in batches of up to {@code maxRows} rows.
 * Every input is {@code [batch, d1, ...]} with a dynamic batch and static other dimensions, and
 * the caller fills each input's long-lived host buffer before {@link #run}. Only the first
 * output is read. Not thread-safe: one caller thread.
 */
public final class OrtGraph implements AutoCloseable {

    private static Env env;

    private final List<Port> inputs = new ArrayList<>();
    private final List<Port> outputs = new ArrayList<>();
    private final FloatPointer[] buffers;
    private final int maxRows;
    private final SessionOptions options;
    private final Session session;
    private final RunOptions runOptions;
    private final MemoryInfo memoryInfo;
    private final IoBinding binding;
    private final OnnxMl.ModelProto model;

    /** A graph input or output: name and dimensions (dimension 0 is the batch). */
    public record Port(String name, long[] dims) {

        /** Values per row: the product of every dimension after the batch. */
        public long width() {
            long w = 1;
            for (int i = 1; i < dims.length; i++) {
                w *= dims[i];
            }
            return w;
        }
    }

    private static synchronized Env env() {
        if (env == null) {
            env = new Env(ORT_LOGGING_LEVEL_WARNING, "tendon-learner");
        }
        return env;
    }

    /**
     * @param modelBytes the serialized ModelProto
     * @param what names the graph in error messages
     */
    public OrtGraph(byte[] modelBytes, String what, int intraOpThreads, int maxRows) {
        if (PointerScope.getInnerScope() != null) {
            throw new IllegalStateException("create an OrtGraph outside any PointerScope");
        }
        try {
            model = OnnxMl.ModelProto.parseFrom(modelBytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(what + " is not an ONNX model: " + e.getMessage(), e);
        }
        Set<String> initializers = new HashSet<>();
        for (OnnxMl.TensorProto t : model.getGraph().getInitializerList()) {
            initializers.add(t.getName());
        }
        for (OnnxMl.ValueInfoProto v : model.getGraph().getInputList()) {
            if (!initializers.contains(v.getName())) {
                inputs.add(port(v, what));
            }
        }
        for (OnnxMl.ValueInfoProto v : model.getGraph().getOutputList()) {
            outputs.add(port(v, what));
        }
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException(what + " has no outputs");
        }
        this.maxRows = maxRows;
        buffers = new FloatPointer[inputs.size()];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = new FloatPointer(maxRows * inputs.get(i).width());
        }
        options = new SessionOptions();
        options.SetIntraOpNumThreads(intraOpThreads);
        options.SetInterOpNumThreads(1);
        options.SetGraphOptimizationLevel(ORT_ENABLE_ALL);
        BytePointer bytes = new BytePointer(modelBytes);
        try {
            session = new Session(env(), bytes, modelBytes.length, options);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("ONNX Runtime refused " + what + ": " + e.getMessage(), e);
        } finally {
            bytes.close();
        }
        runOptions = new RunOptions();
        memoryInfo = MemoryInfo.CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
        binding = new IoBinding(session);
    }

    private static Port port(OnnxMl.ValueInfoProto v, String what) {
        OnnxMl.TypeProto.Tensor tensor = v.getType().getTensorType();
        if (tensor.getElemType() != OnnxMl.TensorProto.DataType.FLOAT.getNumber()) {
            throw new IllegalArgumentException(what + ": '" + v.getName() + "' is not a float tensor");
        }
        List<OnnxMl.TensorShapeProto.Dimension> dimList = tensor.getShape().getDimList();
        if (dimList.isEmpty()) {
            throw new IllegalArgumentException(what + ": '" + v.getName() + "' has no shape");
        }
        long[] dims = new long[dimList.size()];
        for (int i = 0; i < dims.length; i++) {
            OnnxMl.TensorShapeProto.Dimension d = dimList.get(i);
            dims[i] = d.hasDimValue() ? d.getDimValue() : -1;
            if (i > 0 && dims[i] < 1) {
                throw new IllegalArgumentException(what + ": '" + v.getName() + "' has a dynamic dimension " + i
                        + "; only the batch may be dynamic");
            }
        }
        return new Port(v.getName(), dims);
    }

    public List<Port> inputs() {
        return List.copyOf(inputs);
    }

    public List<Port> outputs() {
        return List.copyOf(outputs);
    }

    /** The model as parsed (metadata, opsets). */
    public OnnxMl.ModelProto model() {
        return model;
    }

    public int maxRows() {
        return maxRows;
    }

    /** Input {@code i}'s host buffer: fill {@code rows x width} floats, row-major, before {@link #run}. */
    public FloatPointer input(int i) {
        return buffers[i];
    }

    /** Runs the first {@code rows} rows and copies the first output ({@code rows x width}) to {@code out}. */
    public void run(int rows, float[] out) {
        if (rows < 1 || rows > maxRows) {
            throw new IllegalArgumentException("rows must lie in 1.." + maxRows + ", was " + rows);
        }
        Port output = outputs.get(0);
        long outCount = rows * output.width();
        if (out.length < outCount) {
            throw new IllegalArgumentException("output array holds " + out.length + " values, " + outCount + " needed");
        }
        try (PointerScope scope = new PointerScope()) {
            binding.ClearBoundInputs();
            binding.ClearBoundOutputs();
            for (int i = 0; i < inputs.size(); i++) {
                Port in = inputs.get(i);
                long[] dims = in.dims().clone();
                dims[0] = rows;
                Value value = Value.CreateTensorFloat(memoryInfo.asOrtMemoryInfo(), buffers[i].position(0),
                        rows * in.width(), new LongPointer(dims), dims.length);
                binding.BindInput(in.name(), value);
            }
            binding.BindOutput(output.name(), memoryInfo.asOrtMemoryInfo());
            session.Run(runOptions, binding);
            ValueVector results = binding.GetOutputValues();
            FloatPointer data = results.get(0).GetTensorMutableDataFloat();
            data.capacity(outCount).get(out, 0, (int) outCount);
        }
    }

    @Override
    public void close() {
        binding.close();
        session.close();
        runOptions.close();
        options.close();
        memoryInfo.close();
        for (FloatPointer b : buffers) {
            b.close();
        }
    }
}
