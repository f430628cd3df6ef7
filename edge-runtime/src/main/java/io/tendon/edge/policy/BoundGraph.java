package io.tendon.edge.policy;

import io.tendon.schemas.bundle.TensorRoles;
import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64;
import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TYPE_TENSOR;

import io.tendon.schemas.v1.DType;
import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.GraphSpec;
import io.tendon.schemas.v1.TensorRole;
import io.tendon.schemas.v1.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.onnxruntime.IoBinding;
import org.bytedeco.onnxruntime.LongVector;
import org.bytedeco.onnxruntime.RunOptions;
import org.bytedeco.onnxruntime.Session;
import org.bytedeco.onnxruntime.StringVector;
import org.bytedeco.onnxruntime.TypeInfo;

/**
 * One bundle graph ready to run: its ONNX Runtime session, checked against the manifest's
 * declaration, with every input and output pre-allocated and bound once through an
 * {@link IoBinding} (one binding per window size for the FAST graph). {@link #run} is one
 * native call and allocates nothing on the Java heap.
 */
public final class BoundGraph implements AutoCloseable {

    public final GraphRole role;
    /** "head", "step", ...: the graph role in lower case. */
    public final String name;
    public final LatencyStats latency;
    private final Session session;
    private final RunOptions runOptions;
    private final Map<TensorRole, TensorSlot> inputs = new LinkedHashMap<>();
    private final Map<TensorRole, TensorSlot> outputs = new LinkedHashMap<>();
    private final IoBinding[] bindings;
    private final int windowMin;

    private BoundGraph(GraphRole role, Session session, int windowMin, int windowMax, GraphSpec spec,
            LatencyStats latency) {
        this.role = role;
        this.name = TensorRoles.graphName(role);
        this.latency = latency;
        this.session = session;
        this.windowMin = windowMin;
        this.runOptions = new RunOptions();
        for (TensorSpec t : spec.getInputsList()) {
            inputs.put(TensorRoles.of(t), new TensorSlot(t, TensorRoles.of(t), windowMin, windowMax));
        }
        for (TensorSpec t : spec.getOutputsList()) {
            outputs.put(TensorRoles.of(t), new TensorSlot(t, TensorRoles.of(t), windowMin, windowMax));
        }
        bindings = new IoBinding[windowMax - windowMin + 1];
        for (int v = 0; v < bindings.length; v++) {
            IoBinding binding = new IoBinding(session);
            for (TensorSlot s : inputs.values()) {
                binding.BindInput(s.spec.getName(), s.value(windowMin + v));
            }
            for (TensorSlot s : outputs.values()) {
                binding.BindOutput(s.spec.getName(), s.value(windowMin + v));
            }
            bindings[v] = binding;
        }
    }

    /**
     * Loads graph {@code role} of {@code bundle}, checks it against its declaration and binds
     * it; windows {@code windowMin..windowMax} for the FAST graph, else pass 1, 1.
     */
    public static BoundGraph load(PolicyBundle bundle, GraphRole role, SessionFactory sessions, int windowMin,
            int windowMax) {
        GraphSpec spec = bundle.graph(role);
        String what = "graph " + TensorRoles.graphName(role) + " (" + spec.getFile() + ")";
        Path file = bundle.file(role);
        if (file == null) {
            throw new PolicyBundleException(what + " arrives by policy update and none is there yet");
        }
        byte[] model;
        try {
            model = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PolicyBundleException(what + ": cannot read " + file + ": " + e, e);
        }
        return load(bundle, role, model, what, sessions, windowMin, windowMax, new LatencyStats());
    }

    /**
     * Loads graph {@code role} of {@code bundle} from {@code model} (a policy update's bytes, or
     * the bundle's file), checks it against the manifest's declaration for that role, binds it and
     * warms it up; its run latencies go to {@code latency}. {@code what} names it in errors.
     */
    public static BoundGraph load(PolicyBundle bundle, GraphRole role, byte[] model, String what,
            SessionFactory sessions, int windowMin, int windowMax, LatencyStats latency) {
        GraphSpec spec = bundle.graph(role);
        Session session = sessions.create(what, model);
        try {
            checkSignature(what, spec, session);
            BoundGraph graph = new BoundGraph(role, session, windowMin, windowMax, spec, latency);
            graph.warmUp(sessions.settings().warmupRuns());
            return graph;
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /** The input tensor with {@code role}, or null when the graph takes none. */
    public TensorSlot input(TensorRole role) {
        return inputs.get(role);
    }

    /** The output tensor with {@code role}, or null. */
    public TensorSlot output(TensorRole role) {
        return outputs.get(role);
    }

    /** Runs the graph on its bound inputs (window size 1 / not windowed). */
    public void run() {
        run(windowMin);
    }

    /** Runs the graph bound for window {@code n}; records the latency. Allocation-free. */
    public void run(int n) {
        long start = System.nanoTime();
        session.Run(runOptions, bindings[n - windowMin]);
        latency.record(System.nanoTime() - start);
    }

    /** The session, for measuring a bare ONNX Runtime call next to the runtime's (benchmarks). */
    public Session session() {
        return session;
    }

    private void warmUp(int runs) {
        for (IoBinding binding : bindings) {
            for (int i = 0; i < runs; i++) {
                session.Run(runOptions, binding);
            }
        }
    }

    @Override
    public void close() {
        for (IoBinding b : bindings) {
            b.close();
        }
        for (TensorSlot s : inputs.values()) {
            s.close();
        }
        for (TensorSlot s : outputs.values()) {
            s.close();
        }
        runOptions.close();
        session.close();
    }

    // ---- the declaration against the real graph ---------------------------------------------

    private record Actual(String name, int elementType, long[] shape) {
    }

    private static void checkSignature(String what, GraphSpec spec, Session session) {
        List<Actual> actualIn;
        List<Actual> actualOut;
        // Names, type infos and shape vectors are temporaries: freed when the scope closes.
        try (PointerScope scope = new PointerScope()) {
            actualIn = read(session, true);
            actualOut = read(session, false);
        }
        List<String> problems = new ArrayList<>();
        compare(what, "input", spec.getInputsList(), actualIn, true, problems);
        compare(what, "output", spec.getOutputsList(), actualOut, false, problems);
        if (!problems.isEmpty()) {
            throw new GraphMismatchException(String.join("; ", problems));
        }
    }

    private static List<Actual> read(Session session, boolean inputs) {
        StringVector names = inputs ? session.GetInputNames() : session.GetOutputNames();
        List<Actual> list = new ArrayList<>();
        for (long i = 0; i < names.size(); i++) {
            TypeInfo info = inputs ? session.GetInputTypeInfo(i) : session.GetOutputTypeInfo(i);
            String name = names.get(i).getString();
            if (info.GetONNXType() != ONNX_TYPE_TENSOR) {
                list.add(new Actual(name, -1, new long[0]));
                continue;
            }
            var shapeInfo = info.GetTensorTypeAndShapeInfo();
            LongVector shape = shapeInfo.GetShape();
            list.add(new Actual(name, shapeInfo.GetElementType(), shape.get()));
        }
        return list;
    }

    private static void compare(String what, String kind, List<TensorSpec> declared, List<Actual> actual,
            boolean everyActualMustBeDeclared, List<String> problems) {
        Map<String, Actual> byName = new LinkedHashMap<>();
        for (Actual a : actual) {
            byName.put(a.name, a);
        }
        for (TensorSpec t : declared) {
            Actual a = byName.remove(t.getName());
            String where = what + ": " + kind + " '" + t.getName() + "'";
            if (a == null) {
                problems.add(where + " is declared but the graph has no such " + kind + " (its " + kind + "s: "
                        + names(actual) + ")");
                continue;
            }
            int expectedType = t.getDtype() == DType.INT64 ? ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64
                    : ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
            if (a.elementType != expectedType) {
                problems.add(where + " is declared " + t.getDtype() + " but the graph has " + typeName(a.elementType));
            }
            long[] dims = new long[t.getShapeCount()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = t.getShape(i);
            }
            if (!compatible(dims, a.shape)) {
                problems.add(where + " is declared with shape " + Arrays.toString(dims) + " but the graph has "
                        + Arrays.toString(a.shape));
            }
        }
        if (everyActualMustBeDeclared) {
            for (Actual a : byName.values()) {
                problems.add(what + ": the graph takes " + kind + " '" + a.name + "' " + Arrays.toString(a.shape)
                        + " which the manifest does not declare");
            }
        }
    }

    /**
     * A declared dimension fits the graph's when equal, when the graph's is dynamic (-1), or
     * for a dynamic batch (index 0) when the graph fixes it to 1.
     */
    static boolean compatible(long[] declared, long[] actual) {
        if (declared.length != actual.length) {
            return false;
        }
        for (int i = 0; i < declared.length; i++) {
            long d = declared[i];
            long a = actual[i];
            if (a == -1 || d == a || (d == -1 && i == 0 && a == 1)) {
                continue;
            }
            return false;
        }
        return true;
    }

    private static String names(List<Actual> list) {
        List<String> out = new ArrayList<>();
        for (Actual a : list) {
            out.add(a.name);
        }
        return out.toString();
    }

    private static String typeName(int elementType) {
        if (elementType == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) {
            return "FLOAT32";
        }
        if (elementType == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64) {
            return "INT64";
        }
        return elementType < 0 ? "a non-tensor value" : "ONNX element type " + elementType;
    }
}
