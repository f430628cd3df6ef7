package io.tendon.edge.policy;

import io.tendon.schemas.onnx.OnnxOps;
import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

/**
 * Small ONNX graphs written in Java with tribuo-util-onnx, each with a plain-Java reference of
 * what it computes, so that tests check ONNX Runtime's results exactly. Nothing binary is
 * committed: every bundle used by the tests is generated from here.
 */
final class TestGraphs {

    static final int OPSET = OnnxOps.OPSET;

    private TestGraphs() {
    }

    /** A named tensor with its dimensions (-1: dynamic) and type. */
    record Port(String name, long[] dims, boolean int64) {
        static Port f(String name, long... dims) {
            return new Port(name, dims, false);
        }

        static Port i64(String name, long... dims) {
            return new Port(name, dims, true);
        }

        int elements() {
            int n = 1;
            for (long d : dims) {
                n *= d == -1 ? 1 : (int) d;
            }
            return n;
        }
    }

    enum Act { RELU, TANH }

    /** A multilayer perceptron: hidden layers with an activation, a linear output layer. */
    static final class Mlp {
        final int[] sizes;
        final float[][] w;
        final float[][] b;
        final Act act;

        Mlp(long seed, Act act, int... sizes) {
            this.sizes = sizes.clone();
            this.act = act;
            SplittableRandom r = new SplittableRandom(seed);
            w = new float[sizes.length - 1][];
            b = new float[sizes.length - 1][];
            for (int l = 0; l < sizes.length - 1; l++) {
                int in = sizes[l];
                int out = sizes[l + 1];
                double scale = 1.0 / Math.sqrt(in);
                w[l] = new float[in * out];
                b[l] = new float[out];
                for (int i = 0; i < w[l].length; i++) {
                    w[l][i] = (float) ((r.nextDouble() * 2 - 1) * scale);
                }
                for (int i = 0; i < out; i++) {
                    b[l][i] = (float) ((r.nextDouble() * 2 - 1) * 0.1);
                }
            }
        }

        /** Wraps given weights (row-major in x out) and biases. */
        Mlp(Act act, int[] sizes, float[][] w, float[][] b) {
            this.sizes = sizes;
            this.act = act;
            this.w = w;
            this.b = b;
        }

        int in() {
            return sizes[0];
        }

        int out() {
            return sizes[sizes.length - 1];
        }

        /** The same computation in double precision. */
        float[] forward(float[] x) {
            double[] h = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                h[i] = x[i];
            }
            for (int l = 0; l < w.length; l++) {
                int in = sizes[l];
                int out = sizes[l + 1];
                double[] next = new double[out];
                for (int j = 0; j < out; j++) {
                    double s = b[l][j];
                    for (int i = 0; i < in; i++) {
                        s += h[i] * w[l][i * out + j];
                    }
                    if (l < w.length - 1) {
                        s = act == Act.RELU ? Math.max(0, s) : Math.tanh(s);
                    }
                    next[j] = s;
                }
                h = next;
            }
            float[] y = new float[h.length];
            for (int i = 0; i < h.length; i++) {
                y[i] = (float) h[i];
            }
            return y;
        }
    }

    /** Builds one graph: inputs and outputs with explicit shapes, nodes through tribuo's context. */
    static final class Builder {
        final ONNXContext ctx = new ONNXContext();
        private final Map<String, Port> ports = new LinkedHashMap<>();
        private int names;

        ONNXPlaceholder input(Port p) {
            ports.put(p.name(), p);
            return ctx.floatInput(p.name(), 1);
        }

        void output(ONNXRef<?> value, Port p) {
            ports.put(p.name(), p);
            value.assignTo(ctx.floatOutput(p.name(), 1));
        }

        ONNXInitializer floats(float[] values, int... dims) {
            List<Integer> shape = new ArrayList<>();
            for (int d : dims) {
                shape.add(d);
            }
            return ctx.floatTensor(name("w"), shape, fb -> fb.put(values));
        }

        ONNXInitializer scalar(float value) {
            return ctx.constant(name("c"), value);
        }

        ONNXInitializer longs(long... values) {
            return ctx.array(name("l"), values);
        }

        ONNXNode op(org.tribuo.util.onnx.ONNXOperator op, ONNXRef<?>... inputs) {
            return ctx.operation(op, List.of(inputs), name("n"));
        }

        ONNXNode op(org.tribuo.util.onnx.ONNXOperator op, Map<String, Object> attributes, ONNXRef<?>... inputs) {
            return ctx.operation(op, List.of(inputs), name("n"), attributes);
        }

        /** x [1, n] through the MLP. */
        ONNXNode mlp(ONNXRef<?> x, Mlp mlp) {
            ONNXRef<?> h = x;
            for (int l = 0; l < mlp.w.length; l++) {
                ONNXNode z = op(ONNXOperators.GEMM, h, floats(mlp.w[l], mlp.sizes[l], mlp.sizes[l + 1]),
                        floats(mlp.b[l], mlp.sizes[l + 1]));
                h = l < mlp.w.length - 1 ? op(mlp.act == Act.RELU ? OnnxOps.RELU : OnnxOps.TANH, z) : z;
            }
            return (ONNXNode) h;
        }

        ONNXNode flatten(ONNXRef<?> x) {
            return op(OnnxOps.FLATTEN, Map.of("axis", 1), x);
        }

        ONNXNode reshape(ONNXRef<?> x, long... dims) {
            return op(OnnxOps.RESHAPE, x, longs(dims));
        }

        ONNXNode concat(List<ONNXRef<?>> xs) {
            return xs.size() == 1 ? flatten(xs.get(0))
                    : ctx.operation(ONNXOperators.CONCAT, xs, name("n"), Map.of("axis", 1));
        }

        byte[] build() {
            OnnxMl.GraphProto.Builder g = ctx.buildGraph().toBuilder();
            for (int i = 0; i < g.getInputCount(); i++) {
                g.setInput(i, typed(g.getInput(i)));
            }
            for (int i = 0; i < g.getOutputCount(); i++) {
                g.setOutput(i, typed(g.getOutput(i)));
            }
            return OnnxMl.ModelProto.newBuilder()
                    .setIrVersion(8)
                    .setProducerName("tendon-tests")
                    .setGraph(g.setName("test"))
                    .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                    .build().toByteArray();
        }

        private OnnxMl.ValueInfoProto typed(OnnxMl.ValueInfoProto v) {
            Port p = ports.get(v.getName());
            if (p == null) {
                return v;
            }
            OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
            for (int i = 0; i < p.dims().length; i++) {
                long d = p.dims()[i];
                shape.addDim(d == -1 ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam(i == 0 ? "batch" : "n")
                        : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            }
            int type = p.int64() ? OnnxMl.TensorProto.DataType.INT64.getNumber()
                    : OnnxMl.TensorProto.DataType.FLOAT.getNumber();
            return v.toBuilder().setType(OnnxMl.TypeProto.newBuilder().setTensorType(
                    OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
        }

        private String name(String prefix) {
            return prefix + (names++);
        }
    }

    // ---- graphs -----------------------------------------------------------------------------

    /**
     * out = reshape(MLP(concat(flatten(inputs))), output.dims) [+ scale * additive]: heads,
     * encoders, prefixes, residuals, slow graphs and the reference step graph.
     */
    static byte[] mlpGraph(Mlp mlp, List<Port> inputs, Port output, Port additive, float additiveScale) {
        Builder b = new Builder();
        List<ONNXRef<?>> flat = new ArrayList<>();
        for (Port p : inputs) {
            ONNXPlaceholder in = b.input(p);
            flat.add(p.dims().length == 2 ? in : b.flatten(in));
        }
        ONNXNode y = b.mlp(b.concat(flat), mlp);
        ONNXRef<?> out = output.dims().length == 2 ? y : b.reshape(y, concrete(output.dims()));
        if (additive != null) {
            ONNXPlaceholder add = b.input(additive);
            out = b.op(ONNXOperators.ADD, out, b.op(ONNXOperators.MUL, add, b.scalar(additiveScale)));
        }
        b.output(out, output);
        return b.build();
    }

    /** Reference of {@link #mlpGraph}: inputs in order, flattened; additive may be null. */
    static float[] mlpReference(Mlp mlp, List<float[]> inputs, float[] additive, float scale) {
        int n = 0;
        for (float[] x : inputs) {
            n += x.length;
        }
        float[] x = new float[n];
        int o = 0;
        for (float[] v : inputs) {
            System.arraycopy(v, 0, x, o, v.length);
            o += v.length;
        }
        float[] y = mlp.forward(x);
        if (additive != null) {
            for (int i = 0; i < y.length; i++) {
                y[i] += additive[i] * scale;
            }
        }
        return y;
    }

    /**
     * Flow step with a closed-form velocity: target = reshape(W cond + c), and
     * v = (target - x) / (1 - t), so Euler from any x reaches the target exactly at t = 1; with
     * {@code reverse}, v = (x - target) / t, reaching it at t = 0.
     */
    static byte[] closedFormStep(int h, int a, int condDim, float[] w, float[] c, boolean reverse) {
        Builder b = new Builder();
        ONNXPlaceholder x = b.input(Port.f("sample", 1, h, a));
        ONNXPlaceholder t = b.input(Port.f("flow_time", 1, 1));
        ONNXPlaceholder cond = b.input(Port.f("conditioning", 1, condDim));
        ONNXNode target = b.reshape(b.op(ONNXOperators.GEMM, cond, b.floats(w, condDim, h * a), b.floats(c, h * a)),
                1, h, a);
        ONNXNode v = reverse
                ? b.op(ONNXOperators.DIV, b.op(ONNXOperators.SUB, x, target), t)
                : b.op(ONNXOperators.DIV, b.op(ONNXOperators.SUB, target, x),
                        b.op(ONNXOperators.SUB, b.scalar(1f), t));
        b.output(v, Port.f("velocity", 1, h, a));
        return b.build();
    }

    /** target = W cond + c, the point {@link #closedFormStep} flows to. */
    static float[] closedFormTarget(float[] w, float[] c, float[] cond, int out) {
        float[] y = new float[out];
        for (int j = 0; j < out; j++) {
            double s = c[j];
            for (int i = 0; i < cond.length; i++) {
                s += cond[i] * w[i * out + j];
            }
            y[j] = (float) s;
        }
        return y;
    }

    /** Guidance with a known gradient: the cost 0.5 |x - goal|^2 has gradient x - goal. */
    static byte[] quadraticGuidance(int h, int a, float[] goal) {
        Builder b = new Builder();
        ONNXPlaceholder x = b.input(Port.f("sample", 1, h, a));
        ONNXNode g = b.op(ONNXOperators.SUB, x, b.floats(goal, 1, h, a));
        b.output(g, Port.f("gradient", 1, h, a));
        return b.build();
    }

    /**
     * An epsilon predictor that is exact for a fixed clean sample: with x_t = sqrt(abar) x0 +
     * sqrt(1 - abar) eps, eps = (x - sqrt(abar_t) * target) / sqrt(1 - abar_t), timestep t INT64.
     */
    static byte[] exactEpsilonStep(int h, int a, float[] target, double[] abar) {
        Builder b = new Builder();
        ONNXPlaceholder x = b.input(Port.f("sample", 1, h, a));
        ONNXPlaceholder t = b.input(Port.i64("flow_time", 1));
        float[] sqrtAbar = new float[abar.length];
        float[] sqrtOneMinus = new float[abar.length];
        for (int i = 0; i < abar.length; i++) {
            sqrtAbar[i] = (float) Math.sqrt(abar[i]);
            sqrtOneMinus[i] = (float) Math.sqrt(1 - abar[i]);
        }
        ONNXNode sa = b.op(ONNXOperators.GATHER, Map.of("axis", 0), b.floats(sqrtAbar, abar.length), t);
        ONNXNode so = b.op(ONNXOperators.GATHER, Map.of("axis", 0), b.floats(sqrtOneMinus, abar.length), t);
        ONNXNode eps = b.op(ONNXOperators.DIV,
                b.op(ONNXOperators.SUB, x, b.op(ONNXOperators.MUL, b.floats(target, 1, h, a), sa)), so);
        b.output(eps, Port.f("epsilon", 1, h, a));
        return b.build();
    }

    /**
     * A causal fast graph: fast_kv = cumsum(wrench over the window), actions[i] =
     * fast_kv[i] Wf + (cond Ws + bs) + noiseScale * noise[i]; row i sees wrench frames <= i only.
     */
    static byte[] causalFast(int a, int condDim, float[] wf, float[] ws, float[] bs, float noiseScale) {
        Builder b = new Builder();
        ONNXPlaceholder wrench = b.input(Port.f("wrench_window", 1, -1, 6));
        ONNXPlaceholder cond = b.input(Port.f("conditioning", 1, condDim));
        ONNXPlaceholder noise = b.input(Port.f("noise", 1, -1, a));
        ONNXNode kv = b.op(OnnxOps.CUMSUM, wrench, b.longs(1));
        ONNXNode rows = b.op(OnnxOps.MATMUL, kv, b.floats(wf, 6, a));
        ONNXNode slow = b.op(ONNXOperators.GEMM, cond, b.floats(ws, condDim, a), b.floats(bs, a));
        ONNXNode out = b.op(ONNXOperators.ADD, b.op(ONNXOperators.ADD, rows, slow),
                b.op(ONNXOperators.MUL, noise, b.scalar(noiseScale)));
        b.output(out, Port.f("actions", 1, -1, a));
        return b.build();
    }

    /** Reference of {@link #causalFast} for a window of n frames (row-major n x 6 wrench, n x a noise). */
    static float[] causalFastReference(int a, float[] wf, float[] ws, float[] bs, float noiseScale, float[] cond,
            float[] wrench, float[] noise, int n) {
        float[] out = new float[n * a];
        double[] kv = new double[6];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 6; k++) {
                kv[k] += wrench[i * 6 + k];
            }
            for (int j = 0; j < a; j++) {
                double s = bs[j];
                for (int c = 0; c < cond.length; c++) {
                    s += cond[c] * ws[c * a + j];
                }
                for (int k = 0; k < 6; k++) {
                    s += kv[k] * wf[k * a + j];
                }
                out[i * a + j] = (float) (s + noiseScale * noise[i * a + j]);
            }
        }
        return out;
    }

    /**
     * A windowed step graph for a FAST graph integrated by the sampler: per-row targets
     * T = cumsum(wrench) Wf + cond Ws + bs (as {@link #causalFast} without noise), and
     * v = (T - x) / (1 - t), which Euler integrates exactly onto T.
     */
    static byte[] windowedClosedFormStep(int a, int condDim, float[] wf, float[] ws, float[] bs) {
        Builder b = new Builder();
        ONNXPlaceholder wrench = b.input(Port.f("wrench_window", 1, -1, 6));
        ONNXPlaceholder cond = b.input(Port.f("conditioning", 1, condDim));
        ONNXPlaceholder x = b.input(Port.f("sample", 1, -1, a));
        ONNXPlaceholder t = b.input(Port.f("flow_time", 1, 1));
        ONNXNode kv = b.op(OnnxOps.CUMSUM, wrench, b.longs(1));
        ONNXNode target = b.op(ONNXOperators.ADD, b.op(OnnxOps.MATMUL, kv, b.floats(wf, 6, a)),
                b.op(ONNXOperators.GEMM, cond, b.floats(ws, condDim, a), b.floats(bs, a)));
        ONNXNode v = b.op(ONNXOperators.DIV, b.op(ONNXOperators.SUB, target, x),
                b.op(ONNXOperators.SUB, b.scalar(1f), t));
        b.output(v, Port.f("velocity", 1, -1, a));
        return b.build();
    }

    /**
     * The reference two-rate fast graph of the benchmark: cumsum over the wrench window (a causal
     * running summary), projected 6 -> hidden, plus the slow conditioning projected to hidden,
     * ReLU, hidden -> A, plus the noise.
     */
    static byte[] referenceFast(long seed, int a, int condDim, int hidden) {
        Mlp proj = new Mlp(seed, Act.RELU, 6, hidden);
        Mlp cproj = new Mlp(seed + 1, Act.RELU, condDim, hidden);
        Mlp out = new Mlp(seed + 2, Act.RELU, hidden, a);
        Builder b = new Builder();
        ONNXPlaceholder wrench = b.input(Port.f("wrench_window", 1, -1, 6));
        ONNXPlaceholder cond = b.input(Port.f("conditioning", 1, condDim));
        ONNXPlaceholder noise = b.input(Port.f("noise", 1, -1, a));
        ONNXNode kv = b.op(OnnxOps.CUMSUM, wrench, b.longs(1));
        ONNXNode h1 = b.op(ONNXOperators.ADD, b.op(OnnxOps.MATMUL, kv, b.floats(proj.w[0], 6, hidden)),
                b.floats(proj.b[0], hidden));
        ONNXNode c1 = b.op(ONNXOperators.GEMM, cond, b.floats(cproj.w[0], condDim, hidden), b.floats(cproj.b[0], hidden));
        ONNXNode h2 = b.op(OnnxOps.RELU, b.op(ONNXOperators.ADD, h1, c1));
        ONNXNode y = b.op(ONNXOperators.ADD, b.op(OnnxOps.MATMUL, h2, b.floats(out.w[0], hidden, a)),
                b.floats(out.b[0], a));
        b.output(b.op(ONNXOperators.ADD, y, noise), Port.f("actions", 1, -1, a));
        return b.build();
    }

    private static long[] concrete(long[] dims) {
        long[] c = dims.clone();
        for (int i = 0; i < c.length; i++) {
            c[i] = c[i] == -1 ? 1 : c[i];
        }
        return c;
    }

    static float[] random(long seed, int n, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }
}
