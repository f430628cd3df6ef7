package io.tendon.learner.policy;

import ai.onnx.proto.OnnxMl;
import java.util.List;
import java.util.Map;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXRef;

/**
 * Head graphs built in test code with tribuo-util-onnx, with known weights:
 * {@code chunk = [latent, proprio] W + bias + noiseScale * noise} (the wrench is not an input).
 */
public final class TestHeads {

    private TestHeads() {
    }

    /** W[i][j] = 0.01 * ((i + 2 j) % 7 - 3), bias[j] = 0.1 * (j % 3). */
    public static float weight(int i, int j) {
        return 0.01f * (((i + 2 * j) % 7) - 3);
    }

    public static float bias(int j) {
        return 0.1f * (j % 3);
    }

    public static OnnxMl.ModelProto linearHead(int latent, int proprio, int chunk, float noiseScale) {
        ONNXContext ctx = new ONNXContext();
        var z = ctx.floatInput("latent", latent);
        var p = ctx.floatInput("proprio", proprio);
        var noise = ctx.floatInput("noise", chunk);
        int in = latent + proprio;
        var w = ctx.floatTensor("w", List.of(in, chunk), buf -> {
            for (int i = 0; i < in; i++) {
                for (int j = 0; j < chunk; j++) {
                    buf.put(weight(i, j));
                }
            }
        });
        var b = ctx.floatTensor("b", List.of(chunk), buf -> {
            for (int j = 0; j < chunk; j++) {
                buf.put(bias(j));
            }
        });
        var scale = ctx.floatTensor("scale", List.of(1), buf -> buf.put(noiseScale));
        ONNXRef<?> x = ctx.operation(ONNXOperators.CONCAT, List.of(z, p), "x", Map.of("axis", 1));
        ONNXRef<?> y = ctx.operation(ONNXOperators.GEMM, List.of(x, w, b), "y", Map.of());
        ONNXRef<?> n = ctx.operation(ONNXOperators.MUL, List.of(noise, scale), "n", Map.of());
        ctx.operation(ONNXOperators.ADD, List.of(y, n), "sum", Map.of()).assignTo(ctx.floatOutput("action_chunk", chunk));
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setGraph(ctx.buildGraph())
                .addOpsetImport(ONNXOperators.getOpsetProto()).build();
    }

    /** The head's noise-free output for one state row (latent ⊕ proprio ⊕ wrench). */
    public static float[] expected(float[] state, int latent, int proprio, int chunk) {
        float[] out = new float[chunk];
        for (int j = 0; j < chunk; j++) {
            double s = bias(j);
            for (int i = 0; i < latent + proprio; i++) {
                s += state[i] * weight(i, j);
            }
            out[j] = (float) s;
        }
        return out;
    }
}
