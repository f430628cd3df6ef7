package io.tendon.learner.export;

import ai.onnx.proto.OnnxMl;
import io.tendon.learner.nn.DenseLayer;
import io.tendon.learner.nn.EnsembleNet;
import io.tendon.learner.policy.InputRole;
import io.tendon.schemas.onnx.OnnxOps;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

/**
 * Writes one MLP member as an ONNX model: the state inputs are concatenated in state order
 * (latent, proprio, wrench), followed by the chunk input where there is one (noise inputs are
 * accepted and unused); then the input transform into training units {@code (x - mean) / std}
 * where one is given; per layer {@code Gemm -> LayerNormalization? -> Relu?}; then the output
 * transform {@code y * scale + shift} and the clamp to bounds where given. A scalar output scale
 * is folded into the last layer. Inputs and outputs with more than two dimensions are reshaped
 * at the graph's edges. The transforms are explicit nodes, not folded into the weights, so the
 * graph computes what the trainer computes in the same order of operations.
 */
public final class OnnxMlpWriter {

    public static final String PRODUCER = "tendon-learner";

    private OnnxMlpWriter() {
    }

    /** Per-value affine maps at the graph's edges (null arrays: none). */
    public record Edges(float[] inputMean, float[] inputStd, float[] outputScale, float[] outputShift, float[] lower,
            float[] upper) {
        public static final Edges NONE = new Edges(null, null, null, null, null, null);
    }

    public static OnnxMl.ModelProto write(String graphName, GraphSignature signature, List<DenseLayer> layers,
            float outputScale, Map<String, String> metadata) {
        return write(graphName, signature, layers, outputScale, Edges.NONE, metadata);
    }

    public static OnnxMl.ModelProto write(String graphName, GraphSignature signature, List<DenseLayer> layers,
            float outputScale, Edges edges, Map<String, String> metadata) {
        ONNXContext ctx = new ONNXContext();
        ctx.setName(graphName);
        List<ONNXPlaceholder> placeholders = new ArrayList<>();
        for (GraphSignature.Input in : signature.inputs()) {
            placeholders.add(ctx.floatInput(flatName(in.name(), in.dims()), (int) in.width()));
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < signature.inputs().size(); i++) {
            if (signature.inputs().get(i).role() != InputRole.NOISE) {
                order.add(i);
            }
        }
        order.sort(Comparator.comparingInt(i -> position(signature.inputs().get(i).role())));
        List<ONNXRef<?>> parts = new ArrayList<>();
        long width = 0;
        for (int i : order) {
            parts.add(placeholders.get(i));
            width += signature.inputs().get(i).width();
        }
        if (width != layers.get(0).in()) {
            throw new IllegalArgumentException("graph inputs give " + width + " values per row, the network takes "
                    + layers.get(0).in());
        }
        ONNXRef<?> x = parts.size() == 1 ? parts.get(0)
                : ctx.operation(ONNXOperators.CONCAT, parts, "input", Map.of("axis", 1));
        if (edges.inputMean() != null) {
            float[] mean = checkWidth(edges.inputMean(), width, "input mean");
            float[] std = checkWidth(edges.inputStd(), width, "input std");
            var m = ctx.floatTensor("input_mean", List.of((int) width), buf -> buf.put(mean));
            var sd = ctx.floatTensor("input_std", List.of((int) width), buf -> buf.put(std));
            x = ctx.operation(OnnxOps.SUB, List.of(x, m), "normalise_sub", Map.of());
            x = ctx.operation(OnnxOps.DIV, List.of(x, sd), "normalise_div", Map.of());
        }
        for (int l = 0; l < layers.size(); l++) {
            DenseLayer layer = layers.get(l);
            boolean last = l == layers.size() - 1;
            float scale = last ? outputScale : 1f;
            float[] w = layer.weight();
            float[] b = layer.bias();
            var weight = ctx.floatTensor("w" + l, List.of(layer.in(), layer.out()), buf -> {
                for (float v : w) {
                    buf.put(v * scale);
                }
            });
            var bias = ctx.floatTensor("b" + l, List.of(layer.out()), buf -> {
                for (float v : b) {
                    buf.put(v * scale);
                }
            });
            x = ctx.operation(ONNXOperators.GEMM, List.of(x, weight, bias), "dense" + l, Map.of());
            if (layer.lnScale() != null) {
                float[] s = layer.lnScale();
                float[] t = layer.lnBias();
                var lnScale = ctx.floatTensor("ln_scale" + l, List.of(layer.out()), buf -> buf.put(s));
                var lnBias = ctx.floatTensor("ln_bias" + l, List.of(layer.out()), buf -> buf.put(t));
                x = ctx.operation(OnnxOps.LAYER_NORMALIZATION, List.of(x, lnScale, lnBias), "norm" + l,
                        Map.of("axis", -1, "epsilon", (float) EnsembleNet.LAYER_NORM_EPS));
            }
            if (layer.relu()) {
                x = ctx.operation(OnnxOps.RELU, List.of(x), "relu" + l, Map.of());
            }
        }
        if (layers.get(layers.size() - 1).out() != signature.outputWidth()) {
            throw new IllegalArgumentException("the network outputs " + layers.get(layers.size() - 1).out()
                    + " values per row, the graph declares " + signature.outputWidth());
        }
        int outWidth = (int) signature.outputWidth();
        if (edges.outputScale() != null) {
            float[] scale = checkWidth(edges.outputScale(), outWidth, "output scale");
            float[] shift = checkWidth(edges.outputShift(), outWidth, "output shift");
            var sc = ctx.floatTensor("output_scale", List.of(outWidth), buf -> buf.put(scale));
            var sh = ctx.floatTensor("output_shift", List.of(outWidth), buf -> buf.put(shift));
            x = ctx.operation(OnnxOps.MUL, List.of(x, sc), "denormalise_mul", Map.of());
            x = ctx.operation(OnnxOps.ADD, List.of(x, sh), "denormalise_add", Map.of());
        }
        if (edges.lower() != null) {
            float[] lo = checkWidth(edges.lower(), outWidth, "lower bound");
            float[] hi = checkWidth(edges.upper(), outWidth, "upper bound");
            var l = ctx.floatTensor("lower_bound", List.of(outWidth), buf -> buf.put(lo));
            var u = ctx.floatTensor("upper_bound", List.of(outWidth), buf -> buf.put(hi));
            x = ctx.operation(OnnxOps.MAX, List.of(x, l), "clamp_lower", Map.of());
            x = ctx.operation(OnnxOps.MIN, List.of(x, u), "clamp_upper", Map.of());
        }
        x.assignTo(ctx.floatOutput(flatName(signature.outputName(), signature.outputDims()),
                (int) signature.outputWidth()));
        OnnxMl.GraphProto graph = reshapeEdges(ctx.buildGraph(), signature);
        OnnxMl.ModelProto.Builder model = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName(PRODUCER)
                .setGraph(graph)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OnnxOps.OPSET));
        metadata.forEach((k, v) -> model.addMetadataProps(
                OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return model.build();
    }

    private static float[] checkWidth(float[] v, long width, String what) {
        if (v == null || v.length != width) {
            throw new IllegalArgumentException(what + " has " + (v == null ? "no" : v.length) + " values, the graph "
                    + width);
        }
        return v;
    }

    /** Concatenation order of the network's input: latent, proprio, wrench (or whole state), then the chunk. */
    private static int position(InputRole role) {
        return switch (role) {
            case LATENT, STATE -> 0;
            case PROPRIO, PROPRIO_WRENCH -> 1;
            case WRENCH -> 2;
            case CHUNK -> 3;
            case NOISE -> 4;
        };
    }

    private static String flatName(String name, long[] dims) {
        return dims.length == 2 ? name : name + "__flat";
    }

    /** Puts the declared multi-dimensional inputs and output in place of their flat stand-ins. */
    private static OnnxMl.GraphProto reshapeEdges(OnnxMl.GraphProto graph, GraphSignature signature) {
        OnnxMl.GraphProto.Builder g = graph.toBuilder();
        int inserted = 0;
        for (GraphSignature.Input in : signature.inputs()) {
            if (in.dims().length == 2) {
                continue;
            }
            String flat = flatName(in.name(), in.dims());
            for (int i = 0; i < g.getInputCount(); i++) {
                if (g.getInput(i).getName().equals(flat)) {
                    g.setInput(i, valueInfo(in.name(), in.dims()));
                }
            }
            String shape = flat + "_shape";
            g.addInitializer(int64(shape, new long[] {-1, in.width()}));
            g.addNode(inserted++, OnnxMl.NodeProto.newBuilder().setOpType("Reshape").setName("reshape_" + in.name())
                    .addInput(in.name()).addInput(shape).addOutput(flat));
        }
        long[] outDims = signature.outputDims();
        if (outDims.length != 2) {
            String flat = flatName(signature.outputName(), outDims);
            String shape = flat + "_shape";
            long[] target = outDims.clone();
            target[0] = -1;
            g.setOutput(0, valueInfo(signature.outputName(), outDims));
            g.addInitializer(int64(shape, target));
            g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Reshape").setName("reshape_" + signature.outputName())
                    .addInput(flat).addInput(shape).addOutput(signature.outputName()));
        }
        return g.build();
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name, long[] dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (int i = 0; i < dims.length; i++) {
            shape.addDim(i == 0 ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(dims[i]));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
    }

    private static OnnxMl.TensorProto int64(String name, long[] values) {
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.INT64.getNumber()).addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        return t.build();
    }
}
